// SPDX-License-Identifier: Apache-2.0
// Runtime case: an evaluation loop after eval() records an autograd graph for every batch.
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

#include <vector>

namespace {
constexpr int NumBatches = 4;
constexpr int BatchSize = 8;

struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl()
      : Hidden(register_module("hidden", torch::nn::Linear(4, 16))),
        Drop(register_module("drop", torch::nn::Dropout(0.5))),
        Out(register_module("out", torch::nn::Linear(16, 3))) {}
  torch::Tensor forward(const torch::Tensor &X) {
    return Out(Drop(torch::relu(Hidden(X))));
  }
  torch::nn::Linear Hidden;
  torch::nn::Dropout Drop;
  torch::nn::Linear Out;
};
TORCH_MODULE(Classifier);

// The same evaluation with autograd off.
torch::Tensor reference(Classifier &Model, const torch::Tensor &Data) {
  torch::NoGradGuard NoGrad;
  Model->eval();
  torch::Tensor Logits = Model->forward(Data);
  Model->train();
  return Logits;
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto Data = torch::randn({NumBatches * BatchSize, 4});
  const auto Labels =
      torch::randint(0, 3, {NumBatches * BatchSize}, torch::kLong);
  Classifier Model;
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));

  // One training step, then evaluation, then back to training.
  Opt.zero_grad();
  torch::cross_entropy_loss(Model->forward(Data), Labels).backward();
  Opt.step();

  Model->eval();
  std::vector<torch::Tensor> Outputs;
  // FIXSRC:      for (int B = 0; B < NumBatches; ++B) {
  // FIXSRC-NEXT:   torch::NoGradGuard no_grad;
  // FIXSRC-NEXT:   auto Logits = Model->forward(Data.narrow(0, B * BatchSize, BatchSize));
  for (int B = 0; B < NumBatches; ++B) {
    auto Logits = Model->forward(Data.narrow(0, B * BatchSize, BatchSize));
    // TIDY: evaluation-loop.cpp.tmp.cpp:[[@LINE-1]]:26: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
    // TIDY: evaluation-loop.cpp.tmp.cpp:[[@LINE-8]]:10: note: module put in evaluation mode here
    Outputs.push_back(Logits);
  }
  Model->train();

  reportOutputs(Outputs.front(),
                reference(Model, Data.narrow(0, 0, BatchSize)));
  // BUGGY:      requires_grad: true
  // BUGGY-NEXT: grad_fn: AddmmBackward0
  // BUGGY-NEXT: values: identical to the no-grad reference
  // FIXED:      requires_grad: false
  // FIXED-NEXT: grad_fn: none
  // FIXED-NEXT: values: identical to the no-grad reference
}
