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

// Softmax and the losses (torch-loss-activation-mismatch).
namespace torch::nn::functional {
struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim);
};
struct LogSoftmaxFuncOptions {
  LogSoftmaxFuncOptions(int64_t dim);
};
struct CrossEntropyFuncOptions {};
struct NLLLossFuncOptions {};
struct BinaryCrossEntropyFuncOptions {};
struct BinaryCrossEntropyWithLogitsFuncOptions {};
Tensor softmax(const Tensor &input, const SoftmaxFuncOptions &options);
Tensor log_softmax(const Tensor &input, const LogSoftmaxFuncOptions &options);
Tensor cross_entropy(const Tensor &input, const Tensor &target,
                     const CrossEntropyFuncOptions &options = {});
Tensor nll_loss(const Tensor &input, const Tensor &target,
                const NLLLossFuncOptions &options = {});
Tensor binary_cross_entropy(const Tensor &input, const Tensor &target,
                            const BinaryCrossEntropyFuncOptions &options = {});
Tensor binary_cross_entropy_with_logits(
    const Tensor &input, const Tensor &target,
    const BinaryCrossEntropyWithLogitsFuncOptions &options = {});
} // namespace torch::nn::functional
