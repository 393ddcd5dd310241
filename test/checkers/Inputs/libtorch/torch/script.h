// Mock of torch/script.h: torch::jit::Module.
#pragma once
#include <string>
#include <torch/types.h>
#include <vector>
namespace c10 {
class IValue {
public:
  IValue(at::Tensor t);
  at::Tensor toTensor() const;
};
} // namespace c10
namespace torch::jit {
using c10::IValue;
class Module {
public:
  IValue forward(std::vector<IValue> inputs);
  void eval();
  void train(bool on = true);
};
Module load(const std::string &filename);
} // namespace torch::jit
