// SPDX-License-Identifier: Apache-2.0
// Runtime case: a model with dropout and batch norm trained, then evaluated
// under a NoGradGuard without eval(). The check offers no fix, so the
// corrected program is this file compiled with -DCORRECTED, which adds
// 'net->eval();' before the evaluation.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: %torch_tidy --checks=-*,torch-missing-eval-mode %s -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: %torch_tidy --checks=-*,torch-missing-eval-mode %s -- %libtorch_flags -DCORRECTED \
// RUN:   | FileCheck %s --check-prefix=CLEAN --allow-empty --implicit-check-not="{{warning|error}}:"
// RUN: %clangxx %libtorch_flags -DCORRECTED %s -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <iostream>

namespace {
struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc(register_module("fc", torch::nn::Linear(4, 8))),
        bn(register_module("bn", torch::nn::BatchNorm1d(8))),
        drop(register_module("drop", torch::nn::Dropout(0.5))) {}
  torch::Tensor forward(const torch::Tensor &X) { return drop(bn(fc(X))); }
  torch::nn::Linear fc;
  torch::nn::BatchNorm1d bn;
  torch::nn::Dropout drop;
};
TORCH_MODULE(Net);
} // namespace

int main() {
  torch::manual_seed(0);
  Net net;
  torch::optim::SGD opt(net->parameters(), 0.01);
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    torch::Tensor loss = net->forward(torch::randn({16, 4})).pow(2).mean();
    loss.backward();
    opt.step();
  }

#ifdef CORRECTED
  net->eval();
#endif
  torch::NoGradGuard no_grad;
  const torch::Tensor X = torch::randn({16, 4});
  const torch::Tensor MeanBefore = net->bn->running_mean.clone();
  const torch::Tensor First = net->forward(X);
  // TIDY: :[[@LINE-1]]:36: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
  // TIDY: :[[@LINE-25]]:26: note: 'BatchNorm1d' member 'bn' behaves differently in training mode
  const torch::Tensor Second = net->forward(X);
  // TIDY: :[[@LINE-1]]:37: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
  // TIDY: :[[@LINE-28]]:26: note: 'BatchNorm1d' member 'bn' behaves differently in training mode
  std::cout << "outputs: "
            << (torch::equal(First, Second) ? "identical" : "differ") << "\n";
  std::cout << "running mean: "
            << (torch::equal(MeanBefore, net->bn->running_mean) ? "unchanged"
                                                                : "changed")
            << "\n";
  // BUGGY: outputs: differ
  // BUGGY-NEXT: running mean: changed
  // FIXED: outputs: identical
  // FIXED-NEXT: running mean: unchanged
  // CLEAN-NOT: warning
  return 0;
}
