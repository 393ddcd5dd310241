// SPDX-License-Identifier: Apache-2.0
// Runtime case: a hand-written SGD update through .data() never clears the gradients it reads.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-missing-zero-grad -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "grad_probe.h"

#include <torch/torch.h>

#include <iostream>

namespace {
constexpr int NumSteps = 6;
constexpr double LearningRate = 0.1;

struct RegressorImpl : torch::nn::Module {
  RegressorImpl()
      : Hidden(register_module("hidden", torch::nn::Linear(4, 6))),
        Out(register_module("out", torch::nn::Linear(6, 1))) {}
  torch::Tensor forward(const torch::Tensor &X) {
    return Out->forward(torch::relu(Hidden->forward(X)));
  }
  torch::nn::Linear Hidden, Out;
};
TORCH_MODULE(Regressor);

Regressor makeModel() {
  torch::manual_seed(1);
  return Regressor();
}

// The same training with gradients cleared at the top of every step.
std::vector<torch::Tensor> trainReference(const torch::Tensor &X,
                                          const torch::Tensor &Y) {
  Regressor Model = makeModel();
  for (int RefStep = 0; RefStep < NumSteps; ++RefStep) {
    Model->zero_grad();
    auto Loss = torch::mse_loss(Model->forward(X), Y);
    Loss.backward();
    for (auto &P : Model->parameters())
      P.data().sub_(LearningRate * P.grad());
  }
  return Model->parameters();
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({32, 4});
  const auto Y = torch::sin(X.sum(1, /*keepdim=*/true));
  Regressor Model = makeModel();
  GradProbe Probe;

  // FIXSRC:      for (int Step = 0; Step < NumSteps; ++Step) {
  // FIXSRC-NEXT:   Model->zero_grad();
  // FIXSRC-NEXT:   auto Loss = torch::mse_loss(Model->forward(X), Y);
  for (int Step = 0; Step < NumSteps; ++Step) {
    auto Loss = torch::mse_loss(Model->forward(X), Y);
    Probe.expect(Loss, Model->parameters());
    Loss.backward();
    // TIDY: manual-sgd-data.cpp.tmp.cpp:[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Probe.observe(Model->parameters());
    for (auto &P : Model->parameters())
      P.data().sub_(LearningRate * P.grad());
    // TIDY: manual-sgd-data.cpp.tmp.cpp:[[@LINE-1]]:16: note: the summed gradients are consumed by this parameter update
  }

  std::cout << "grads: " << Probe.verdict() << "\n";
  std::cout << "trajectory: "
            << compareTrajectory(Model->parameters(), trainReference(X, Y))
            << "\n";
  // BUGGY:      grads: accumulating
  // BUGGY-NEXT: trajectory: diverges from reference
  // FIXED:      grads: fresh
  // FIXED-NEXT: trajectory: matches reference
}
