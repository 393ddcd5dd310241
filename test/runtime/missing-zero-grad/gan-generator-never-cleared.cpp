// SPDX-License-Identifier: Apache-2.0
// Runtime case: a GAN clears the discriminator with `disc->zero_grad()` at the top of every step,
// which leaves the generator's gradients summing up across steps: its optimizer is never cleared.
// Both backward() calls are reported (the check does not tell that the discriminator's loss sees
// the generator only through `Fake.detach()`); the one fix clears the generator's optimizer.
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
  torch::Tensor Real, Noise;
};

// One fixed batch of real samples and of generator inputs, fed at every step.
Batch makeBatch() {
  torch::manual_seed(0);
  return {torch::randn({16, 2}) * 0.5 + 2.0, torch::randn({16, 2})};
}

struct Gan {
  torch::nn::Linear Gen{2, 2};
  torch::nn::Linear Disc{2, 1};
};

Gan makeGan() {
  torch::manual_seed(1);
  return {};
}

// The same training with both optimizers cleared at the top of every step.
std::vector<torch::Tensor> trainReference(const Batch &Data) {
  Gan Net = makeGan();
  torch::optim::SGD GenOpt(Net.Gen->parameters(), torch::optim::SGDOptions(LearningRate));
  torch::optim::SGD DiscOpt(Net.Disc->parameters(), torch::optim::SGDOptions(LearningRate));
  for (int RefStep = 0; RefStep < NumSteps; ++RefStep) {
    GenOpt.zero_grad();
    DiscOpt.zero_grad();
    auto Fake = Net.Gen->forward(Data.Noise);
    auto DLoss = torch::softplus(-Net.Disc->forward(Data.Real)).mean() +
                 torch::softplus(Net.Disc->forward(Fake.detach())).mean();
    DLoss.backward();
    DiscOpt.step();
    auto GLoss = torch::softplus(-Net.Disc->forward(Fake)).mean();
    GLoss.backward();
    GenOpt.step();
  }
  return Net.Gen->parameters();
}
} // namespace

int main() {
  Batch Data = makeBatch();
  Gan Net = makeGan();
  torch::optim::SGD GenOpt(Net.Gen->parameters(), torch::optim::SGDOptions(LearningRate));
  torch::optim::SGD DiscOpt(Net.Disc->parameters(), torch::optim::SGDOptions(LearningRate));
  GradProbe Probe;

  // FIXSRC:      for (int Step = 0; Step < NumSteps; ++Step) {
  // FIXSRC-NEXT:   GenOpt.zero_grad();
  // FIXSRC-NEXT:   Net.Disc->zero_grad();
  for (int Step = 0; Step < NumSteps; ++Step) {
    Net.Disc->zero_grad();
    auto Fake = Net.Gen->forward(Data.Noise);
    auto DLoss = torch::softplus(-Net.Disc->forward(Data.Real)).mean() +
                 torch::softplus(Net.Disc->forward(Fake.detach())).mean();
    DLoss.backward();
    DiscOpt.step();
    auto GLoss = torch::softplus(-Net.Disc->forward(Fake)).mean();
    Probe.expect(GLoss, Net.Gen->parameters());
    GLoss.backward();
    Probe.observe(Net.Gen->parameters());
    GenOpt.step();
    // TIDY: gan-generator-never-cleared.cpp.tmp.cpp:[[@LINE-7]]:11: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    // TIDY: gan-generator-never-cleared.cpp.tmp.cpp:[[@LINE-2]]:12: note: the summed gradients are consumed by this 'step()'
    // TIDY: gan-generator-never-cleared.cpp.tmp.cpp:[[@LINE-5]]:11: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    // TIDY: gan-generator-never-cleared.cpp.tmp.cpp:[[@LINE-4]]:12: note: the summed gradients are consumed by this 'step()'
  }

  std::cout << "generator grads: " << Probe.verdict() << "\n";
  std::cout << "trajectory: "
            << compareTrajectory(Net.Gen->parameters(), trainReference(Data)) << "\n";
  // BUGGY:      generator grads: accumulating
  // BUGGY-NEXT: trajectory: diverges from reference
  // FIXED:      generator grads: fresh
  // FIXED-NEXT: trajectory: matches reference
}
