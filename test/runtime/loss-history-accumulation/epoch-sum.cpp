// SPDX-License-Identifier: Apache-2.0
// Runtime case: 'Total += Loss;' keeps every iteration's autograd graph alive.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-loss-history-accumulation -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <cstddef>
#include <iostream>
#include <unordered_set>
#include <vector>

namespace {

// The autograd nodes reachable from a tensor's grad_fn: the graph it keeps.
std::size_t graphNodes(const torch::Tensor &T) {
  std::unordered_set<const torch::autograd::Node *> Seen;
  std::vector<std::shared_ptr<torch::autograd::Node>> Work;
  if (T.grad_fn())
    Work.push_back(T.grad_fn());
  while (!Work.empty()) {
    std::shared_ptr<torch::autograd::Node> Node = Work.back();
    Work.pop_back();
    if (!Node || !Seen.insert(Node.get()).second)
      continue;
    for (const torch::autograd::Edge &E : Node->next_edges())
      Work.push_back(E.function);
  }
  return Seen.size();
}

// Trains a linear regression for `Steps` batches and sums the losses for the
// log.
torch::Tensor trainAndSum(int Steps) {
  torch::manual_seed(0);
  torch::nn::Linear Model(4, 1);
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.01));
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < Steps; ++I) {
    Opt.zero_grad();
    const torch::Tensor X = torch::randn({8, 4});
    torch::Tensor Loss = torch::mse_loss(Model->forward(X), X.sum(1, true));
    Loss.backward();
    Opt.step();
    Total += Loss;
    // TIDY: :[[@LINE-1]]:11: warning: 'Total' accumulates a tensor that carries autograd history, so the graph of every iteration stays in memory [torch-loss-history-accumulation]
  }
  return Total;
}
// FIXSRC:    Total += Loss.detach();

} // namespace

int main() {
  const torch::Tensor Short = trainAndSum(5);
  const torch::Tensor Long = trainAndSum(20);
  std::cout << "graph kept: " << (Long.grad_fn() ? "yes" : "no") << "\n";
  std::cout << "graph grows with the iterations: "
            << (graphNodes(Long) > graphNodes(Short) ? "yes" : "no") << "\n";
  std::cout << "sum: "
            << (Long.item<double>() > 0 ? "positive" : "not positive") << "\n";
  return 0;
}
// BUGGY: graph kept: yes
// BUGGY-NEXT: graph grows with the iterations: yes
// BUGGY-NEXT: sum: positive
// FIXED: graph kept: no
// FIXED-NEXT: graph grows with the iterations: no
// FIXED-NEXT: sum: positive
