// SPDX-License-Identifier: Apache-2.0
// Runtime case: an RNN state reassigned after step() without detach() (the fix goes after the reassignment); the second backward() throws.
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
constexpr int NumBatches = 4;
constexpr int64_t Hidden = 4;
} // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::RNN Rnn(torch::nn::RNNOptions(2, Hidden));
  torch::optim::SGD Opt(Rnn->parameters(), torch::optim::SGDOptions(0.1));
  const auto Stream = torch::randn({NumBatches, 5, 1, 2});

  torch::Tensor State; // undefined: the RNN starts from zeros
  std::vector<size_t> Sizes;
  int Completed = 0;
  try {
    // The warning's source excerpt runs to the fix-it: its check goes here.
    // TIDY: rnn-state-after-step.cpp.tmp.cpp:[[@LINE+4]]:31: warning: recurrent state 'State' is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
    // FIXSRC:      State = Next;
    // FIXSRC-NEXT: State = State.detach();
    for (int Batch = 0; Batch < NumBatches; ++Batch) {
      auto [Out, Next] = Rnn->forward(Stream[Batch], State);
      auto Loss = Out.sum().pow(2);
      Sizes.push_back(graphSize(Loss));
      Opt.zero_grad();
      Loss.backward();
      // TIDY: rnn-state-after-step.cpp.tmp.cpp:[[@LINE-1]]:12: note: this 'backward()' frees the graph that 'State' still holds
      Opt.step();
      State = Next;
      ++Completed;
    }
  } catch (const c10::Error &E) {
    std::cout << "batch " << Completed + 1 << ": " << describe(E) << "\n";
  }
  std::cout << "completed " << Completed << " of " << NumBatches << " batches\n";
  std::cout << "graph size: " << trend(Sizes) << "\n";
  // BUGGY:      batch 2: Trying to backward through the graph a second time
  // BUGGY-NEXT: completed 1 of 4 batches
  // BUGGY-NEXT: graph size: growing
  // FIXED:      completed 4 of 4 batches
  // FIXED-NEXT: graph size: constant
  return 0;
}
