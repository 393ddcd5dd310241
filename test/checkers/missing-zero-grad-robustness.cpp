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

// A network class that redeclares the module's `zero_grad()` with an
// `override` that overrides nothing: the declaration is invalid, and Clang
// keeps of the call only its object. The name, read from the source, still
// makes it the module's clearing of gradients.
struct NetworkBase {
  virtual void reset() = 0;
  virtual ~NetworkBase();
};
class Network : public NetworkBase, public torch::nn::Module {
public:
  torch::Tensor forward(torch::Tensor X);
  void zero_grad() override;
  // CHECK: :[[@LINE-1]]:20: error: non-virtual member function marked 'override' hides virtual member function
  void summary() override;
  // CHECK: :[[@LINE-1]]:18: error: only virtual member functions can be marked 'override'
  std::vector<torch::Tensor> parameters(bool Recurse = true) const;
  void reset() override;
};

struct Trainer {
  std::unique_ptr<Network> Model;

  void trainWithInvalidZeroGrad(int Epochs) {
    torch::optim::Adam Opt(Model->parameters(), torch::optim::AdamOptions(1e-4));
    for (int I = 0; I < Epochs; ++I) {
      Model->zero_grad(); // clears: the module's zero_grad, by name
      torch::Tensor Loss = torch::mse_loss(Model->forward(batch()), batch());
      Loss.backward(); // no warning
      Opt.step();
    }
  }

  void trainWithOtherInvalidMethod(int Epochs) {
    torch::optim::Adam Opt(Model->parameters(), torch::optim::AdamOptions(1e-4));
    for (int I = 0; I < Epochs; ++I) {
      Model->summary(); // another invalid method clears nothing
      torch::Tensor Loss = torch::mse_loss(Model->forward(batch()), batch());
      Loss.backward();
      // CHECK: :[[@LINE-1]]:12: warning: gradients are not cleared before this 'backward()'
      Opt.step();
    }
  }
};
