// SPDX-License-Identifier: Apache-2.0
// Runtime case: a module keeps its LSTM state as a member and carries it from one forward() to the
// next; trained without detaching it, the second backward() throws. The same module trained with
// its detaching helper between batches runs to the end, and is not reported.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-undetached-recurrent-state -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not=warning:
// RUN: diff %s %t.cpp

#include "graph_probe.h"

#include <torch/torch.h>

#include <iostream>
#include <tuple>

namespace {
constexpr int NumBatches = 4;
constexpr int64_t HiddenSize = 8;

using LstmState = std::tuple<torch::Tensor, torch::Tensor>;

// A language model that remembers where the last batch of the stream ended.
struct StatefulLmImpl : torch::nn::Module {
  StatefulLmImpl()
      : Lstm(register_module("lstm", torch::nn::LSTM(4, HiddenSize))),
        Head(register_module("head", torch::nn::Linear(HiddenSize, 1))) {
    resetState();
  }
  torch::Tensor forward(const torch::Tensor &X) {
    auto Out = Lstm->forward(X, State);
    State = std::get<1>(Out);
    return Head->forward(std::get<0>(Out));
  }
  void resetState() {
    State = {torch::zeros({1, 1, HiddenSize}), torch::zeros({1, 1, HiddenSize})};
  }
  void detachState() {
    State = {std::get<0>(State).detach(), std::get<1>(State).detach()};
  }

  torch::nn::LSTM Lstm;
  torch::nn::Linear Head;
  LstmState State;
};
TORCH_MODULE(StatefulLm);

// Trains on the stream; returns how many batches completed.
int train(StatefulLm &Model, const torch::Tensor &Stream) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.01));
  int Completed = 0;
  try {
    for (int Batch = 0; Batch < NumBatches; ++Batch) {
      auto Loss = Model->forward(Stream[Batch]).pow(2).mean();
      // TIDY: stateful-module.cpp.tmp.cpp:[[@LINE-1]]:26: warning: recurrent state 'State', which module 'Model' keeps, is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
      Opt.zero_grad();
      Loss.backward();
      // TIDY: stateful-module.cpp.tmp.cpp:[[@LINE-1]]:12: note: this 'backward()' frees the graph that 'State' still holds
      // TIDY: stateful-module.cpp.tmp.cpp:{{[0-9]+}}:5: note: 'forward' stores the output of a module call in 'State' here, and the next call starts from it
      Opt.step();
      ++Completed;
    }
  } catch (const c10::Error &E) {
    std::cout << "batch " << Completed + 1 << ": " << describe(E) << "\n";
  }
  return Completed;
}

// The same training, cutting the state's history after every batch.
int trainDetached(StatefulLm &Model, const torch::Tensor &Stream) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.01));
  int Completed = 0;
  for (int Batch = 0; Batch < NumBatches; ++Batch) {
    auto Loss = Model->forward(Stream[Batch]).pow(2).mean();
    Opt.zero_grad();
    Loss.backward();
    Opt.step();
    Model->detachState();
    ++Completed;
  }
  return Completed;
}
} // namespace

int main() {
  torch::manual_seed(0);
  // A stream cut into batches of 6 steps (sequence-major, batch of 1).
  const auto Stream = torch::randn({NumBatches, 6, 1, 4});
  StatefulLm Model;
  const int Undetached = train(Model, Stream);
  std::cout << "undetached: completed " << Undetached << " of " << NumBatches << "\n";
  Model->resetState();
  const int Detached = trainDetached(Model, Stream);
  std::cout << "detached: completed " << Detached << " of " << NumBatches << "\n";
  // BUGGY:      batch 2: Trying to backward through the graph a second time
  // BUGGY-NEXT: undetached: completed 1 of 4
  // BUGGY-NEXT: detached: completed 4 of 4
  return 0;
}
