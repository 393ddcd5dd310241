// RUN: %check_torch_tidy %s torch-discarded-tensor-result %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-discarded-tensor-result %t -- -- %mock_torch2

#include <torch/torch.h>

namespace F = torch::nn::functional;

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  void clip() {
    W.clamp(-1, 1);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'clamp' returns a new tensor that is discarded [torch-discarded-tensor-result]
    // CHECK-MESSAGES: :[[@LINE-2]]:7: note: use 'clamp_' to modify the tensor in place
  }
  torch::nn::Linear Fc{nullptr};
  torch::Tensor W;
};
TORCH_MODULE(Net);

torch::Tensor batch();

// ---- Positives ---------------------------------------------------------------

void toDevice(torch::Tensor X, torch::Device Device) {
  X.to(Device);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'to' returns a new tensor that is discarded [torch-discarded-tensor-result]
  X.to(torch::kFloat);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'to' returns a new tensor
  X.to(torch::kCUDA);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'to' returns a new tensor
  // CHECK-FIXES:void toDevice(torch::Tensor X, torch::Device Device) {
  // CHECK-FIXES-NEXT:  X = X.to(Device);
  // CHECK-FIXES:  X = X.to(torch::kFloat);
  // CHECK-FIXES:  X = X.to(torch::kCUDA);
}

void methods() {
  torch::Tensor X = batch();
  auto H = batch();
  torch::autograd::Variable Y = batch();
  H.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'detach' returns a new tensor
  X.clamp(0, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'clamp' returns a new tensor
  X.contiguous();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'contiguous' returns a new tensor
  X.view({-1});
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'view' returns a new tensor
  (X).squeeze();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'squeeze' returns a new tensor
  Y.add(X);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'add' returns a new tensor
  // CHECK-FIXES:  H = H.detach();
  // CHECK-FIXES:  X = X.clamp(0, 1);
  // CHECK-FIXES:  X = X.contiguous();
  // CHECK-FIXES:  X = X.view({-1});
  // CHECK-FIXES:  X = (X).squeeze();
  // CHECK-FIXES:  Y = Y.add(X);
}

void functions(torch::Tensor X, torch::Tensor Y) {
  torch::relu(X);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'relu' returns a new tensor
  at::add(X, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'add' returns a new tensor
  F::relu(Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'relu' returns a new tensor
  // CHECK-FIXES:  X = torch::relu(X);
  // CHECK-FIXES:  X = at::add(X, Y);
  // CHECK-FIXES:  Y = F::relu(Y);
}

void statementPositions(torch::Tensor X, bool Flag) {
  if (Flag)
    X.detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'detach' returns a new tensor
  for (int I = 0; I < 3; ++I)
    X.relu();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'relu' returns a new tensor
  switch (static_cast<int>(Flag)) {
  case 0:
    X.squeeze();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'squeeze' returns a new tensor
    break;
  default:
    break;
  }
  // CHECK-FIXES:    X = X.detach();
  // CHECK-FIXES:    X = X.relu();
  // CHECK-FIXES:    X = X.squeeze();
}

// A receiver that cannot be assigned gets a note naming the in-place variant.
void noAssignment(const torch::Tensor &C, Net Model) {
  C.clamp(0, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'clamp' returns a new tensor
  // CHECK-MESSAGES: :[[@LINE-2]]:5: note: use 'clamp_' to modify the tensor in place
  Model->Fc->weight.clamp(-1, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'clamp' returns a new tensor
  // CHECK-MESSAGES: :[[@LINE-2]]:21: note: use 'clamp_' to modify the tensor in place
  for (auto &P : Model->parameters())
    P.clamp(-1, 1);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'clamp' returns a new tensor
  // CHECK-MESSAGES: :[[@LINE-2]]:7: note: use 'clamp_' to modify the tensor in place
  batch().detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'detach' returns a new tensor
  C.contiguous();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'contiguous' returns a new tensor
  Label:
  C + C;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'operator+' returns a new tensor
  // CHECK-FIXES:  C.clamp(0, 1);
  // CHECK-FIXES:  Model->Fc->weight.clamp(-1, 1);
  // CHECK-FIXES:    P.clamp(-1, 1);
  // CHECK-FIXES:  batch().detach();
}

// ---- Negatives: the correct idioms -----------------------------------------

void inPlace(torch::Tensor X, torch::Tensor Y) {
  X.clamp_(0, 1);      // no warning: in place
  X.detach_();         // no warning: in place
  X.add_(Y);           // no warning: in place
  X.requires_grad_();  // no warning: in place
  torch::relu_(X);     // no warning: in place
  at::add_out(X, X, Y); // no warning: writes its 'out' argument
  X += Y;              // no warning: compound assignment
}

void modules(Net Model, torch::Device Device) {
  Model->to(Device); // no warning: modules change in place
  Model(batch());    // no warning: a forward pass (running statistics)
  Model->forward(batch()); // no warning: a module method
}

void references(torch::Tensor X) {
  X.set_requires_grad(true); // no warning: returns a reference to 'X'
  X.grad().zero_();          // no warning: in place
  X.mutable_grad();          // no warning: returns a reference
}

void used(torch::Tensor X, torch::Device Device, std::vector<torch::Tensor> &V) {
  (void)X.to(Device);          // no warning: discarded on purpose
  static_cast<void>(X.relu()); // no warning: discarded on purpose
  X = X.to(Device);            // no warning: assigned
  auto Y = X.detach();         // no warning: bound
  V.push_back(X.clamp(0, 1));  // no warning: passed on
  X.backward();                // no warning: not a tensor result
  float F = X.item<float>();   // no warning: not a tensor
  (void)F;
  (void)Y;
  X.print(); // no warning: a side effect
}

torch::Tensor returned(torch::Tensor X) {
  return X.detach(); // no warning: returned
}

void sideEffects(torch::Tensor X, torch::Tensor Mean, torch::Tensor Var) {
  // no warning: updates the running statistics
  torch::batch_norm(X, {}, {}, Mean, Var, true, 0.1, 1e-5, false);
  // no warning: in place through its options
  F::relu(X, F::ReLUFuncOptions().inplace(true));
  F::detail::relu(X, /*inplace=*/true); // no warning: in place
  F::detail::relu(X, false);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'relu' returns a new tensor
  // CHECK-FIXES:  X = F::detail::relu(X, false);
}

#define DISCARD(E) E
void macros(torch::Tensor X) {
#define DETACH_X X.detach()
  DETACH_X; // no warning: written by a macro
  DISCARD(X.relu());
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'relu' returns a new tensor
  // CHECK-FIXES:  DISCARD(X.relu());
}

template <typename T> void generic(T X) {
  X.detach(); // no warning: dependent, checked where it is instantiated
}
template void generic(torch::Tensor);

struct NotATensor {
  torch::Tensor to(int);
};
void other(NotATensor N) {
  N.to(1); // no warning: not a tensor method
}
