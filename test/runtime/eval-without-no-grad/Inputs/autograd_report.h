// SPDX-License-Identifier: Apache-2.0
// Instrumentation for the eval-without-no-grad runtime cases: did evaluation record a graph?
#pragma once

#include <torch/torch.h>

#include <iostream>
#include <string>

// Prints whether `Out` carries autograd history (it requires grad and has a
// grad_fn: a graph was recorded, which keeps its saved activations alive) and
// whether its values are exactly those of `Reference`, computed without
// autograd.
inline void reportOutputs(const torch::Tensor &Out,
                          const torch::Tensor &Reference) {
  std::cout << "requires_grad: " << (Out.requires_grad() ? "true" : "false")
            << "\n";
  std::cout << "grad_fn: "
            << (Out.grad_fn() ? Out.grad_fn()->name() : std::string("none"))
            << "\n";
  std::cout << "values: "
            << (torch::equal(Out.detach(), Reference) ? "identical"
                                                      : "different")
            << " to the no-grad reference\n";
}
