// SPDX-License-Identifier: Apache-2.0
// Runtime case: a helper returns its forward pass's result; called after eval() without a guard,
// it records a graph that the caller keeps.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags -I%S/Inputs %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-eval-without-no-grad -fix %t.cpp -- %libtorch_flags -I%S/Inputs \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags -I%S/Inputs %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include "autograd_report.h"

#include <torch/torch.h>

namespace {
struct EncoderImpl : torch::nn::Module {
  EncoderImpl()
      : Hidden(register_module("hidden", torch::nn::Linear(4, 16))),
        Out(register_module("out", torch::nn::Linear(16, 2))) {}
  torch::Tensor forward(const torch::Tensor &X) {
    return Out(torch::relu(Hidden(X)));
  }
  torch::nn::Linear Hidden;
  torch::nn::Linear Out;
};
TORCH_MODULE(Encoder);

// Used by training as well: it is right to leave guarding to its callers.
template <class Model> torch::Tensor embed(Model &M, const torch::Tensor &X) {
  torch::Tensor Code = M->forward(X);
  return Code;
}

torch::Tensor reference(Encoder &M, const torch::Tensor &X) {
  torch::NoGradGuard NoGrad;
  return M->forward(X);
}
} // namespace

int main() {
  torch::manual_seed(0);
  const auto Data = torch::randn({8, 4});
  Encoder M;
  torch::optim::SGD Opt(M->parameters(), torch::optim::SGDOptions(0.1));
  for (int Step = 0; Step < 3; ++Step) {
    Opt.zero_grad();
    embed(M, Data).pow(2).sum().backward();
    Opt.step();
  }

  // FIXSRC:      M->eval();
  // FIXSRC-NEXT: torch::NoGradGuard no_grad;
  // FIXSRC-NEXT: const torch::Tensor Codes = embed(M, Data);
  M->eval();
  const torch::Tensor Codes = embed(M, Data);
  // TIDY: forwarding-helper.cpp.tmp.cpp:[[@LINE-1]]:31: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
  // TIDY: forwarding-helper.cpp.tmp.cpp:[[@LINE-27]]:27: note: 'embed' returns the result of this forward pass
  // TIDY: forwarding-helper.cpp.tmp.cpp:[[@LINE-4]]:6: note: module put in evaluation mode here
  reportOutputs(Codes, reference(M, Data));
  // BUGGY:      requires_grad: true
  // BUGGY-NEXT: grad_fn: AddmmBackward0
  // BUGGY-NEXT: values: identical to the no-grad reference
  // FIXED:      requires_grad: false
  // FIXED-NEXT: grad_fn: none
  // FIXED-NEXT: values: identical to the no-grad reference
}
