// SPDX-License-Identifier: Apache-2.0
// Runtime case: validation in the epoch loop calls 'eval()' and nothing calls
// 'train()' again, so the second epoch trains with dropout off.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-train-mode-not-restored -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <iostream>
#include <vector>

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl()
      : Fc1(register_module("Fc1", torch::nn::Linear(4, 16))),
        Drop(register_module("Drop", torch::nn::Dropout(0.5))),
        Fc2(register_module("Fc2", torch::nn::Linear(16, 1))) {}
  torch::Tensor forward(torch::Tensor X) {
    return Fc2(Drop(torch::relu(Fc1(X))));
  }
  torch::nn::Linear Fc1;
  torch::nn::Dropout Drop;
  torch::nn::Linear Fc2;
};
TORCH_MODULE(Net);

// Trains for three epochs with a validation pass after each; returns whether
// the module was in training mode at the training forward pass of each epoch.
std::vector<bool> fit(Net Model) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.01));
  std::vector<bool> Training;
  for (int Epoch = 0; Epoch < 3; ++Epoch) {
    for (int B = 0; B < 4; ++B) {
      Opt.zero_grad();
      const torch::Tensor X = torch::randn({8, 4});
      if (B == 0)
        Training.push_back(Model->is_training());
      torch::Tensor Loss = torch::mse_loss(Model->forward(X), X.sum(1, true));
      Loss.backward();
      Opt.step();
    }
    Model->eval();
    // TIDY: :[[@LINE-1]]:12: warning: 'Model' is put in evaluation mode here and not back in training mode before the next training forward pass [torch-train-mode-not-restored]
    torch::NoGradGuard NoGrad;
    Model->forward(torch::randn({8, 4}));
  }
  return Training;
}
// FIXSRC:  for (int Epoch = 0; Epoch < 3; ++Epoch) {
// FIXSRC-NEXT:    Model->train();
// FIXSRC-NEXT:    for (int B = 0; B < 4; ++B) {

} // namespace

int main() {
  torch::manual_seed(0);
  const std::vector<bool> Training = fit(Net());
  for (std::size_t Epoch = 0; Epoch < Training.size(); ++Epoch)
    std::cout << "epoch " << Epoch + 1 << " trains in "
              << (Training[Epoch] ? "training" : "evaluation") << " mode\n";
  return 0;
}
// BUGGY: epoch 1 trains in training mode
// BUGGY-NEXT: epoch 2 trains in evaluation mode
// BUGGY-NEXT: epoch 3 trains in evaluation mode
// FIXED: epoch 1 trains in training mode
// FIXED-NEXT: epoch 2 trains in training mode
// FIXED-NEXT: epoch 3 trains in training mode
