// SPDX-License-Identifier: Apache-2.0
// Runtime case: zero_grad() between backward() and step() leaves the optimizer only zero gradients; warned, not fixed.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-missing-zero-grad -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: diff %s %t.cpp

#include "grad_probe.h"

#include <torch/torch.h>

#include <iostream>
#include <memory>

namespace {
constexpr int NumSteps = 5;
constexpr double LearningRate = 0.05;

torch::nn::Linear makeModel() {
  torch::manual_seed(1);
  return torch::nn::Linear(3, 1);
}

// The same training with gradients cleared at the top of every step.
std::vector<torch::Tensor> trainReference(const torch::Tensor &X,
                                          const torch::Tensor &Y) {
  auto Model = makeModel();
  auto Opt = std::make_unique<torch::optim::SGD>(
      Model->parameters(), torch::optim::SGDOptions(LearningRate));
  for (int RefStep = 0; RefStep < NumSteps; ++RefStep) {
    Opt->zero_grad();
    auto Loss = torch::mse_loss(Model->forward(X), Y);
    Loss.backward();
    Opt->step();
  }
  return Model->parameters();
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({16, 3});
  const auto Y =
      X.matmul(torch::tensor({1.5f, -2.0f, 0.5f}).view({3, 1})) + 0.3f;
  auto Model = makeModel();
  std::vector<torch::Tensor> Initial;
  for (const auto &P : Model->parameters())
    Initial.push_back(P.detach().clone());
  auto Opt = std::make_unique<torch::optim::SGD>(
      Model->parameters(), torch::optim::SGDOptions(LearningRate));

  for (int Step = 0; Step < NumSteps; ++Step) {
    auto Loss = torch::mse_loss(Model->forward(X), Y);
    Loss.backward();
    Opt->zero_grad();
    // TIDY: zero-grad-before-step.cpp.tmp.cpp:[[@LINE-1]]:10: warning: 'zero_grad()' clears the gradients from 'backward()' before 'step()' uses them [torch-missing-zero-grad]
    Opt->step();
    // TIDY: zero-grad-before-step.cpp.tmp.cpp:[[@LINE-1]]:10: note: 'step()' sees zero gradients here
  }

  std::cout << "params: "
            << (sameParams(Model->parameters(), Initial)
                    ? "frozen at initialization"
                    : "trained")
            << "\n";
  std::cout << "trajectory: "
            << compareTrajectory(Model->parameters(), trainReference(X, Y))
            << "\n";
  // BUGGY:      params: frozen at initialization
  // BUGGY-NEXT: trajectory: diverges from reference
}
