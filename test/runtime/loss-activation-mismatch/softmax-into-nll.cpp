// SPDX-License-Identifier: Apache-2.0
// Runtime case: 'nll_loss(softmax(logits, 1), y)' and
// 'cross_entropy(softmax(logits, 1), y)': probabilities where the losses want
// log-probabilities and raw scores.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=BUGGY --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-loss-activation-mismatch -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: FileCheck %s --input-file=%t.cpp --check-prefix=FIXSRC --match-full-lines
// RUN: %clangxx %libtorch_flags %t.cpp -o %t.fixed %libtorch_link
// RUN: %t.fixed | FileCheck %s --check-prefix=FIXED --match-full-lines

#include <torch/torch.h>

#include <iostream>

namespace {

namespace F = torch::nn::functional;

// The negative log-likelihood of the labels under the scores.
torch::Tensor nllOfScores(const torch::Tensor &Logits,
                          const torch::Tensor &Labels) {
  return torch::nll_loss(torch::softmax(Logits, 1), Labels);
  // TIDY: :[[@LINE-1]]:10: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
}
// FIXSRC:  return torch::nll_loss(torch::log_softmax(Logits, 1), Labels);

// The same, as a cross-entropy.
torch::Tensor crossEntropyOfScores(const torch::Tensor &Logits,
                                   const torch::Tensor &Labels) {
  return F::cross_entropy(Logits.softmax(1), Labels);
  // TIDY: :[[@LINE-1]]:10: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
}
// FIXSRC:  return F::cross_entropy(Logits, Labels);

const char *verdict(const torch::Tensor &Loss, const torch::Tensor &Ref) {
  return torch::allclose(Loss, Ref) ? "matches" : "differs";
}

} // namespace

int main() {
  torch::manual_seed(0);
  const torch::Tensor Logits = torch::randn({32, 5}) * 3;
  const torch::Tensor Labels = torch::randint(0, 5, {32});
  // The reference: the cross-entropy of the scores, computed both ways.
  const torch::Tensor Ref = F::cross_entropy(Logits, Labels);
  const torch::Tensor Ref2 =
      torch::nll_loss(torch::log_softmax(Logits, 1), Labels);
  std::cout << "nll_loss: " << verdict(nllOfScores(Logits, Labels), Ref)
            << "\n";
  std::cout << "cross_entropy: "
            << verdict(crossEntropyOfScores(Logits, Labels), Ref2) << "\n";
  return 0;
}
// BUGGY: nll_loss: differs
// BUGGY-NEXT: cross_entropy: differs
// FIXED: nll_loss: matches
// FIXED-NEXT: cross_entropy: matches
