// Mock of c10/core/DeviceType.h and Device.h.
#pragma once
#include <cstdint>
namespace c10 {
enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
constexpr DeviceType kCPU = DeviceType::CPU;
constexpr DeviceType kCUDA = DeviceType::CUDA;
struct Device {
  Device(DeviceType type, int8_t index = -1);
};
} // namespace c10
namespace torch {
using c10::kCPU;
using c10::kCUDA;
} // namespace torch
