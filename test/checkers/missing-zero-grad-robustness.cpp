// Training loops in code that did not compile keep their verdicts: a call
// left as a recovery expression is recognised by its member's name.
// Source excerpts (which run to the fix-its, over the CHECK lines) are filtered out.
// RUN: not %torch_tidy --checks='-*,torch-missing-zero-grad' %s -- -std=c++17 %mock_torch 2>&1 | grep -Ev '^ *[0-9]* [|]' | FileCheck %s --implicit-check-not=warning:
// RUN: not %clang_tidy_plugin --checks='-*,torch-missing-zero-grad' %s -- -std=c++17 %mock_torch 2>&1 | grep -Ev '^ *[0-9]* [|]' | FileCheck %s --implicit-check-not=warning:
// CHECK-NOT: Stack dump

#include <torch/torch.h>

torch::Tensor batch();

// A constant from a missing header: the `zero_grad()` call is left as a
// recovery expression, and still clears.
void missingHeaderConstant(torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad(kSetToNone);
    // CHECK: :[[@LINE-1]]:19: error: use of undeclared identifier 'kSetToNone'
    torch::Tensor Loss = batch().sum();
    Loss.backward(); // no warning: cleared above
    Opt.step();
  }
}

void missingModuleHeaderNoClear() {
  torch::optim::SGD Opt(missing_model->parameters(), 0.1);
  // CHECK: :[[@LINE-1]]:25: error: use of undeclared identifier 'missing_model'
  for (int I = 0; I < 3; ++I) {
    torch::Tensor Loss = batch().sum();
    Loss.backward();
    // CHECK: :[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()'
    Opt.step();
  }
}
