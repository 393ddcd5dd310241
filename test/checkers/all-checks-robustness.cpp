// Code that does not compile, templates, macros and lambdas never crash a check.
// RUN: not %torch_tidy --checks='-*,torch-*' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// RUN: not %clang_tidy_plugin --checks='-*,torch-*' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// CHECK-NOT: Stack dump
// CHECK: error: use of undeclared identifier 'undeclared_optimizer'
// CHECK-NOT: Stack dump
// CHECK: Found compiler error(s).

#include <torch/torch.h>

torch::Tensor batch();

void brokenLoop(torch::nn::Linear Model) {
  for (int I = 0; I < 3; ++I) {
    Model(batch()).sum().backward();
    undeclared_optimizer.step();
  }
}

template <typename M, typename O> void generic(M &Model, O &Opt) {
  for (int I = 0; I < 3; ++I) {
    auto Loss = Model(batch()).sum();
    Loss.backward();
    Opt.step();
    [&] { Opt.zero_grad(); }();
  }
}

#define LOOP_BODY(X) (X).sum().backward()
void lambdas(torch::nn::Linear Model, torch::optim::SGD &Opt) {
  auto Train = [&](int Steps) {
    while (Steps-- > 0) {
      LOOP_BODY(Model(batch()));
      Opt.step();
    }
  };
  Train(3);
  generic(Model, Opt);
  auto Recursive = [&](auto &&Self, int N) -> void {
    if (N > 0) {
      Model(batch()).sum().backward();
      Self(Self, N - 1);
    }
  };
  Recursive(Recursive, 3);
}

void gotoLoop(torch::nn::Linear Model, torch::optim::SGD &Opt) {
  int I = 0;
again:
  Model(batch()).sum().backward();
  Opt.step();
  if (++I < 3)
    goto again;
  for (;;) {
    try {
      Model(batch()).sum().backward();
      Opt.step();
    } catch (...) {
      break;
    }
  }
}
