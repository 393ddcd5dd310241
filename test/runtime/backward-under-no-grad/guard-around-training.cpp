// SPDX-License-Identifier: Apache-2.0
// Runtime case: training code under a torch::NoGradGuard. A guard at the top of the function
// (meant for the evaluation after the loop) and a training helper called inside an evaluation
// scope make backward() throw; a loss computed in a closed no-grad scope with requires_grad set
// by hand makes it train nothing. The corrected function closes the guard around the evaluation
// only, trains, and is not reported. No fix-it: the file stays as it is.
// REQUIRES: libtorch
// RUN: %clangxx %libtorch_flags %s -o %t.buggy %libtorch_link
// RUN: %t.buggy | FileCheck %s --check-prefix=OUT --match-full-lines
// RUN: cp %s %t.cpp
// RUN: %torch_tidy --checks=-*,torch-backward-under-no-grad -fix %t.cpp -- %libtorch_flags \
// RUN:   | FileCheck %s --check-prefix=TIDY --implicit-check-not="{{warning|error}}:"
// RUN: diff %s %t.cpp

#include <torch/torch.h>

#include <iostream>
#include <string>

namespace {

constexpr int NumSteps = 3;

struct Data {
  torch::Tensor X = torch::randn({16, 4});
  torch::Tensor Y = torch::randn({16, 1});
};

bool moved(const torch::Tensor &Before, torch::nn::Linear &Model) {
  return !torch::equal(Before, Model->weight);
}

/// Runs `Train` and prints whether backward() threw and whether the weights moved.
template <class F> void report(const char *Name, torch::nn::Linear &Model, F Train) {
  const torch::Tensor Before = Model->weight.detach().clone();
  std::string Outcome = "completed";
  try {
    Train();
  } catch (const c10::Error &E) {
    const std::string What = E.what();
    Outcome = What.find("element 0 of tensors does not require grad") != std::string::npos
                  ? "threw 'element 0 of tensors does not require grad'"
                  : "threw something else";
  }
  std::cout << Name << ": backward() " << Outcome << ", weights "
            << (moved(Before, Model) ? "moved" : "unchanged") << "\n";
}

float evaluate(torch::nn::Linear &Model, const Data &D) {
  return torch::mse_loss(Model->forward(D.X), D.Y).item<float>();
}

// The guard meant for the evaluation encloses the training loop.
void guardAtTop(torch::nn::Linear &Model, const Data &D) {
  torch::optim::SGD Opt(Model->parameters(), 0.1);
  torch::NoGradGuard NoGrad;
  for (int Step = 0; Step < NumSteps; ++Step) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model->forward(D.X), D.Y);
    Loss.backward();
    // TIDY: :[[@LINE-1]]:10: warning: 'backward()' runs with grad mode disabled, so the loss has no graph and nothing is trained [torch-backward-under-no-grad]
    // TIDY: :[[@LINE-6]]:3: note: grad mode is disabled here
    Opt.step();
  }
  std::cout << "final loss " << (evaluate(Model, D) >= 0 ? "computed" : "?") << "\n";
}

void trainStep(torch::nn::Linear &Model, torch::optim::SGD &Opt, const Data &D) {
  Opt.zero_grad();
  auto Loss = torch::mse_loss(Model->forward(D.X), D.Y);
  Loss.backward();
  Opt.step();
}

// A training helper called from inside the evaluation scope.
void helperUnderGuard(torch::nn::Linear &Model, const Data &D) {
  torch::optim::SGD Opt(Model->parameters(), 0.1);
  torch::NoGradGuard NoGrad;
  std::cout << "loss before " << (evaluate(Model, D) >= 0 ? "computed" : "?") << "\n";
  for (int Step = 0; Step < NumSteps; ++Step)
    trainStep(Model, Opt, D);
  // TIDY: :[[@LINE-1]]:5: warning: 'trainStep' runs 'backward()' with grad mode disabled, so nothing is trained [torch-backward-under-no-grad]
  // TIDY: :[[@LINE-12]]:8: note: 'backward()' is called here
  // TIDY: :[[@LINE-6]]:3: note: grad mode is disabled here
}

// The loss is computed in a no-grad scope; requires_grad set by hand silences the error.
void lossFromClosedScope(torch::nn::Linear &Model, const Data &D) {
  torch::optim::SGD Opt(Model->parameters(), 0.1);
  for (int Step = 0; Step < NumSteps; ++Step) {
    Opt.zero_grad();
    torch::Tensor Loss;
    {
      torch::NoGradGuard NoGrad;
      Loss = torch::mse_loss(Model->forward(D.X), D.Y);
    }
    Loss.requires_grad_(true);
    Loss.backward();
    // TIDY: :[[@LINE-1]]:10: warning: the loss is computed with grad mode disabled, so it has no graph and 'backward()' trains nothing [torch-backward-under-no-grad]
    // TIDY: :[[@LINE-5]]:21: note: the loss is computed here
    // TIDY: :[[@LINE-7]]:7: note: grad mode is disabled here
    Opt.step();
  }
}

// The guard encloses the evaluation only.
void corrected(torch::nn::Linear &Model, const Data &D) {
  torch::optim::SGD Opt(Model->parameters(), 0.1);
  for (int Step = 0; Step < NumSteps; ++Step) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model->forward(D.X), D.Y);
    Loss.backward();
    Opt.step();
  }
  {
    torch::NoGradGuard NoGrad;
    std::cout << "final loss " << (evaluate(Model, D) >= 0 ? "computed" : "?") << "\n";
  }
  trainStep(Model, Opt, D);
}

} // namespace

int main() {
  torch::manual_seed(0);
  const Data D;
  torch::nn::Linear Model(4, 1);
  report("guard at top", Model, [&] { guardAtTop(Model, D); });
  report("helper under guard", Model, [&] { helperUnderGuard(Model, D); });
  report("loss from closed scope", Model, [&] { lossFromClosedScope(Model, D); });
  report("corrected", Model, [&] { corrected(Model, D); });
  return 0;
}

// OUT: guard at top: backward() threw 'element 0 of tensors does not require grad', weights unchanged
// OUT-NEXT: loss before computed
// OUT-NEXT: helper under guard: backward() threw 'element 0 of tensors does not require grad', weights unchanged
// OUT-NEXT: loss from closed scope: backward() completed, weights unchanged
// OUT-NEXT: final loss computed
// OUT-NEXT: corrected: backward() completed, weights moved
