// SPDX-License-Identifier: Apache-2.0
// Runtime case: an SGD optimizer held by value is stepped in a loop that never clears gradients.
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
constexpr int NumSteps = 5;
constexpr double LearningRate = 0.05;

struct Batch {
  torch::Tensor X, Y;
};

// One fixed batch of a noiseless linear target, fed at every step.
Batch makeBatch() {
  torch::manual_seed(0);
  auto X = torch::randn({16, 3});
  auto Y = X.matmul(torch::tensor({1.5f, -2.0f, 0.5f}).view({3, 1})) + 0.3f;
  return {X, Y};
}

// The same training with gradients cleared at the top of every step.
std::vector<torch::Tensor> trainReference(const Batch &Data) {
  torch::manual_seed(1);
  torch::nn::Linear Model(3, 1);
  torch::optim::SGD Opt(Model->parameters(),
                        torch::optim::SGDOptions(LearningRate));
  for (int RefStep = 0; RefStep < NumSteps; ++RefStep) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model->forward(Data.X), Data.Y);
    Loss.backward();
    Opt.step();
  }
  return Model->parameters();
}
} // namespace

int main() {
  Batch Data = makeBatch();
  torch::manual_seed(1);
  torch::nn::Linear Model(3, 1);
  torch::optim::SGD Opt(Model->parameters(),
                        torch::optim::SGDOptions(LearningRate));
  GradProbe Probe;

  // FIXSRC:      for (int Step = 0; Step < NumSteps; ++Step) {
  // FIXSRC-NEXT:   Opt.zero_grad();
  // FIXSRC-NEXT:   auto Loss = torch::mse_loss(Model->forward(Data.X), Data.Y);
  for (int Step = 0; Step < NumSteps; ++Step) {
    auto Loss = torch::mse_loss(Model->forward(Data.X), Data.Y);
    Probe.expect(Loss, Model->parameters());
    Loss.backward();
    // TIDY: sgd-by-value.cpp.tmp.cpp:[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Probe.observe(Model->parameters());
    Opt.step();
    // TIDY: sgd-by-value.cpp.tmp.cpp:[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }

  std::cout << "grads: " << Probe.verdict() << "\n";
  std::cout << "trajectory: "
            << compareTrajectory(Model->parameters(), trainReference(Data))
            << "\n";
  // BUGGY:      grads: accumulating
  // BUGGY-NEXT: trajectory: diverges from reference
  // FIXED:      grads: fresh
  // FIXED-NEXT: trajectory: matches reference
}
