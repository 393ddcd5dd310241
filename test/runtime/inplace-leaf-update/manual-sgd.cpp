// SPDX-License-Identifier: Apache-2.0
// Runtime case: a hand-written SGD step updates the parameters in place with
// grad mode on.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-inplace-leaf-update -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <iostream>
#include <string>
#include <vector>

namespace {

void sgdStep(torch::nn::Linear &Model, double Lr) {
  for (auto &P : Model->parameters())
    P -= Lr * P.grad();
  // TIDY: :[[@LINE-1]]:7: warning: in-place update of a parameter that requires grad with grad mode on: autograd throws ('a leaf Variable that requires grad is being used in an in-place operation') [torch-inplace-leaf-update]
}
// FIXSRC:  {
// FIXSRC-NEXT:    torch::NoGradGuard no_grad;
// FIXSRC-NEXT:    for (auto &P : Model->parameters())
// FIXSRC-NEXT:      P -= Lr * P.grad();
// FIXSRC-NEXT:  }

} // namespace

int main() {
  torch::manual_seed(0);
  torch::nn::Linear Model(3, 1);
  const torch::Tensor X = torch::randn({16, 3});
  const torch::Tensor Loss = Model->forward(X).pow(2).mean();
  Loss.backward();
  const double Lr = 0.1;
  std::vector<torch::Tensor> Expected;
  for (const auto &P : Model->parameters())
    Expected.push_back((P - Lr * P.grad()).detach());
  try {
    sgdStep(Model, Lr);
  } catch (const c10::Error &E) {
    const std::string What = E.what_without_backtrace();
    std::cout << "step: "
              << (What.find("leaf Variable that requires grad") !=
                          std::string::npos
                      ? "throws (leaf variable in an in-place operation)"
                      : "throws something else")
              << "\n";
    return 0;
  }
  bool Moved = true;
  const auto Params = Model->parameters();
  for (size_t I = 0; I < Params.size(); ++I)
    Moved &= torch::allclose(Params[I], Expected[I]);
  std::cout << "step: parameters moved by -lr * grad: " << (Moved ? "yes" : "no")
            << "\n";
  return 0;
}
// BUGGY: step: throws (leaf variable in an in-place operation)
// FIXED: step: parameters moved by -lr * grad: yes
