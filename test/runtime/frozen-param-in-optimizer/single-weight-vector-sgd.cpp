// SPDX-License-Identifier: Apache-2.0
// Runtime case: one pretrained weight frozen after its module's parameter list was taken, then a unique_ptr SGD built from that list.
// The trainable parameters are no single submodule, so the warning has no fix: the file is unchanged.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-frozen-param-in-optimizer --fix-notes %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not=warning:
// RUN: diff %s %t.cpp

#include "freeze_probe.h"

#include <torch/torch.h>

#include <iostream>
#include <memory>
#include <vector>

namespace {
struct TaggerImpl : torch::nn::Module {
  TaggerImpl()
      : Embed(register_module("Embed", torch::nn::Linear(5, 8))),
        Out(register_module("Out", torch::nn::Linear(8, 3))) {}
  torch::Tensor forward(const torch::Tensor &X) { return Out(torch::tanh(Embed(X))); }
  torch::nn::Linear Embed;
  torch::nn::Linear Out;
};
TORCH_MODULE(Tagger);

void fit(Tagger &Model, torch::optim::Optimizer &Opt, const torch::Tensor &X, const torch::Tensor &Y) {
  for (int Step = 0; Step < 20; ++Step) {
    Opt.zero_grad();
    torch::nn::functional::cross_entropy(Model(X), Y).backward();
    Opt.step();
  }
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({24, 5});
  const auto Y = torch::randint(0, 3, {24});
  Tagger Model;

  // Stage 1: train everything.
  {
    torch::optim::SGD Pretrain(Model->parameters(), torch::optim::SGDOptions(0.1));
    fit(Model, Pretrain, X, Y);
  }

  // Stage 2: keep the embedding matrix fixed, train its bias and the output layer.
  auto Params = Model->parameters();
  Model->Embed->weight.requires_grad_(false);
  FreezeProbe Probe({Model->Embed->weight});
  auto Opt = std::make_unique<torch::optim::SGD>(Params, torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-3));
  // TIDY: single-weight-vector-sgd.cpp.tmp.cpp:[[@LINE-1]]:19: warning: optimizer receives frozen parameters of 'Model' [torch-frozen-param-in-optimizer]
  // TIDY: single-weight-vector-sgd.cpp.tmp.cpp:[[@LINE-4]]:24: note: parameter 'weight' is frozen here
  // TIDY: single-weight-vector-sgd.cpp.tmp.cpp:[[@LINE-3]]:19: note: build the optimizer from the parameters that stay trainable
  fit(Model, *Opt, X, Y);

  std::cout << "optimizer holds " << heldTensors(*Opt) << " tensors, " << trainable(Model->parameters())
            << " trainable\n";
  std::cout << "frozen embedding: " << Probe.verdict() << "\n";
  // BUGGY:      optimizer holds 4 tensors, 3 trainable
  // BUGGY-NEXT: frozen embedding: drifted
}
