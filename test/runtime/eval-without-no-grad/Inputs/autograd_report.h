// SPDX-License-Identifier: Apache-2.0
// Instrumentation for the eval-without-no-grad runtime cases: did evaluation record a graph?
#pragma once

#include <torch/torch.h>

#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

// Prints whether `Out` carries autograd history (it requires grad and has a
// grad_fn, i.e. a graph was recorded and keeps its inputs alive), a checksum
// of its values (weighted by position), and whether they equal `Reference`, computed without autograd.
inline void reportOutputs(const torch::Tensor &Out, const torch::Tensor &Reference) {
  std::cout << "requires_grad: " << (Out.requires_grad() ? "true" : "false") << "\n";
  std::cout << "grad_fn: " << (Out.grad_fn() ? Out.grad_fn()->name() : std::string("none"))
            << "\n";
  std::ostringstream Sum;
  const torch::Tensor Weights = torch::arange(1, Out.numel() + 1).to(Out.dtype());
  Sum << std::fixed << std::setprecision(6)
      << (Out.detach().flatten() * Weights).sum().item<double>();
  std::cout << "checksum: " << Sum.str() << "\n";
  std::cout << "values: " << (torch::equal(Out.detach(), Reference) ? "equal" : "different")
            << " to the no-grad reference\n";
}
