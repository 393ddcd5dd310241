// RUN: %check_torch_tidy %s torch-inplace-leaf-update %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-inplace-leaf-update %t -- -- %mock_torch2

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  NetImpl() { W = register_parameter("W", torch::randn({4, 4})); }
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
  torch::Tensor W;
  torch::Tensor Scale;
};
TORCH_MODULE(Net);

torch::Tensor batch();

// ---- Positives ---------------------------------------------------------------

// A hand-written SGD step: the fix wraps the loop over the parameters.
void sgdStep(Net &Model, double Lr) {
  for (auto &P : Model->parameters())
    P -= Lr * P.grad();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: in-place update of a parameter that requires grad with grad mode on: autograd throws ('a leaf Variable that requires grad is being used in an in-place operation') [torch-inplace-leaf-update]
  // CHECK-FIXES:  {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    for (auto &P : Model->parameters())
  // CHECK-FIXES-NEXT:      P -= Lr * P.grad();
  // CHECK-FIXES-NEXT:  }
}

// Several updates in one loop: one fix.
void momentumStep(Net &Model, double Lr) {
  for (auto &P : Model->parameters()) {
    P.sub_(P.grad(), Lr);
    P.mul_(0.99);
  }
  // CHECK-MESSAGES: :[[@LINE-3]]:7: warning: in-place update of a parameter
  // CHECK-MESSAGES: :[[@LINE-3]]:7: warning: in-place update of a parameter
  // CHECK-FIXES:  {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    for (auto &P : Model->parameters()) {
  // CHECK-FIXES-NEXT:      P.sub_(P.grad(), Lr);
  // CHECK-FIXES-NEXT:      P.mul_(0.99);
  // CHECK-FIXES-NEXT:    }
  // CHECK-FIXES-NEXT:  }
}

// Weight initialisation of a LibTorch layer and of a registered parameter.
void initWeights(Net &Model) {
  Model->Fc->weight.fill_(0.01);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: in-place update of a parameter
  // CHECK-FIXES:  {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    Model->Fc->weight.fill_(0.01);
  // CHECK-FIXES-NEXT:  }
  Model->W.zero_();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: in-place update of a parameter
}

// Parameters by name.
void byName(Net &Model) {
  for (auto &Item : Model->named_parameters())
    Item.value().copy_(torch::zeros({1}));
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: in-place update of a parameter
}

// A tensor made to require grad, updated by hand.
void manualRegression() {
  auto W = torch::randn({3}, torch::requires_grad());
  torch::Tensor B = torch::zeros({1});
  B.requires_grad_();
  for (int I = 0; I < 100; ++I) {
    auto Loss = (batch() * W + B).pow(2).mean();
    Loss.backward();
    W -= 0.1 * W.grad();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: in-place update of a leaf tensor that requires grad
    // CHECK-FIXES:    {
    // CHECK-FIXES-NEXT:      torch::NoGradGuard no_grad;
    // CHECK-FIXES-NEXT:      W -= 0.1 * W.grad();
    // CHECK-FIXES-NEXT:    }
    B.sub_(B.grad(), 0.1);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: in-place update of a leaf tensor that requires grad
  }
}

// A helper given a tensor of unknown origin is not reported; a loop over the
// parameters with grad mode on is.
void shrink(torch::Tensor &P) { P.mul_(0.5); }
void shrinkAll(Net &Model) {
  for (auto &P : Model->parameters())
    P.mul_(0.5);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: in-place update of a parameter
}

// Inside a macro: no fix.
#define STEP(P, LR) P -= LR * P.grad()
void inMacro(Net &Model) {
  for (auto &P : Model->parameters()) {
    STEP(P, 0.1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place update of a parameter
  }
  // CHECK-FIXES:    STEP(P, 0.1);
}

// ---- Negatives: the correct idioms -----------------------------------------

void underGuard(Net &Model, double Lr) {
  torch::NoGradGuard NoGrad;
  for (auto &P : Model->parameters())
    P -= Lr * P.grad();
}

void guardInLoop(Net &Model, double Lr) {
  for (auto &P : Model->parameters()) {
    torch::NoGradGuard NoGrad;
    P.sub_(P.grad(), Lr);
  }
}

void gradModeOff(Net &Model) {
  torch::GradMode::set_enabled(false);
  Model->Fc->weight.fill_(0);
  torch::GradMode::set_enabled(true);
}

void throughData(Net &Model, double Lr) {
  for (auto &P : Model->parameters())
    P.data().sub_(P.grad().data(), Lr);
}

void onGradients(Net &Model) {
  for (auto &P : Model->parameters())
    P.grad().zero_();
}

// Tensors that require no grad, and non-leaf tensors.
void plainTensors(Net &Model) {
  torch::Tensor Acc = torch::zeros({4});
  Acc += batch();
  auto Y = Model->forward(batch());
  Y.mul_(2.0);
  Model->Scale.fill_(1.0);
}

// A helper every caller guards.
void applyUpdate(Net &Model, double Lr) {
  for (auto &P : Model->parameters())
    P -= Lr * P.grad();
}
void trainGuarded(Net &Model) {
  for (int I = 0; I < 10; ++I) {
    Model->forward(batch()).mean().backward();
    torch::NoGradGuard NoGrad;
    applyUpdate(Model, 0.1);
  }
}

// `requires_grad_(false)` marks nothing.
void frozenByHand() {
  torch::Tensor T = torch::zeros({2});
  T.requires_grad_(false);
  T.fill_(3);
}
