// SPDX-License-Identifier: Apache-2.0
// Runtime case: a diffusion-style sample() method feeds each step's output to the next forward pass
// and returns the sample; without a guard the graph of every step is kept alive by the result.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-eval-without-no-grad -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "autograd_report.h"

#include <torch/torch.h>

#include <iostream>

namespace {
struct DenoiserImpl : torch::nn::Module {
  DenoiserImpl() : Net(register_module("net", torch::nn::Linear(4, 4))) {}
  torch::Tensor forward(const torch::Tensor &X) { return Net(X); }

  // FIXSRC:      torch::Tensor sample(const torch::Tensor &Noise, int Steps) {
  // FIXSRC-NEXT:   torch::NoGradGuard no_grad;
  // FIXSRC-NEXT:   torch::Tensor Z = Noise;
  torch::Tensor sample(const torch::Tensor &Noise, int Steps) {
    torch::Tensor Z = Noise;
    for (int I = 0; I < Steps; ++I)
      Z = Z - 0.1 * forward(Z);
    // TIDY: sampling-loop.cpp.tmp.cpp:[[@LINE-1]]:21: warning: forward pass in evaluation function 'sample' still records an autograd graph [torch-eval-without-no-grad]
    // TIDY: sampling-loop.cpp.tmp.cpp:[[@LINE-5]]:17: note: 'sample' is an evaluation function by its name
    return Z;
  }

  torch::Tensor reference(const torch::Tensor &Noise, int Steps) {
    torch::NoGradGuard NoGrad;
    torch::Tensor Z = Noise;
    for (int I = 0; I < Steps; ++I)
      Z = Z - 0.1 * forward(Z);
    return Z;
  }

  torch::nn::Linear Net;
};
TORCH_MODULE(Denoiser);

// The number of backward nodes that the tensor's history holds.
int historyLength(const torch::Tensor &T) {
  int Length = 0;
  for (auto Node = T.grad_fn(); Node && Length < 1000; ++Length) {
    std::shared_ptr<torch::autograd::Node> Next;
    for (const auto &Edge : Node->next_edges())
      if (Edge.function && Edge.function->name() == "SubBackward0")
        Next = Edge.function;
    Node = Next;
  }
  return Length;
}
} // namespace

int main() {
  torch::manual_seed(0);
  Denoiser Model;
  const auto Noise = torch::randn({2, 4});
  const torch::Tensor Sample = Model->sample(Noise, 50);
  reportOutputs(Sample, Model->reference(Noise, 50));
  std::cout << "steps kept in the graph: "
            << (historyLength(Sample) >= 50 ? "all" : "none") << "\n";
  // BUGGY:      requires_grad: true
  // BUGGY-NEXT: grad_fn: SubBackward0
  // BUGGY-NEXT: values: identical to the no-grad reference
  // BUGGY-NEXT: steps kept in the graph: all
  // FIXED:      requires_grad: false
  // FIXED-NEXT: grad_fn: none
  // FIXED-NEXT: values: identical to the no-grad reference
  // FIXED-NEXT: steps kept in the graph: none
}
