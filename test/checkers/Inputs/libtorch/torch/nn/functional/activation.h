// Mock of torch/nn/functional/activation.h and torch/nn/options/activation.h.
#pragma once
#include <torch/types.h>
namespace torch::nn {
struct ReLUOptions {
  ReLUOptions(bool inplace = false);
  ReLUOptions &inplace(bool new_inplace);
  bool inplace() const;
};
namespace functional {
namespace detail {
inline Tensor relu(Tensor input, bool inplace) { return input; }
} // namespace detail
using ReLUFuncOptions = ReLUOptions;
inline Tensor relu(Tensor input, const ReLUFuncOptions &options = {}) {
  return input;
}
} // namespace functional
} // namespace torch::nn
