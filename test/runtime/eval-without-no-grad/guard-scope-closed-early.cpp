// SPDX-License-Identifier: Apache-2.0
// Runtime case: an evaluation function whose NoGradGuard scope closes before the forward pass.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-eval-without-no-grad -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "autograd_report.h"

#include <torch/torch.h>

namespace {
struct RegressorImpl : torch::nn::Module {
  RegressorImpl()
      : Fc1(register_module("fc1", torch::nn::Linear(3, 8))),
        Norm(register_module("norm", torch::nn::BatchNorm1d(8))),
        Fc2(register_module("fc2", torch::nn::Linear(8, 1))) {}
  torch::Tensor forward(const torch::Tensor &X) {
    return Fc2(torch::tanh(Norm(Fc1(X))));
  }
  torch::nn::Linear Fc1;
  torch::nn::BatchNorm1d Norm;
  torch::nn::Linear Fc2;
};
TORCH_MODULE(Regressor);

// Clips the weights, then predicts. The guard was meant for the whole
// function but its braces end right after the clipping.
// FIXSRC:      torch::Tensor predict(Regressor &Model, const torch::Tensor &X) {
// FIXSRC-NEXT:   Model->eval();
// FIXSRC-NEXT:   torch::NoGradGuard no_grad_guard;
// FIXSRC-NEXT:   {
// FIXSRC-NEXT:     torch::NoGradGuard no_grad;
torch::Tensor predict(Regressor &Model, const torch::Tensor &X) {
  Model->eval();
  {
    torch::NoGradGuard no_grad;
    for (auto &P : Model->parameters())
      P.clamp_(-1.0, 1.0);
  }
  return Model->forward(X);
  // TIDY: guard-scope-closed-early.cpp.tmp.cpp:[[@LINE-1]]:17: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
  // TIDY: guard-scope-closed-early.cpp.tmp.cpp:[[@LINE-8]]:10: note: module put in evaluation mode here
}

torch::Tensor reference(Regressor &Model, const torch::Tensor &X) {
  torch::NoGradGuard NoGrad;
  Model->eval();
  return Model->forward(X);
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({6, 3});
  Regressor Model;
  // Running statistics for the batch norm, as training would leave them.
  Model->forward(torch::randn({32, 3}));

  const torch::Tensor Prediction = predict(Model, X);
  reportOutputs(Prediction, reference(Model, X));
  // BUGGY:      requires_grad: true
  // BUGGY-NEXT: grad_fn: AddmmBackward0
  // BUGGY-NEXT: values: identical to the no-grad reference
  // FIXED:      requires_grad: false
  // FIXED-NEXT: grad_fn: none
  // FIXED-NEXT: values: identical to the no-grad reference
}
