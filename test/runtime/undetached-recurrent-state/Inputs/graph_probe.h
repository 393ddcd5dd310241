// SPDX-License-Identifier: Apache-2.0
// Instrumentation for the undetached-recurrent-state runtime cases: autograd graph size, autograd errors.
#pragma once

#include <torch/torch.h>

#include <string>
#include <unordered_set>
#include <vector>

// The number of autograd nodes reachable from `Root` through
// grad_fn()->next_edges(): the graph a backward() from `Root` walks.
inline size_t graphSize(const torch::Tensor &Root) {
  std::unordered_set<const torch::autograd::Node *> Seen;
  std::vector<const torch::autograd::Node *> Work;
  if (Root.grad_fn())
    Work.push_back(Root.grad_fn().get());
  while (!Work.empty()) {
    const torch::autograd::Node *N = Work.back();
    Work.pop_back();
    if (!Seen.insert(N).second)
      continue;
    for (const torch::autograd::Edge &E : N->next_edges())
      if (E.function)
        Work.push_back(E.function.get());
  }
  return Seen.size();
}

// "constant" when all sizes agree, "growing" when each exceeds the one before.
inline std::string trend(const std::vector<size_t> &Sizes) {
  bool Constant = true, Growing = Sizes.size() > 1;
  for (size_t I = 1; I < Sizes.size(); ++I) {
    Constant = Constant && Sizes[I] == Sizes[0];
    Growing = Growing && Sizes[I] > Sizes[I - 1];
  }
  return Constant ? "constant" : Growing ? "growing" : "irregular";
}

// One stable line for the error LibTorch raises when a backward() reaches a
// graph whose buffers an earlier backward() freed.
inline std::string describe(const c10::Error &E) {
  const std::string What = E.what_without_backtrace();
  const std::string Twice = "Trying to backward through the graph a second time";
  if (What.find(Twice) != std::string::npos)
    return Twice;
  return "unexpected error: " + What.substr(0, What.find('\n'));
}
