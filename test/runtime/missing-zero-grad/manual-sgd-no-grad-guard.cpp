// SPDX-License-Identifier: Apache-2.0
// Runtime case: an in-place SGD update under NoGradGuard in a while loop keeps summing stale gradients.
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
#include <memory>

namespace {
constexpr int MaxSteps = 8;
constexpr double LearningRate = 0.2;

// Logistic regression on two features.
struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl() : Fc(register_module("fc", torch::nn::Linear(2, 1))) {}
  torch::Tensor forward(const torch::Tensor &X) { return Fc->forward(X); }
  torch::nn::Linear Fc;
};

std::shared_ptr<ClassifierImpl> makeModel() {
  torch::manual_seed(1);
  return std::make_shared<ClassifierImpl>();
}

// The same training with gradients cleared at the top of every step.
std::vector<torch::Tensor> trainReference(const torch::Tensor &X,
                                          const torch::Tensor &Y) {
  auto Model = makeModel();
  int RefStep = 0;
  while (RefStep < MaxSteps) {
    Model->zero_grad();
    auto Loss = torch::binary_cross_entropy_with_logits(Model->forward(X), Y);
    Loss.backward();
    torch::NoGradGuard NoGrad;
    for (auto &P : Model->parameters())
      P.sub_(LearningRate * P.grad());
    ++RefStep;
  }
  return Model->parameters();
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({24, 2});
  const auto Y = (X.select(1, 0) - 0.5 * X.select(1, 1) > 0)
                     .to(torch::kFloat)
                     .unsqueeze(1);
  auto Model = makeModel();
  GradProbe Probe;

  int Step = 0;
  // FIXSRC:      while (Step < MaxSteps) {
  // FIXSRC-NEXT:   Model->zero_grad();
  // FIXSRC-NEXT:   auto Loss = torch::binary_cross_entropy_with_logits(Model->forward(X), Y);
  while (Step < MaxSteps) {
    auto Loss = torch::binary_cross_entropy_with_logits(Model->forward(X), Y);
    Probe.expect(Loss, Model->parameters());
    Loss.backward();
    // TIDY: manual-sgd-no-grad-guard.cpp.tmp.cpp:[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Probe.observe(Model->parameters());
    {
      torch::NoGradGuard NoGrad;
      for (auto &P : Model->parameters())
        P.sub_(LearningRate * P.grad());
      // TIDY: manual-sgd-no-grad-guard.cpp.tmp.cpp:[[@LINE-1]]:11: note: the summed gradients are consumed by this parameter update
    }
    ++Step;
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
