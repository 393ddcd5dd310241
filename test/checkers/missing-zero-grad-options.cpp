// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- \
// RUN:   -config="{CheckOptions: {torch-missing-zero-grad.ClearingFunctions: 'resetGradients;::lib::Trainer::wipe', torch-missing-zero-grad.UpdateFunctions: 'clipAndStep'}}" \
// RUN:   -- %mock_torch
// RUN: %torch_tidy --checks='-*,torch-missing-zero-grad' --dump-config \
// RUN:   -config="{CheckOptions: {torch-missing-zero-grad.ClearingFunctions: 'resetGradients'}}" -- \
// RUN:   | FileCheck %s --check-prefix=CONFIG
// RUN: %torch_tidy --checks='-*,torch-missing-zero-grad' --dump-config -- | FileCheck %s --check-prefix=DEFAULTS

// CONFIG: torch-missing-zero-grad.ClearingFunctions: resetGradients
// CONFIG: torch-missing-zero-grad.UpdateFunctions: ''
// DEFAULTS: torch-missing-zero-grad.ClearingFunctions: ''
// DEFAULTS: torch-missing-zero-grad.UpdateFunctions: ''

#include <torch/torch.h>

torch::Tensor batch();
void resetGradients();   // declared only: the option makes it a clearing
void otherFunction();
void clipAndStep(torch::optim::Optimizer &Opt, double MaxNorm);
namespace lib {
struct Trainer {
  void wipe();
  void keep();
};
} // namespace lib

void namedClearing(torch::nn::Linear Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    resetGradients(); // no warning: listed in ClearingFunctions
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void qualifiedClearing(torch::nn::Linear Model, torch::optim::SGD &Opt,
                       lib::Trainer &T) {
  for (int I = 0; I < 10; ++I) {
    T.wipe(); // no warning: '::lib::Trainer::wipe' is listed
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void unlistedFunction(torch::nn::Linear Model, torch::optim::SGD &Opt,
                      lib::Trainer &T) {
  for (int I = 0; I < 10; ++I) {
    otherFunction();
    T.keep();
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }
}

void updateWrapper(torch::nn::Linear Model, torch::optim::Adam &Opt) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared
    clipAndStep(Opt, 1.0);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: the summed gradients are consumed by this call to 'clipAndStep'
  }
}
