// Mock of c10/core/ScalarType.h, Scalar.h and TensorOptions.h.
#pragma once
#include <c10/core/Device.h>
#include <cstdint>
namespace c10 {
enum class ScalarType : int8_t { Float = 6, Double = 7 };
constexpr ScalarType kFloat = ScalarType::Float;
constexpr ScalarType kDouble = ScalarType::Double;
class Scalar {
public:
  Scalar(int v);
  Scalar(int64_t v);
  Scalar(double v);
  double toDouble() const;
  float toFloat() const;
};
struct TensorOptions {
  TensorOptions();
  TensorOptions(Device device);
  TensorOptions(DeviceType device_type);
  TensorOptions requires_grad(bool requires_grad = true) const;
};
TensorOptions requires_grad(bool requires_grad = true);
} // namespace c10
namespace at {
using c10::Device;
using c10::kCPU;
using c10::kCUDA;
using c10::kDouble;
using c10::kFloat;
using c10::Scalar;
using c10::ScalarType;
using c10::requires_grad;
using c10::TensorOptions;
} // namespace at
