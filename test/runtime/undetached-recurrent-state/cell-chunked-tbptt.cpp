// SPDX-License-Identifier: Apache-2.0
// Runtime case: truncated BPTT over an LSTMCell with backward() every 6 steps and no detach(); the second chunk throws.
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
#include <tuple>

namespace {
constexpr int SeqLen = 24;
constexpr int ChunkLen = 6;
constexpr int64_t Hidden = 5;
} // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::LSTMCell Cell(2, Hidden);
  torch::nn::Linear Head(Hidden, 1);
  auto Params = Cell->parameters();
  for (const auto &P : Head->parameters())
    Params.push_back(P);
  torch::optim::SGD Opt(Params, torch::optim::SGDOptions(0.05));
  const auto Seq = torch::randn({SeqLen, 1, 2});
  const auto Target = torch::randn({SeqLen, 1, 1});

  torch::Tensor H = torch::zeros({1, Hidden});
  torch::Tensor C = torch::zeros({1, Hidden});
  torch::Tensor Loss = torch::zeros({});
  // The size of the state's graph after the first and the last step of
  // each chunk: how much history backpropagation goes through.
  std::vector<size_t> Starts, Ends;
  int Chunks = 0;
  try {
    // The warning's source excerpt runs to the fix-it: its check goes here.
    // TIDY: cell-chunked-tbptt.cpp.tmp.cpp:[[@LINE+6]]:24: warning: recurrent state 'C' is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
    // TIDY: cell-chunked-tbptt.cpp.tmp.cpp:[[@LINE+5]]:24: warning: recurrent state 'H' is carried
    // FIXSRC:      Loss.backward();
    // FIXSRC-NEXT: H = H.detach();
    // FIXSRC-NEXT: C = C.detach();
    for (int T = 0; T < SeqLen; ++T) {
      std::tie(H, C) = Cell(Seq[T], std::make_tuple(H, C));
      Loss = Loss + torch::mse_loss(Head(H), Target[T]);
      if (T % ChunkLen == 0)
        Starts.push_back(graphSize(H));
      if ((T + 1) % ChunkLen == 0) {
        Ends.push_back(graphSize(H));
        Opt.zero_grad();
        Loss.backward();
        Opt.step();
        Loss = torch::zeros({});
        ++Chunks;
      }
    }
  } catch (const c10::Error &E) {
    std::cout << "chunk " << Chunks + 1 << ": " << describe(E) << "\n";
  }
  bool SpansChunk = !Ends.empty();
  for (size_t I = 0; I < Ends.size(); ++I)
    SpansChunk = SpansChunk && Ends[I] > Starts[I];
  std::cout << "completed " << Chunks << " of " << SeqLen / ChunkLen << " chunks\n";
  std::cout << "state graph at chunk ends: " << trend(Ends) << "\n";
  std::cout << "history within a chunk: " << (SpansChunk ? "every step" : "one step") << "\n";
  // BUGGY:      chunk 2: Trying to backward through the graph a second time
  // BUGGY-NEXT: completed 1 of 4 chunks
  // BUGGY-NEXT: state graph at chunk ends: growing
  // BUGGY-NEXT: history within a chunk: every step
  // FIXED:      completed 4 of 4 chunks
  // FIXED-NEXT: state graph at chunk ends: constant
  // FIXED-NEXT: history within a chunk: every step
  return 0;
}
