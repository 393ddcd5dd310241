// SPDX-License-Identifier: Apache-2.0
// Runtime case: a temporary torch::NoGradGuard() is destroyed at once and guards no inference.
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
torch::nn::Sequential makeModel() {
  torch::manual_seed(1);
  return torch::nn::Sequential(torch::nn::Linear(5, 12), torch::nn::ReLU(),
                               torch::nn::Dropout(0.3),
                               torch::nn::Linear(12, 2));
}

torch::Tensor reference(torch::nn::Sequential &Model, const torch::Tensor &X) {
  torch::NoGradGuard NoGrad;
  Model->eval();
  return Model->forward(X).softmax(1);
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({10, 5});
  // FIXSRC:      torch::nn::Sequential Model = makeModel();
  // FIXSRC-NEXT: Model->eval();
  // FIXSRC-NEXT: torch::NoGradGuard no_grad;
  // FIXSRC-NEXT: const torch::Tensor Probabilities = Model->forward(X).softmax(1);
  torch::nn::Sequential Model = makeModel();
  Model->eval();
  torch::NoGradGuard();
  const torch::Tensor Probabilities = Model->forward(X).softmax(1);
  // TIDY: temporary-guard.cpp.tmp.cpp:[[@LINE-2]]:3: warning: temporary 'NoGradGuard' is destroyed at the end of the statement and guards nothing [torch-eval-without-no-grad]
  // TIDY: temporary-guard.cpp.tmp.cpp:[[@LINE-2]]:46: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
  // TIDY: temporary-guard.cpp.tmp.cpp:[[@LINE-5]]:10: note: module put in evaluation mode here

  reportOutputs(Probabilities, reference(Model, X));
  // BUGGY:      requires_grad: true
  // BUGGY-NEXT: grad_fn: SoftmaxBackward0
  // BUGGY-NEXT: values: identical to the no-grad reference
  // FIXED:      requires_grad: false
  // FIXED-NEXT: grad_fn: none
  // FIXED-NEXT: values: identical to the no-grad reference
}
