// SPDX-License-Identifier: Apache-2.0
// Runtime case: parameters frozen by name prefix through named_parameters(), then an AdamW with weight decay over all named_parameters() values.
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
struct AutoencoderImpl : torch::nn::Module {
  AutoencoderImpl()
      : Encoder(register_module("Encoder", torch::nn::Linear(6, 3))),
        Decoder(register_module("Decoder", torch::nn::Linear(3, 6))) {}
  torch::Tensor forward(const torch::Tensor &X) { return Decoder(torch::relu(Encoder(X))); }
  torch::nn::Linear Encoder;
  torch::nn::Linear Decoder;
};
TORCH_MODULE(Autoencoder);

void fit(Autoencoder &Model, torch::optim::Optimizer &Opt, const torch::Tensor &X) {
  for (int Step = 0; Step < 20; ++Step) {
    Opt.zero_grad();
    torch::mse_loss(Model(X), X).backward();
    Opt.step();
  }
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto Source = torch::randn({32, 6});
  const auto Target = torch::randn({32, 6}) * 0.5 + 1.0;
  Autoencoder Model;

  // Stage 1: train the autoencoder on the source data.
  {
    torch::optim::Adam Pretrain(Model->parameters(), torch::optim::AdamOptions(1e-2));
    fit(Model, Pretrain, Source);
  }

  // Stage 2: keep the encoder, adapt the decoder to the target data.
  for (auto &Item : Model->named_parameters())
    if (Item.key().rfind("Encoder.", 0) == 0)
      Item.value().requires_grad_(false);
  FreezeProbe Probe(Model->Encoder->parameters());
  std::vector<torch::Tensor> Params;
  for (auto &Item : Model->named_parameters())
    Params.push_back(Item.value());
  auto Opt = std::make_shared<torch::optim::AdamW>(Params, torch::optim::AdamWOptions(1e-2).weight_decay(0.1));
  // TIDY: named-prefix-adamw.cpp.tmp.cpp:[[@LINE-1]]:19: warning: optimizer receives frozen parameters of 'Model' [torch-frozen-param-in-optimizer]
  // TIDY: named-prefix-adamw.cpp.tmp.cpp:[[@LINE-7]]:20: note: some parameters of 'Model' are frozen here
  // TIDY: named-prefix-adamw.cpp.tmp.cpp:[[@LINE-3]]:19: note: build the optimizer from the parameters that stay trainable
  fit(Model, *Opt, Target);

  std::cout << "optimizer holds " << heldTensors(*Opt) << " tensors, " << trainable(Model->parameters())
            << " trainable\n";
  std::cout << "frozen encoder: " << Probe.verdict() << "\n";
  // BUGGY:      optimizer holds 4 tensors, 2 trainable
  // BUGGY-NEXT: frozen encoder: drifted
}
