// RUN: %check_torch_tidy %s torch-eval-without-no-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-eval-without-no-grad %t -- -- %mock_torch2

#include <torch/script.h>
#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::Tensor predict(torch::Tensor X);
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
bool more();
void record(const torch::Tensor &T);

// ---- Positives ---------------------------------------------------------------

// The usual evaluation loop: train() after it, so the guard goes into the
// loop body rather than after eval().
void evaluationLoop(Net Model) {
  Model->eval();
  for (int I = 0; I < 10; ++I) {
    auto Out = Model->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
    // CHECK-MESSAGES: :[[@LINE-4]]:10: note: module put in evaluation mode here
    record(Out);
    auto Again = Model->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: forward pass after 'eval()' still records an autograd graph
    record(Again);
  }
  Model->train();
  // CHECK-FIXES:void evaluationLoop(Net Model) {
  // CHECK-FIXES-NEXT:  Model->eval();
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    auto Out = Model->forward(batch());
}

// train(false) and calls through the holder: the guard goes right after the
// statement that switched to evaluation.
torch::Tensor trainFalseCallOperator(Net &Model, torch::Tensor X) {
  Model->train(false);
  torch::Tensor Hidden = Model(X);
  // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: forward pass after 'train(false)' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-3]]:10: note: module put in evaluation mode here
  return Model(Hidden);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'train(false)' still records an autograd graph
  // CHECK-FIXES:torch::Tensor trainFalseCallOperator(Net &Model, torch::Tensor X) {
  // CHECK-FIXES-NEXT:  Model->train(false);
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  torch::Tensor Hidden = Model(X);
}

// The guard's scope is closed before the loop it was meant for. Its name is
// taken, so the inserted guard gets another one.
void guardScopeClosedEarly(Net Model) {
  Model->eval(); // switch to evaluation
  {
    torch::NoGradGuard no_grad;
    record(batch());
  }
  while (more())
    record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: forward pass after 'eval()'
  // CHECK-FIXES:void guardScopeClosedEarly(Net Model) {
  // CHECK-FIXES-NEXT:  Model->eval(); // switch to evaluation
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad_guard;
  // CHECK-FIXES-NEXT:  {
}

// An inner guard turns recording back on: a human decides, so no fix.
void reEnabled(Net Model) {
  torch::NoGradGuard NoGrad;
  Model->eval();
  {
    torch::AutoGradMode EnableGrad(true);
    record(Model(batch()));
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: forward pass after 'eval()'
  }
  // CHECK-FIXES:void reEnabled(Net Model) {
  // CHECK-FIXES-NEXT:  torch::NoGradGuard NoGrad;
  // CHECK-FIXES-NEXT:  Model->eval();
  // CHECK-FIXES-NEXT:  {
  // CHECK-FIXES-NEXT:    torch::AutoGradMode EnableGrad(true);
}

void reEnabledByInferenceMode(Net Model) {
  Model->eval();
  c10::InferenceMode Outer;
  for (int I = 0; I < 3; ++I) {
    c10::InferenceMode Off(false);
    record(Model->forward(batch()));
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: forward pass after 'eval()'
  }
}

// A single inference call on a TorchScript module.
torch::Tensor singleInference(const std::string &Path) {
  torch::jit::Module Module = torch::jit::load(Path);
  Module.eval();
  return Module.forward({batch()}).toTensor();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: forward pass after 'eval()'
  // CHECK-FIXES:torch::Tensor singleInference(const std::string &Path) {
  // CHECK-FIXES-NEXT:  torch::jit::Module Module = torch::jit::load(Path);
  // CHECK-FIXES-NEXT:  Module.eval();
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  return Module.forward({batch()}).toTensor();
}

// Temporaries are destroyed at the end of their statement. Naming them is the
// fix; it also guards the forward pass, which then needs no fix of its own.
void temporaryGuards(Net Model) {
  Model->eval();
  torch::NoGradGuard();
  record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: temporary 'NoGradGuard' is destroyed at the end of the statement and guards nothing
  // CHECK-MESSAGES: :[[@LINE-2]]:10: warning: forward pass after 'eval()'
  // CHECK-FIXES:void temporaryGuards(Net Model) {
  // CHECK-FIXES-NEXT:  Model->eval();
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  record(Model(batch()));
}

void temporaryBraces() {
  torch::NoGradGuard{};
  record(batch());
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: temporary 'NoGradGuard' is destroyed
  // CHECK-FIXES:void temporaryBraces() {
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
}

void temporaryInferenceMode() {
  torch::InferenceMode();
  record(batch());
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: temporary 'InferenceMode' is destroyed
  // CHECK-FIXES:void temporaryInferenceMode() {
  // CHECK-FIXES-NEXT:  torch::InferenceMode inference_mode;
}

void temporaryAutoGradMode() {
  c10::AutoGradMode(false);
  record(batch());
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: temporary 'AutoGradMode' is destroyed
  // CHECK-FIXES:void temporaryAutoGradMode() {
  // CHECK-FIXES-NEXT:  c10::AutoGradMode no_grad(false);
}

void temporaryWithArgument() {
  torch::InferenceMode{false};
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: temporary 'InferenceMode' is destroyed
  // CHECK-FIXES:void temporaryWithArgument() {
  // CHECK-FIXES-NEXT:  torch::InferenceMode inference_mode{false};
}

// A temporary guard followed by backward(): naming it would break the
// backward pass, so there is no fix.
void temporaryBeforeBackward(Net Model) {
  torch::NoGradGuard();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: temporary 'NoGradGuard' is destroyed
  Model(batch()).sum().backward();
  // CHECK-FIXES:void temporaryBeforeBackward(Net Model) {
  // CHECK-FIXES-NEXT:  torch::NoGradGuard();
}

// GradMode::set_enabled(false) on some paths only.
void setEnabledOnSomePaths(Net Model, bool Fast) {
  Model->eval();
  if (Fast)
    torch::autograd::GradMode::set_enabled(false);
  record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'eval()'
  torch::autograd::GradMode::set_enabled(true);
}

// Two evaluation regions in one function: one warning each. The second
// eval() starts a region of its own, and the guards' scopes do not overlap.
void twoRegions(Net Model, int Epochs) {
  for (int E = 0; E < Epochs; ++E) {
    Model->train();
    Model(batch()).sum().backward();
    Model->eval();
    for (int I = 0; I < 2; ++I)
      record(Model->forward(batch()));
  }
  Model->eval();
  for (int I = 0; I < 2; ++I)
    record(Model->forward(batch()));
  // CHECK-MESSAGES: :[[@LINE-5]]:21: warning: forward pass after 'eval()'
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: forward pass after 'eval()'
  // CHECK-FIXES:void twoRegions(Net Model, int Epochs) {
  // CHECK-FIXES-NEXT:  for (int E = 0; E < Epochs; ++E) {
  // CHECK-FIXES-NEXT:    Model->train();
  // CHECK-FIXES-NEXT:    Model(batch()).sum().backward();
  // CHECK-FIXES-NEXT:    Model->eval();
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    for (int I = 0; I < 2; ++I)
  // CHECK-FIXES-NEXT:      record(Model->forward(batch()));
  // CHECK-FIXES-NEXT:  }
  // CHECK-FIXES-NEXT:  Model->eval();
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 2; ++I)
}

// Evaluation then training in one scope: no place keeps the training
// recording, so there is no fix.
void evaluationThenTraining(Net Model, torch::optim::SGD &Opt) {
  Model->eval();
  auto Score = Model(batch());
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: forward pass after 'eval()'
  record(Score);
  Model->train();
  Opt.zero_grad();
  Model(batch()).sum().backward();
  Opt.step();
  // CHECK-FIXES:void evaluationThenTraining(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  Model->eval();
  // CHECK-FIXES-NEXT:  auto Score = Model(batch());
}

// One guarded call site and one unguarded one: not every caller guards.
void evaluateHelper(Net Model) {
  Model->eval();
  record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'eval()'
}
void callsHelperTwice(Net Model) {
  {
    torch::NoGradGuard NoGrad;
    evaluateHelper(Model);
  }
  evaluateHelper(Model);
}

// The module's own method: eval() and forward() on `this`, and a submodule of
// an evaluated module.
torch::Tensor NetImpl::predict(torch::Tensor X) {
  eval();
  return Fc(forward(X));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'eval()'
}

void submodule(Net Model) {
  Model->eval();
  record(Model->Fc->forward(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: forward pass after 'eval()'
}

// Statements sharing a line, and a lambda body.
void oneLine(Net Model) {
  Model->eval(); record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: forward pass after 'eval()'
  // CHECK-FIXES:  Model->eval(); torch::NoGradGuard no_grad; record(Model(batch()));
}

void inLambda(Net Model) {
  auto Evaluate = [&] {
    Model->eval();
    return Model(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: forward pass after 'eval()'
  };
  record(Evaluate());
  record(Evaluate());
}

// No fix inside macros.
#define EVAL_ALL(M) (M)->eval()
void fromMacro(Net Model) {
  EVAL_ALL(Model);
  record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'eval()'
  // CHECK-FIXES:void fromMacro(Net Model) {
  // CHECK-FIXES-NEXT:  EVAL_ALL(Model);
  // CHECK-FIXES-NEXT:  record(Model(batch()));
}

// Only recursive calls are guarded: the first call comes from elsewhere.
void recursiveEvaluation(Net Model, int Depth) {
  Model->eval();
  record(Model(batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass after 'eval()'
  if (Depth > 0) {
    torch::NoGradGuard NoGrad;
    recursiveEvaluation(Model, Depth - 1);
  }
}

// A virtual function may be called through its base, unseen.
struct Evaluator {
  virtual ~Evaluator() = default;
  virtual void run(Net Model) = 0;
};
struct Validation : Evaluator {
  void run(Net Model) override {
    Model->eval();
    record(Model(batch()));
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: forward pass after 'eval()'
  }
};
void runGuarded(Validation &V, Net Model) {
  torch::NoGradGuard NoGrad;
  V.run(Model);
}

// A declaration before a later case label would be jumped over: no fix.
void inSwitch(Net Model, int Mode) {
  switch (Mode) {
  case 0:
    Model->eval();
    record(Model(batch()));
    break;
  default:
    break;
  }
  // CHECK-MESSAGES: :[[@LINE-5]]:12: warning: forward pass after 'eval()'
  // CHECK-FIXES:  case 0:
  // CHECK-FIXES-NEXT:    Model->eval();
  // CHECK-FIXES-NEXT:    record(Model(batch()));
}

// A range-for over the evaluation data.
void overDataset(Net Model, const std::vector<torch::Tensor> &Dataset) {
  Model->eval();
  for (const auto &X : Dataset) {
    auto Y = Model(X);
    record(Y);
  }
  Model->train();
  // CHECK-MESSAGES: :[[@LINE-4]]:14: warning: forward pass after 'eval()'
  // CHECK-FIXES:  for (const auto &X : Dataset) {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    auto Y = Model(X);
}

// ---- Negatives: the correct idioms -----------------------------------------

void guardAtFunctionScope(Net Model) {
  torch::NoGradGuard NoGrad;
  Model->eval();
  for (int I = 0; I < 10; ++I)
    record(Model(batch())); // no warning: the guard covers the function
}

void guardInLoopBody(Net Model) {
  Model->eval();
  for (int I = 0; I < 10; ++I) {
    torch::NoGradGuard NoGrad;
    record(Model->forward(batch())); // no warning: guarded in the loop body
  }
  Model->train();
}

void evaluateGuardedByCallers(Net Model) {
  Model->eval();
  record(Model(batch())); // no warning: every caller holds a guard
}
void firstCaller(Net Model) {
  torch::NoGradGuard NoGrad;
  evaluateGuardedByCallers(Model);
}
void secondCaller(Net Model) {
  c10::InferenceMode Guard;
  for (int I = 0; I < 3; ++I)
    evaluateGuardedByCallers(Model);
}

void inferenceMode(Net Model) {
  Model->eval();
  torch::InferenceMode Guard;
  record(Model(batch())); // no warning: InferenceMode disables recording
}

void c10Spellings(Net Model, torch::jit::Module &Script) {
  Model->eval();
  Script.eval();
  {
    c10::NoGradGuard A;
    record(Model(batch())); // no warning: c10::NoGradGuard
  }
  {
    at::NoGradGuard B;
    record(Model(batch())); // no warning: at::NoGradGuard
  }
  {
    c10::InferenceMode C(true);
    record(Script.forward({batch()}).toTensor()); // no warning: c10::InferenceMode
  }
  {
    torch::autograd::InferenceMode D;
    record(Model(batch())); // no warning: torch::autograd::InferenceMode
  }
}

void autoGradModeFalse(Net Model) {
  Model->eval();
  torch::AutoGradMode Off(false);
  record(Model(batch())); // no warning: AutoGradMode(false)
  {
    c10::AutoGradMode OnAgain(true);
    c10::AutoGradMode OffAgain(false);
    record(Model(batch())); // no warning: the innermost guard disables
  }
}

void setEnabledOnEveryPath(Net Model) {
  Model->eval();
  torch::GradMode::set_enabled(false);
  for (int I = 0; I < 3; ++I)
    record(Model(batch())); // no warning: set_enabled(false) on every path
  torch::GradMode::set_enabled(true);
}

void trainingLoop(Net Model, torch::optim::SGD &Opt) {
  Model->train();
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model(batch()), batch());
    Loss.backward(); // no warning: training records on purpose
    Opt.step();
  }
}

torch::Tensor adversarialExample(Net Model, torch::Tensor Image,
                                 torch::Tensor Label) {
  Model->eval();
  Image.requires_grad_(true);
  auto Logits = Model(Image); // no warning: the graph gives the input gradient
  auto Loss = torch::cross_entropy_loss(Logits, Label);
  auto Grads = torch::autograd::grad({Loss}, {Image});
  return Image + Grads[0] * 0.01;
}

void inputGradientByBackward(Net Model, torch::Tensor Image) {
  Model->eval();
  Image.requires_grad_();
  torch::Tensor Score;
  Score = Model->forward(Image).sum(); // no warning: reaches backward()
  Score.backward();
}

void modeRestoredBeforeTraining(Net Model, torch::optim::SGD &Opt) {
  Model->eval();
  {
    torch::NoGradGuard NoGrad;
    record(Model(batch())); // no warning: guarded
  }
  Model->train();
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    auto Out = Model(batch()); // no warning: train() ended the region
    record(Out);
    Out.sum().backward();
    Opt.step();
  }
}

void forwardWithoutEval(Net Model) {
  record(Model(batch())); // no warning: not an evaluation region
}

void forwardBeforeEval(Net Model) {
  record(Model(batch())); // no warning: eval() comes later
  Model->eval();
}

void otherModule(Net Teacher, Net Student) {
  Teacher->eval();
  {
    torch::NoGradGuard NoGrad;
    record(Teacher(batch())); // no warning: guarded
  }
  record(Student(batch())); // no warning: the student is not in eval mode
}

void lambdaCalledUnderGuard(Net Model) {
  auto Evaluate = [&] {
    Model->eval();
    return Model(batch()); // no warning: the lambda is only called guarded
  };
  torch::NoGradGuard NoGrad;
  record(Evaluate());
}

void unknownMode(Net Model, bool Flag) {
  Model->eval();
  torch::AutoGradMode Mode(Flag);
  record(Model(batch())); // no warning: the mode is not known
}

void guardInIfInitializer(Net Model) {
  Model->eval();
  if (torch::NoGradGuard NoGrad; more())
    record(Model(batch())); // no warning: the if's guard
}

void lambdaInvokedInGuardedScope(Net Model) {
  torch::NoGradGuard NoGrad;
  [&] {
    Model->eval();
    record(Model(batch())); // no warning: invoked where it is written, guarded
  }();
}

void structuredBindingToBackward(Net Model, torch::Tensor X) {
  Model->eval();
  X.requires_grad_();
  auto [Out, Count] = std::make_pair(Model(X), 1); // no warning: reaches backward()
  (Out.sum() * Count).backward();
}

void containerToBackward(Net Model) {
  Model->eval();
  std::vector<torch::Tensor> Outs;
  Outs.push_back(Model(batch())); // no warning: reaches backward() through Outs
  torch::autograd::backward({Outs[0].sum()});
}

void trainingWithFrozenBatchNorm(Net Model, torch::optim::SGD &Opt) {
  Model->eval(); // freezes batch-norm statistics while fine-tuning
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    Model(batch()).sum().backward(); // no warning: training needs the graph
    Opt.step();
  }
}

void silenced(Net Model) {
  Model->eval();
  record(Model(batch())); // NOLINT(torch-eval-without-no-grad)
}
