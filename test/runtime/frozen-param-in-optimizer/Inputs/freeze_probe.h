// SPDX-License-Identifier: Apache-2.0
// Instrumentation for the frozen-param-in-optimizer runtime cases: do frozen weights stay put?
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

// Copies of the frozen tensors, compared bit for bit after training.
class FreezeProbe {
public:
  explicit FreezeProbe(const std::vector<torch::Tensor> &Frozen) : Frozen(Frozen) {
    for (const auto &P : Frozen)
      Before.push_back(P.detach().clone());
  }

  std::string verdict() const {
    for (size_t I = 0; I < Frozen.size(); ++I)
      if (!torch::equal(Frozen[I].detach(), Before[I]))
        return "drifted";
    return "bit-identical";
  }

private:
  std::vector<torch::Tensor> Frozen;
  std::vector<torch::Tensor> Before;
};

// Every tensor the optimizer updates, over all of its parameter groups.
inline size_t heldTensors(torch::optim::Optimizer &Opt) {
  size_t N = 0;
  for (auto &Group : Opt.param_groups())
    N += Group.params().size();
  return N;
}

// Counts the tensors of a list that are trainable.
inline size_t trainable(const std::vector<torch::Tensor> &Params) {
  size_t N = 0;
  for (const auto &P : Params)
    N += P.requires_grad() ? 1 : 0;
  return N;
}
