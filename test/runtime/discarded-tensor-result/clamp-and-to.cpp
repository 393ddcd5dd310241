// SPDX-License-Identifier: Apache-2.0
// Runtime case: 'x.clamp(0, 1);' and 'x.to(torch::kDouble);' throw their results away.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-discarded-tensor-result -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <iostream>

namespace {

bool outsideUnitRange(const torch::Tensor &X) {
  return (X < 0).any().item<bool>() || (X > 1).any().item<bool>();
}

// Clamps a batch of activations into [0, 1] and converts them to double.
torch::Tensor normalize(torch::Tensor X) {
  X.clamp(0, 1);
  // TIDY: :[[@LINE-1]]:5: warning: 'clamp' returns a new tensor that is discarded [torch-discarded-tensor-result]
  X.to(torch::kDouble);
  // TIDY: :[[@LINE-1]]:5: warning: 'to' returns a new tensor that is discarded [torch-discarded-tensor-result]
  return X;
}
// FIXSRC:  X = X.clamp(0, 1);
// FIXSRC:  X = X.to(torch::kDouble);

// The reference: what normalize() means to do.
torch::Tensor reference(torch::Tensor X) {
  X = X.clamp(0, 1);
  return X.to(torch::kDouble);
}

} // namespace

int main() {
  torch::manual_seed(0);
  const torch::Tensor Batch = torch::randn({64, 8}) * 3;
  const torch::Tensor Out = normalize(Batch.clone());
  const torch::Tensor Ref = reference(Batch.clone());
  std::cout << "range: "
            << (outsideUnitRange(Out) ? "values outside [0, 1]"
                                      : "within [0, 1]")
            << "\n";
  std::cout << "dtype: "
            << (Out.scalar_type() == torch::kDouble ? "double" : "not double")
            << "\n";
  std::cout << "reference: "
            << (Out.scalar_type() == Ref.scalar_type() &&
                        torch::allclose(Out, Ref)
                    ? "matches"
                    : "differs")
            << "\n";
  return 0;
}
// BUGGY: range: values outside [0, 1]
// BUGGY-NEXT: dtype: not double
// BUGGY-NEXT: reference: differs
// FIXED: range: within [0, 1]
// FIXED-NEXT: dtype: double
// FIXED-NEXT: reference: matches
