// RUN: %check_torch_tidy %s torch-backward-under-no-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-backward-under-no-grad %t -- -- %mock_torch2

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
torch::Tensor target();
bool more();
void record(const torch::Tensor &T);

// ---- Positives ---------------------------------------------------------------

// A guard at the top of the function, meant for the evaluation code, encloses
// the training loop too.
void guardAtTop(Net Model, torch::optim::SGD &Opt) {
  torch::NoGradGuard NoGrad;
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model->forward(batch()), target());
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'backward()' runs with grad mode disabled, so the loss has no graph and nothing is trained [torch-backward-under-no-grad]
    // CHECK-MESSAGES: :[[@LINE-6]]:3: note: grad mode is disabled here
    Opt.step();
  }
}

void inferenceMode(Net Model) {
  c10::InferenceMode Guard;
  Model->forward(batch()).sum().backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-3]]:3: note: grad mode is disabled here
}

void torchInferenceMode(Net Model) {
  torch::InferenceMode Guard;
  auto Loss = Model->forward(batch()).mean();
  torch::autograd::backward({Loss});
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}

void autoGradModeFalse(Net Model) {
  torch::AutoGradMode Off(false);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}

void setEnabledFalse(Net Model) {
  record(Model->forward(batch()));
  torch::GradMode::set_enabled(false);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}

// Disabled on both branches.
void setEnabledOnEveryPath(Net Model, bool Fast) {
  if (Fast)
    c10::GradMode::set_enabled(false);
  else
    torch::GradMode::set_enabled(false);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-6]]:5: note: grad mode is disabled here
}

// The loss is computed in a no-grad scope that is closed before backward().
void lossFromClosedScope(Net Model) {
  torch::Tensor Loss;
  {
    torch::NoGradGuard NoGrad;
    Loss = torch::mse_loss(Model->forward(batch()), target());
  }
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: the loss is computed with grad mode disabled, so it has no graph and 'backward()' trains nothing [torch-backward-under-no-grad]
  // CHECK-MESSAGES: :[[@LINE-4]]:19: note: the loss is computed here
  // CHECK-MESSAGES: :[[@LINE-6]]:5: note: grad mode is disabled here
}

// requires_grad set by hand: backward() no longer throws, but trains nothing.
void requiresGradByHand(Net Model) {
  torch::Tensor Loss;
  {
    torch::NoGradGuard NoGrad;
    Loss = Model->forward(batch()).sum();
    Loss.requires_grad_(true);
  }
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: the loss is computed with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-5]]:36: note: the loss is computed here
  // CHECK-MESSAGES: :[[@LINE-7]]:5: note: grad mode is disabled here
}

// A helper that trains, called under a guard.
void trainStep(Net Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
  Opt.step();
}

void fitUnderGuard(Net Model, torch::optim::SGD &Opt) {
  torch::NoGradGuard NoGrad;
  for (int Epoch = 0; Epoch < 10; ++Epoch)
    trainStep(Model, Opt);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'trainStep' runs 'backward()' with grad mode disabled, so nothing is trained [torch-backward-under-no-grad]
  // CHECK-MESSAGES: :[[@LINE-9]]:8: note: 'backward()' is called here
  // CHECK-MESSAGES: :[[@LINE-5]]:3: note: grad mode is disabled here
}

// Through a second helper: reported at the call made under the guard.
void epoch(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I)
    trainStep(Model, Opt);
}

void fitThroughEpoch(Net Model, torch::optim::SGD &Opt) {
  torch::GradMode::set_enabled(false);
  epoch(Model, Opt);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'epoch' runs 'backward()' with grad mode disabled, so nothing is trained
  // CHECK-MESSAGES: :[[@LINE-23]]:8: note: 'backward()' is called here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}

// ---- Negatives: the correct idioms -----------------------------------------

// The guard's scope is closed before the training code.
void guardClosedBefore(Net Model) {
  {
    torch::NoGradGuard NoGrad;
    record(Model->forward(batch()));
  }
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// Autograd re-enabled inside the no-grad scope.
void reenabledByGuard(Net Model) {
  torch::NoGradGuard NoGrad;
  record(Model->forward(batch()));
  torch::AutoGradMode Enable(true);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

void reenabledBySetEnabled(Net Model) {
  torch::GradMode::set_enabled(false);
  record(Model->forward(batch()));
  torch::GradMode::set_enabled(true);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

void guardThenSetEnabledTrue(Net Model) {
  c10::NoGradGuard NoGrad;
  record(Model->forward(batch()));
  c10::GradMode::set_enabled(true);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// set_enabled(false) on one path only.
void disabledOnOnePath(Net Model, bool Eval) {
  if (Eval)
    torch::GradMode::set_enabled(false);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// A set_enabled(false) inside a guard scope is undone when the scope ends.
void setEnabledInsideClosedScope(Net Model) {
  {
    torch::AutoGradMode Enable(true);
    torch::GradMode::set_enabled(false);
    record(Model->forward(batch()));
  }
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// Gradients of inputs that require grad on purpose, with grad mode off for
// everything else (a saliency map).
void saliency(Net Model, torch::Tensor Image) {
  Image.requires_grad_(true);
  auto Score = Model->forward(Image).sum();
  torch::NoGradGuard NoGrad;
  auto Grads = torch::autograd::grad({Score}, {Image});
  record(Grads[0]);
}

// backward() under a guard on a loss computed with grad mode on works: the
// graph was recorded before the guard.
void backwardUnderGuardOnRecordedLoss(Net Model) {
  auto Loss = Model->forward(batch()).sum();
  torch::NoGradGuard NoGrad;
  Loss.backward();
}

// One epoch loop, two phases: the guard's block does not enclose backward().
void phases(Net Model, torch::optim::SGD &Opt, bool EvalPhase) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    if (EvalPhase) {
      torch::NoGradGuard NoGrad;
      record(Model->forward(batch()));
      continue;
    }
    Opt.zero_grad();
    auto Loss = Model->forward(batch()).sum();
    Loss.backward();
    Opt.step();
  }
}

// A helper that computes the loss, called with and without a guard.
torch::Tensor lossOf(Net Model) {
  return torch::mse_loss(Model->forward(batch()), target());
}

void helperBothWays(Net Model) {
  {
    torch::NoGradGuard NoGrad;
    record(lossOf(Model));
  }
  auto Loss = lossOf(Model);
  Loss.backward();
}

// A training helper called both with and without a guard: only the call
// under the guard is wrong, and it is reported there.
void trainAndProbe(Net Model, torch::optim::SGD &Opt) {
  trainStep(Model, Opt);
  {
    torch::NoGradGuard NoGrad;
    trainStep(Model, Opt);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'trainStep' runs 'backward()' with grad mode disabled
    // CHECK-MESSAGES: :[[@LINE-138]]:8: note: 'backward()' is called here
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: grad mode is disabled here
  }
}

// A helper that turns grad mode back on itself.
void selfEnablingStep(Net Model) {
  torch::AutoGradMode Enable(true);
  Model->forward(batch()).sum().backward();
}

void callsSelfEnablingStep(Net Model) {
  torch::NoGradGuard NoGrad;
  selfEnablingStep(Model);
}

// A helper whose loss comes from its caller: the graph may be recorded there.
void applyLoss(torch::Tensor Loss) { Loss.backward(); }

void callsApplyLoss(Net Model) {
  auto Loss = Model->forward(batch()).sum();
  torch::NoGradGuard NoGrad;
  applyLoss(Loss);
}

// The loss is recomputed with grad mode on after the guarded scope.
void recomputed(Net Model) {
  torch::Tensor Loss;
  {
    torch::NoGradGuard NoGrad;
    Loss = Model->forward(batch()).sum();
  }
  record(Loss);
  Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// Grad mode chosen at run time: it may be on.
void modeFromFlag(Net Model, bool Train) {
  torch::AutoGradMode Mode(Train);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

void setEnabledFromFlag(Net Model, bool Train) {
  torch::GradMode::set_enabled(Train);
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// The guard of a loop body is closed when the next iteration trains.
void guardClosedInLoop(Net Model) {
  for (int I = 0; I < 10; ++I) {
    auto Loss = Model->forward(batch()).sum();
    Loss.backward();
    if (I % 5 == 0) {
      torch::NoGradGuard NoGrad;
      record(Model->forward(batch()));
    }
  }
}

// A loss reassigned in a guarded scope on one path only.
void lossOnOnePath(Net Model, bool Probe) {
  auto Loss = Model->forward(batch()).sum();
  if (Probe) {
    torch::NoGradGuard NoGrad;
    Loss = Model->forward(batch()).sum();
  }
  Loss.backward();
}

// A temporary guard lasts one statement.
void temporaryGuard(Net Model) {
  torch::NoGradGuard();
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// ---- Robustness ----------------------------------------------------------------

// Templates with dependent types.
template <class Model> void templatedTrain(Model &M) {
  torch::NoGradGuard NoGrad;
  auto Loss = M->forward(batch()).sum();
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}

template <class Model> void templatedReenabled(Model &M) {
  torch::NoGradGuard NoGrad;
  {
    torch::AutoGradMode Enable(true);
    auto Loss = M->forward(batch()).sum();
    Loss.backward();
  }
}

template <class T> struct Trainer {
  Net Model;
  void step() {
    auto Loss = Model->forward(batch()).sum();
    Loss.backward();
  }
  void fit() {
    c10::InferenceMode Guard;
    step();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'step' runs 'backward()' with grad mode disabled
    // CHECK-MESSAGES: :[[@LINE-6]]:10: note: 'backward()' is called here
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: grad mode is disabled here
  }
};

// Lambdas: the lambda's own body decides, and a call of a training lambda
// under a guard is reported at the call.
void lambdas(Net Model) {
  auto Step = [&] {
    auto Loss = Model->forward(batch()).sum();
    Loss.backward();
  };
  Step();
  torch::NoGradGuard NoGrad;
  Step();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'Step' runs 'backward()' with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-6]]:10: note: 'backward()' is called here
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
  auto Inner = [&] {
    torch::NoGradGuard Off;
    auto Loss = Model->forward(batch()).sum();
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'backward()' runs with grad mode disabled
    // CHECK-MESSAGES: :[[@LINE-4]]:5: note: grad mode is disabled here
  };
  Inner();
}

// A guard inside the lambda does not reach the code around it.
void guardInLambda(Net Model) {
  auto Eval = [&] {
    torch::NoGradGuard NoGrad;
    record(Model->forward(batch()));
  };
  Eval();
  auto Loss = Model->forward(batch()).sum();
  Loss.backward();
}

// Macros.
#define NO_GRAD torch::NoGradGuard no_grad_guard_
#define BACKWARD(L) (L).backward()

void macros(Net Model) {
  NO_GRAD;
  auto Loss = Model->forward(batch()).sum();
  BACKWARD(Loss);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'backward()' runs with grad mode disabled
  // CHECK-MESSAGES: :[[@LINE-4]]:3: note: grad mode is disabled here
}
