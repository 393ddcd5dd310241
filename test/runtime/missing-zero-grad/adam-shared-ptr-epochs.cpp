// SPDX-License-Identifier: Apache-2.0
// Runtime case: a shared_ptr-held Adam optimizer steps over mini-batches in an epoch loop without clearing gradients.
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
#include <vector>

namespace {
constexpr int NumEpochs = 3;
constexpr int NumBatches = 4;
constexpr int BatchSize = 8;

struct Batch {
  torch::Tensor X, Y;
};

// A small binary classification set: the label is whether x0 + x1 > 0.
std::vector<Batch> makeBatches() {
  torch::manual_seed(0);
  std::vector<Batch> Batches;
  for (int I = 0; I < NumBatches; ++I) {
    auto X = torch::randn({BatchSize, 2});
    auto Y = (X.sum(1, /*keepdim=*/true) > 0).to(torch::kFloat);
    Batches.push_back({X, Y});
  }
  return Batches;
}

torch::nn::Sequential makeModel() {
  torch::manual_seed(1);
  return torch::nn::Sequential(torch::nn::Linear(2, 8), torch::nn::Tanh(),
                               torch::nn::Linear(8, 1));
}

// The same training with gradients cleared before every mini-batch.
std::vector<torch::Tensor> trainReference(const std::vector<Batch> &Batches) {
  auto Model = makeModel();
  auto Opt = std::make_shared<torch::optim::Adam>(
      Model->parameters(), torch::optim::AdamOptions(1e-2));
  for (int RefEpoch = 0; RefEpoch < NumEpochs; ++RefEpoch) {
    for (const Batch &B : Batches) {
      Opt->zero_grad();
      auto Loss =
          torch::binary_cross_entropy_with_logits(Model->forward(B.X), B.Y);
      Loss.backward();
      Opt->step();
    }
  }
  return Model->parameters();
}
} // namespace

int main() {
  const std::vector<Batch> Batches = makeBatches();
  auto Model = makeModel();
  auto Opt = std::make_shared<torch::optim::Adam>(
      Model->parameters(), torch::optim::AdamOptions(1e-2));
  GradProbe Probe;

  for (int Epoch = 0; Epoch < NumEpochs; ++Epoch) {
    // FIXSRC:      for (const Batch &Current : Batches) {
    // FIXSRC-NEXT:   Opt->zero_grad();
    // FIXSRC-NEXT:   auto Logits = Model->forward(Current.X);
    for (const Batch &Current : Batches) {
      auto Logits = Model->forward(Current.X);
      auto Loss = torch::binary_cross_entropy_with_logits(Logits, Current.Y);
      Probe.expect(Loss, Model->parameters());
      Loss.backward();
      // TIDY: adam-shared-ptr-epochs.cpp.tmp.cpp:[[@LINE-1]]:12: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
      Probe.observe(Model->parameters());
      Opt->step();
      // TIDY: adam-shared-ptr-epochs.cpp.tmp.cpp:[[@LINE-1]]:12: note: the summed gradients are consumed by this 'step()'
    }
  }

  std::cout << "grads: " << Probe.verdict() << "\n";
  std::cout << "trajectory: "
            << compareTrajectory(Model->parameters(), trainReference(Batches))
            << "\n";
  // BUGGY:      grads: accumulating
  // BUGGY-NEXT: trajectory: diverges from reference
  // FIXED:      grads: fresh
  // FIXED-NEXT: trajectory: matches reference
}
