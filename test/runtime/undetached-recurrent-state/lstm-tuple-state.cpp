// SPDX-License-Identifier: Apache-2.0
// Runtime case: an LSTM's (h, c) tuple is carried across batches without detach(); the second backward() throws.
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
constexpr int NumBatches = 5;
constexpr int64_t Hidden = 8;
} // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::LSTM Lstm(torch::nn::LSTMOptions(4, Hidden));
  torch::nn::Linear Head(Hidden, 1);
  auto Params = Lstm->parameters();
  for (const auto &P : Head->parameters())
    Params.push_back(P);
  torch::optim::SGD Opt(Params, torch::optim::SGDOptions(0.01));
  // A stream cut into batches of 6 steps (sequence-major, batch of 1).
  const auto Stream = torch::randn({NumBatches, 6, 1, 4});

  std::tuple<torch::Tensor, torch::Tensor> State = {torch::zeros({1, 1, Hidden}),
                                                    torch::zeros({1, 1, Hidden})};
  torch::Tensor Out;
  std::vector<size_t> Sizes;
  int Completed = 0;
  try {
    // The warning's source excerpt runs to the fix-it: its check goes here.
    // TIDY: lstm-tuple-state.cpp.tmp.cpp:[[@LINE+4]]:30: warning: recurrent state 'State' is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
    // FIXSRC:      Loss.backward();
    // FIXSRC-NEXT: State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
    for (int Batch = 0; Batch < NumBatches; ++Batch) {
      std::tie(Out, State) = Lstm(Stream[Batch], State);
      auto Loss = Head(Out).pow(2).mean();
      Sizes.push_back(graphSize(Loss));
      Opt.zero_grad();
      Loss.backward();
      // TIDY: lstm-tuple-state.cpp.tmp.cpp:[[@LINE-1]]:12: note: this 'backward()' frees the graph that 'State' still holds
      Opt.step();
      ++Completed;
    }
  } catch (const c10::Error &E) {
    std::cout << "batch " << Completed + 1 << ": " << describe(E) << "\n";
  }
  std::cout << "completed " << Completed << " of " << NumBatches << " batches\n";
  std::cout << "graph size: " << trend(Sizes) << "\n";
  // BUGGY:      batch 2: Trying to backward through the graph a second time
  // BUGGY-NEXT: completed 1 of 5 batches
  // BUGGY-NEXT: graph size: growing
  // FIXED:      completed 5 of 5 batches
  // FIXED-NEXT: graph size: constant
  return 0;
}
