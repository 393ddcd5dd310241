// SPDX-License-Identifier: Apache-2.0
// Runtime case: a GRU hidden state carried without detach() behind backward(retain_graph=true); the graph grows every chunk.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-undetached-recurrent-state -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not=warning:
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "graph_probe.h"

#include <torch/torch.h>

#include <iostream>

namespace {
constexpr int NumChunks = 5;
constexpr int64_t Hidden = 6;
} // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::GRU Gru(torch::nn::GRUOptions(3, Hidden));
  torch::optim::Adam Opt(Gru->parameters(), torch::optim::AdamOptions(1e-3));
  // One stream in chunks of 4 steps (sequence-major, batch of 1).
  const auto Stream = torch::randn({NumChunks, 4, 1, 3});

  torch::Tensor H = torch::zeros({1, 1, Hidden});
  std::vector<size_t> Sizes;
  int Completed = 0;
  Opt.zero_grad();
  try {
    // The warning's source excerpt runs to the fix-it: its check goes here.
    // TIDY: gru-hidden-retain-graph.cpp.tmp.cpp:[[@LINE+4]]:31: warning: recurrent state 'H' is carried into this call across 'backward()' without 'detach()'; 'retain_graph=true' hides the error but the autograd graph grows every iteration [torch-undetached-recurrent-state]
    // FIXSRC:      Loss.backward({}, /*retain_graph=*/true);
    // FIXSRC-NEXT: H = H.detach();
    for (int Chunk = 0; Chunk < NumChunks; ++Chunk) {
      auto [Out, Next] = Gru->forward(Stream[Chunk], H);
      H = Next;
      auto Loss = Out.pow(2).mean();
      Sizes.push_back(graphSize(Loss));
      // The gradients of the whole stream are summed, then applied once.
      Loss.backward({}, /*retain_graph=*/true);
      // TIDY: gru-hidden-retain-graph.cpp.tmp.cpp:[[@LINE-1]]:12: note: this 'backward()' keeps the graph that 'H' extends alive
      ++Completed;
    }
  } catch (const c10::Error &E) {
    std::cout << "chunk " << Completed + 1 << ": " << describe(E) << "\n";
  }
  Opt.step();
  std::cout << "completed " << Completed << " of " << NumChunks << " chunks\n";
  std::cout << "graph size: " << trend(Sizes) << "\n";
  // BUGGY:      completed 5 of 5 chunks
  // BUGGY-NEXT: graph size: growing
  // FIXED:      completed 5 of 5 chunks
  // FIXED-NEXT: graph size: constant
  return 0;
}
