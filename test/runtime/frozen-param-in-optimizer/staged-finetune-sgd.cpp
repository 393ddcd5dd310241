// SPDX-License-Identifier: Apache-2.0
// Runtime case: staged fine-tuning freezes the backbone, then builds an SGD with momentum and weight decay from all parameters.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-frozen-param-in-optimizer --fix-notes %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not=warning:
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "freeze_probe.h"

#include <torch/torch.h>

#include <iostream>

namespace {
struct NetImpl : torch::nn::Module {
  NetImpl()
      : Backbone(register_module("Backbone", torch::nn::Linear(4, 8))),
        Head(register_module("Head", torch::nn::Linear(8, 1))) {}
  torch::Tensor forward(const torch::Tensor &X) { return Head(torch::tanh(Backbone(X))); }
  torch::nn::Linear Backbone;
  torch::nn::Linear Head;
};
TORCH_MODULE(Net);

void fit(Net &Model, torch::optim::Optimizer &Opt, const torch::Tensor &X, const torch::Tensor &Y) {
  for (int Step = 0; Step < 20; ++Step) {
    Opt.zero_grad();
    torch::mse_loss(Model(X), Y).backward();
    Opt.step();
  }
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto X = torch::randn({32, 4});
  const auto Y = X.sum(1, /*keepdim=*/true).sin();
  Net Model;

  // Stage 1: train the whole network; every parameter now has a gradient.
  {
    torch::optim::SGD Pretrain(Model->parameters(), torch::optim::SGDOptions(0.05));
    fit(Model, Pretrain, X, Y);
  }

  // Stage 2: freeze the backbone and fine-tune the head.
  for (auto &P : Model->Backbone->parameters())
    P.requires_grad_(false);
  FreezeProbe Probe(Model->Backbone->parameters());
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(0.01));
  // TIDY: staged-finetune-sgd.cpp.tmp.cpp:[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model' [torch-frozen-param-in-optimizer]
  // TIDY: staged-finetune-sgd.cpp.tmp.cpp:[[@LINE-4]]:7: note: parameters of 'Backbone' are frozen here
  // TIDY: staged-finetune-sgd.cpp.tmp.cpp:[[@LINE-3]]:21: note: pass only the parameters of 'Head', the submodule of 'Model' that stays trainable
  // FIXSRC: torch::optim::SGD Opt(Model->Head->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(0.01));
  fit(Model, Opt, X, Y);

  std::cout << "optimizer holds " << heldTensors(Opt) << " tensors, " << trainable(Model->parameters())
            << " trainable\n";
  std::cout << "frozen backbone: " << Probe.verdict() << "\n";
  // BUGGY:      optimizer holds 4 tensors, 2 trainable
  // BUGGY-NEXT: frozen backbone: drifted
  // FIXED:      optimizer holds 2 tensors, 2 trainable
  // FIXED-NEXT: frozen backbone: bit-identical
}
