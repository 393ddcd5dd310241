// RUN: %check_torch_tidy -check-suffix=DEFAULT %s torch-eval-without-no-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy -check-suffix=EVAL %s torch-eval-without-no-grad %t -- \
// RUN:   -config="{CheckOptions: {torch-eval-without-no-grad.EvalFunctions: 'predict|validate.*|::lib::Runner::sample', torch-eval-without-no-grad.GuardType: 'torch::InferenceMode'}}" \
// RUN:   -- %mock_torch
// RUN: %torch_tidy --checks='-*,torch-eval-without-no-grad' --dump-config \
// RUN:   -config="{CheckOptions: {torch-eval-without-no-grad.EvalFunctions: 'predict', torch-eval-without-no-grad.GuardType: 'c10::InferenceMode'}}" -- \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// RUN: %torch_tidy --checks='-*,torch-eval-without-no-grad' --dump-config -- | FileCheck %s --check-prefix=DEFAULTS
// RUN: %torch_tidy --checks='-*,torch-eval-without-no-grad' %s \
// RUN:   -config="{CheckOptions: {torch-eval-without-no-grad.EvalFunctions: 'predict(', torch-eval-without-no-grad.GuardType: 'std::mutex'}}" \
// RUN:   -- -std=c++17 %mock_torch 2>&1 | FileCheck %s --check-prefix=INVALID

// clang-tidy 16 orders and quotes --dump-config's options differently from 19.
// CONFIG-DAG: torch-eval-without-no-grad.EvalFunctions: predict
// CONFIG-DAG: torch-eval-without-no-grad.GuardType: {{'?}}c10::InferenceMode{{'?$}}
// DEFAULTS-DAG: torch-eval-without-no-grad.EvalFunctions: ''
// DEFAULTS-DAG: torch-eval-without-no-grad.GuardType: {{'?}}torch::NoGradGuard{{'?$}}
// INVALID-DAG: invalid regular expression 'predict(' for option 'EvalFunctions'
// INVALID-DAG: invalid value 'std::mutex' for option 'GuardType': expected 'torch::NoGradGuard' or 'torch::InferenceMode'
// The check still runs, with the defaults.
// INVALID: eval-without-no-grad-options.cpp:{{[0-9]+}}:10: warning: forward pass after 'eval()' still records an autograd graph

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return X; }
};
TORCH_MODULE(Net);

torch::Tensor batch();
void record(const torch::Tensor &T);

// The inserted guard is the GuardType.
void explicitEval(Net Model) {
  Model->eval();
  record(Model(batch()));
  // CHECK-MESSAGES-DEFAULT: :[[@LINE-1]]:10: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
  // CHECK-MESSAGES-EVAL: :[[@LINE-2]]:10: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
  // CHECK-FIXES-DEFAULT:  Model->eval();
  // CHECK-FIXES-DEFAULT-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-EVAL:  Model->eval();
  // CHECK-FIXES-EVAL-NEXT:  torch::InferenceMode inference_mode;
}

// EvalFunctions: the whole body is an evaluation region, without eval().
torch::Tensor predict(Net Model, torch::Tensor X) {
  return Model(X);
  // CHECK-MESSAGES-EVAL: :[[@LINE-1]]:10: warning: forward pass in evaluation function 'predict' still records an autograd graph [torch-eval-without-no-grad]
  // CHECK-MESSAGES-EVAL: :[[@LINE-3]]:15: note: 'predict' is an evaluation function through option 'EvalFunctions'
  // CHECK-FIXES-EVAL:torch::Tensor predict(Net Model, torch::Tensor X) {
  // CHECK-FIXES-EVAL-NEXT:  torch::InferenceMode inference_mode;
  // CHECK-FIXES-EVAL-NEXT:  return Model(X);
}

// The region ends at train(); the guard goes into the loop body.
float validateEpoch(Net Model) {
  float Total = 0;
  for (int I = 0; I < 3; ++I) {
    Total += Model->forward(batch()).sum().item<float>();
  }
  // CHECK-MESSAGES-EVAL: :[[@LINE-2]]:21: warning: forward pass in evaluation function 'validateEpoch'
  // Without the option, its name makes it one too.
  // CHECK-MESSAGES-DEFAULT: :[[@LINE-4]]:21: warning: forward pass in evaluation function 'validateEpoch'
  // CHECK-MESSAGES-DEFAULT: :[[@LINE-8]]:7: note: 'validateEpoch' is an evaluation function by its name
  Model->train();
  record(Model(batch())); // no warning: after train()
  return Total;
  // CHECK-FIXES-EVAL:float validateEpoch(Net Model) {
  // CHECK-FIXES-EVAL-NEXT:  float Total = 0;
  // CHECK-FIXES-EVAL-NEXT:  for (int I = 0; I < 3; ++I) {
  // CHECK-FIXES-EVAL-NEXT:    torch::InferenceMode inference_mode;
  // CHECK-FIXES-DEFAULT:float validateEpoch(Net Model) {
  // CHECK-FIXES-DEFAULT-NEXT:  float Total = 0;
  // CHECK-FIXES-DEFAULT-NEXT:  for (int I = 0; I < 3; ++I) {
  // CHECK-FIXES-DEFAULT-NEXT:    torch::NoGradGuard no_grad;
}

namespace lib {
struct Runner {
  Net Model;
  torch::Tensor sample();
  torch::Tensor other();
};

// A qualified entry matches the qualified name.
torch::Tensor Runner::sample() {
  return Model(batch());
  // CHECK-MESSAGES-EVAL: :[[@LINE-1]]:10: warning: forward pass in evaluation function 'sample'
}

torch::Tensor Runner::other() {
  return Model(batch()); // no warning: not listed
}

torch::Tensor sample(Net Model) {
  return Model(batch()); // no warning: 'lib::sample' is not 'lib::Runner::sample'
}
} // namespace lib

torch::Tensor validateGuarded(Net Model) {
  torch::NoGradGuard NoGrad;
  return Model(batch()); // no warning: guarded
}

torch::Tensor validateInputGradient(Net Model, torch::Tensor X) {
  X.requires_grad_();
  auto Score = Model(X).sum(); // no warning: reaches torch::autograd::grad
  return torch::autograd::grad({Score}, {X})[0];
}

torch::Tensor prediction(Net Model) {
  return Model(batch()); // no warning: the whole name must match
}
