// Broken code, templates, macros, gotos, lambdas and unusual guards never crash torch-eval-without-no-grad.
// RUN: not %torch_tidy --checks='-*,torch-eval-without-no-grad' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// RUN: not %clang_tidy_plugin --checks='-*,torch-eval-without-no-grad' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// CHECK-NOT: Stack dump
// CHECK: error: use of undeclared identifier 'undeclared_model'
// CHECK-NOT: Stack dump
// CHECK: Found compiler error(s).

#include <torch/script.h>
#include <torch/torch.h>

torch::Tensor batch();
void record(const torch::Tensor &T);
using Net = torch::nn::Linear;

void broken(Net Model) {
  Model->eval();
  record(undeclared_model(batch()));
  record(Model(batch()));
}

template <typename M> torch::Tensor generic(M &Model) {
  Model->eval();
  torch::NoGradGuard();
  return Model(batch());
}
template <typename M> struct Holder {
  M Model;
  torch::Tensor run() {
    Model->eval();
    return Model->forward(batch());
  }
};
void instantiate(Net Model) {
  generic(Model);
  Holder<Net>{Model}.run();
}

#define FORWARD(M, X) (M)->forward(X)
#define GUARD torch::NoGradGuard()
void macros(Net Model) {
  Model->eval();
  GUARD;
  record(FORWARD(Model, batch()));
}

void gotoLoop(Net Model, int N) {
  Model->eval();
again:
  record(Model(batch()));
  if (--N > 0)
    goto again;
  Model->train();
}

struct MyGuard : torch::NoGradGuard {};
struct Toggle : c10::AutoGradMode {
  Toggle() : c10::AutoGradMode(true) {}
};
void derivedGuards(Net Model) {
  Model->eval();
  MyGuard();
  Toggle();
  {
    MyGuard G;
    record(Model(batch()));
  }
  auto *Leaked = new torch::NoGradGuard();
  delete Leaked;
  static torch::NoGradGuard Forever;
  record(Model(batch()));
}

struct WithDefaultMember {
  Net Model{1, 1};
  torch::Tensor Cached = Model(batch());
};
torch::Tensor Global = Net(1, 1)(batch());

void nestedLambdas(Net Model) {
  auto Outer = [&](auto Self, int N) -> void {
    auto Inner = [&] {
      Model->eval();
      record(Model(batch()));
    };
    if (N > 0)
      Self(Self, N - 1);
    Inner();
  };
  Outer(Outer, 2);
  std::function<void()> Stored = [&] {
    Model->train(false);
    record(Model(batch()));
  };
  Stored();
}

void scriptModule(torch::jit::Module &M, bool Flag) {
  M.train(Flag);
  M.eval();
  torch::GradMode::set_enabled(Flag);
  record(M.forward({batch()}).toTensor());
}

// A signature that names a type from a missing header makes the function
// invalid; its body is still the user's, and it still evaluates.
void evaluateWith(const MissingConfig &Config, Net Model) {
  Model->eval();
  record(Model(batch())); // evaluates without its config
}
