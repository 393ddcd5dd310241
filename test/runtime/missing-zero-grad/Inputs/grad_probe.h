// SPDX-License-Identifier: Apache-2.0
// Instrumentation for the missing-zero-grad runtime cases: fresh or summed
// gradients, same or other trajectory.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

inline bool allClose(const torch::Tensor &A, const torch::Tensor &B) {
  return torch::allclose(A, B, /*rtol=*/1e-4, /*atol=*/1e-6);
}

// Records, for every backward(), the gradient that loss alone contributes and
// compares each parameter's .grad() with it (fresh) and with the sum of all
// contributions so far (accumulating, i.e. never cleared).
class GradProbe {
public:
  // Call between the forward pass and loss.backward(); leaves .grad() alone.
  void expect(const torch::Tensor &Loss,
              const std::vector<torch::Tensor> &Params) {
    Fresh = torch::autograd::grad({Loss}, Params, {}, /*retain_graph=*/true);
    if (Sums.empty())
      for (const auto &G : Fresh)
        Sums.push_back(torch::zeros_like(G));
    for (size_t I = 0; I < Fresh.size(); ++I)
      Sums[I] += Fresh[I];
  }

  // Call right after loss.backward().
  void observe(const std::vector<torch::Tensor> &Params) {
    bool IsFresh = true, IsSum = true;
    for (size_t I = 0; I < Params.size(); ++I) {
      const torch::Tensor &G = Params[I].grad();
      IsFresh = IsFresh && G.defined() && allClose(G, Fresh[I]);
      IsSum = IsSum && G.defined() && allClose(G, Sums[I]);
    }
    // After the first backward() both hypotheses agree; judge from the second.
    if (++Observed > 1) {
      AllFresh = AllFresh && IsFresh;
      AllSum = AllSum && IsSum;
    }
  }

  std::string verdict() const {
    if (Observed < 2)
      return "undetermined";
    if (AllFresh && !AllSum)
      return "fresh";
    if (AllSum && !AllFresh)
      return "accumulating";
    return "mixed";
  }

private:
  std::vector<torch::Tensor> Fresh, Sums;
  int Observed = 0;
  bool AllFresh = true, AllSum = true;
};

// True when every parameter agrees with the other run within tolerance.
inline bool sameParams(const std::vector<torch::Tensor> &A,
                       const std::vector<torch::Tensor> &B) {
  if (A.size() != B.size())
    return false;
  for (size_t I = 0; I < A.size(); ++I)
    if (!allClose(A[I], B[I]))
      return false;
  return true;
}

inline std::string
compareTrajectory(const std::vector<torch::Tensor> &Params,
                  const std::vector<torch::Tensor> &Reference) {
  return sameParams(Params, Reference) ? "matches reference"
                                       : "diverges from reference";
}
