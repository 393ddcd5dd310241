// RUN: %check_torch_tidy %s torch-missing-eval-mode %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-eval-mode %t -- -- %mock_torch2

#include <torch/script.h>
#include <torch/torch.h>

torch::Tensor batch();
torch::Tensor target();
bool more();
void record(const torch::Tensor &t);

// ---- Positives ---------------------------------------------------------------

// A Sequential built inline with Dropout, trained with train(true) only.
void sequentialTrainedThenTested() {
  torch::nn::Sequential net(torch::nn::Linear(4, 4), torch::nn::Dropout(0.5),
                            torch::nn::Linear(4, 2));
  torch::optim::SGD opt(net->parameters(), 0.1);
  for (int epoch = 0; epoch < 3; ++epoch) {
    net->train(true);
    while (more()) {
      opt.zero_grad();
      torch::Tensor loss = net->forward(batch()).sum();
      loss.backward();
      opt.step();
    }
    torch::NoGradGuard no_grad;
    while (more())
      record(net->forward(batch()));
// CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-15]]:54: note: 'Dropout' layer in 'net' behaves differently in training mode
// CHECK-MESSAGES: :[[@LINE-12]]:10: note: 'net' is put in training mode here
  }
}

// A module class with a BatchNorm member registered in its constructor,
// never put in evaluation mode.
struct BNNetImpl : torch::nn::Module {
  BNNetImpl() {
    fc = register_module("fc", torch::nn::Linear(4, 4));
    bn = register_module("bn", torch::nn::BatchNorm1d(4));
  }
  torch::Tensor forward(torch::Tensor x) { return bn->forward(fc->forward(x)); }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(BNNet);

void batchNormNeverEval() {
  BNNet net;
  torch::optim::SGD opt(net->parameters(), 0.1);
  while (more()) {
    opt.zero_grad();
    torch::Tensor loss = net(batch()).sum();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  record(net(batch()));
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-16]]:26: note: 'BatchNorm1d' member 'bn' behaves differently in training mode
}

// A generator sampled for a checkpoint inside the training loop.
struct GenImpl : torch::nn::Module {
  GenImpl()
      : main(torch::nn::Linear(4, 8), torch::nn::BatchNorm1d(8),
             torch::nn::Linear(8, 4)) {
    register_module("main", main);
  }
  torch::Tensor forward(torch::Tensor z) { return main->forward(z); }
  torch::nn::Sequential main;
};
TORCH_MODULE(Gen);

void ganSamples() {
  Gen G;
  torch::optim::Adam opt(G->parameters(), 0.1);
  for (int step = 0; more(); ++step) {
    opt.zero_grad();
    torch::Tensor loss = G->forward(batch()).mean();
    loss.backward();
    opt.step();
    if (step % 100 == 0) {
      torch::Tensor samples = G->forward(batch());
// CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'G' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-20]]:39: note: 'BatchNorm1d' member 'main' behaves differently in training mode
      torch::save(samples, "samples.pt");
    }
  }
}

void showImage(const torch::Tensor &image) { (void)image; }

// train(true), training through a helper of the user's that runs
// backward(), then a preview kept in a local vector.
torch::Tensor updateG(Gen &G) {
  torch::Tensor loss = G->forward(batch()).mean();
  loss.backward();
  return loss;
}

void trainThroughHelperThenPreview() {
  Gen G;
  G->train(true);
  std::vector<torch::Tensor> images;
  for (int epoch = 0; epoch < 3; ++epoch) {
    while (more())
      updateG(G);
    torch::Tensor preview = G->forward(batch());
// CHECK-MESSAGES: :[[@LINE-1]]:32: warning: 'G' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-45]]:39: note: 'BatchNorm1d' member 'main' behaves differently in training mode
// CHECK-MESSAGES: :[[@LINE-8]]:6: note: 'G' is put in training mode here
    images.push_back(preview[0].detach().clone());
  }
}

// A DCGAN trainer whose generator comes from a builder function.
torch::nn::Sequential makeGenerator() {
  torch::nn::Sequential net;
  net->push_back(torch::nn::Linear(4, 8));
  net->push_back(torch::nn::BatchNorm2d(8));
  return net;
}

class Trainer {
  torch::nn::Sequential gen;

public:
  Trainer() { gen = makeGenerator(); }
  void run() {
    torch::optim::Adam opt(gen->parameters(), 0.1);
    for (int epoch = 0; epoch < 10; ++epoch) {
      while (more()) {
        opt.zero_grad();
        torch::Tensor loss = gen->forward(batch()).mean();
        loss.backward();
        opt.step();
      }
      if (epoch % 5 == 0) {
        torch::Tensor preview = gen->forward(batch());
// CHECK-MESSAGES: :[[@LINE-1]]:38: warning: 'gen' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-21]]:18: note: 'BatchNorm2d' member 'gen' behaves differently in training mode
        showImage(preview[0]);
      }
    }
  }
};

// An evaluation helper that leaves the mode to its caller, called in
// training mode.
struct DropNetImpl : torch::nn::Module {
  DropNetImpl() : fc(torch::nn::Linear(4, 4)), drop(0.3) {
    register_module("fc", fc);
    register_module("drop", drop);
  }
  torch::Tensor forward(torch::Tensor x) { return drop(fc(x)); }
  torch::nn::Linear fc;
  torch::nn::Dropout drop;
};
TORCH_MODULE(DropNet);

void test(DropNet &net) {
  torch::NoGradGuard no_grad;
  while (more())
    record(net->forward(batch()));
}

void trainThenTest() {
  DropNet net;
  torch::optim::SGD opt(net->parameters(), 0.1);
  net->train();
  while (more()) {
    opt.zero_grad();
    net->forward(batch()).sum().backward();
    opt.step();
  }
  test(net);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'net' may still be in training mode when 'test' evaluates it, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-14]]:17: note: evaluation forward pass in 'test'
// CHECK-MESSAGES: :[[@LINE-22]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
// CHECK-MESSAGES: :[[@LINE-10]]:8: note: 'net' is put in training mode here
}

// eval() on one path only.
void evalOnOnePath(bool fast) {
  DropNet net;
  if (fast)
    net->eval();
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-34]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

// InstanceNorm with running statistics.
struct INNetImpl : torch::nn::Module {
  INNetImpl() {
    norm = register_module(
        "norm", torch::nn::InstanceNorm2d(
                    torch::nn::InstanceNormOptions(4).track_running_stats(true)));
  }
  torch::Tensor forward(torch::Tensor x) { return norm(x); }
  torch::nn::InstanceNorm2d norm{nullptr};
};
TORCH_MODULE(INNet);

torch::Tensor predict() {
  INNet net;
  torch::load(net, "net.pt");
  return net->forward(batch());
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-14]]:12: note: 'InstanceNorm2d' member 'norm' behaves differently in training mode
}

// A lambda that evaluates a captured module.
void lambdaEval() {
  DropNet net;
  auto evaluate = [&] {
    torch::NoGradGuard no_grad;
    record(net->forward(batch()));
  };
  evaluate();
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'net' may still be in training mode when the lambda evaluates it, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-4]]:17: note: evaluation forward pass in the lambda
// CHECK-MESSAGES: :[[@LINE-67]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

// A helper called once after eval() and once in training mode: the call in
// training mode is reported.
void evaluateHelper(DropNet &net) {
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

void callsHelperBothWays() {
  DropNet net;
  evaluateHelper(net);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'net' may still be in training mode when 'evaluateHelper' evaluates it, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-7]]:15: note: evaluation forward pass in 'evaluateHelper'
// CHECK-MESSAGES: :[[@LINE-82]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
  net->eval();
  evaluateHelper(net);
}

// A function template whose module type is not dependent.
template <class T> void templateTrainer(T lr) {
  DropNet net;
  torch::optim::SGD opt(net->parameters(), lr);
  while (more()) {
    opt.zero_grad();
    net->forward(batch()).sum().backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-99]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

// A function template that hands the module an input of dependent type: the
// module's type is known.
template <class Input> void evaluateInput(const Input &input) {
  DropNet net;
  torch::NoGradGuard no_grad;
  record(net->forward(input));
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-109]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

// A forward pass spelled in a macro.
#define EVALUATE(m) record(m->forward(batch()))
void macroEval() {
  DropNet net;
  torch::NoGradGuard no_grad;
  EVALUATE(net);
// CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-6]]:31: note: expanded from macro 'EVALUATE'
// CHECK-MESSAGES: :[[@LINE-120]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

// A sampling function (by its name) of a freshly built module.
torch::Tensor sample() {
  Gen G;
  torch::load(G, "gen.pt");
  return G->forward(batch());
// CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'G' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-221]]:39: note: 'BatchNorm1d' member 'main' behaves differently in training mode
}

// A ModuleList member filled in the constructor with a user block that holds
// an AlphaDropout.
struct BlockImpl : torch::nn::Module {
  BlockImpl() { drop = register_module("drop", torch::nn::AlphaDropout(0.1)); }
  torch::Tensor forward(torch::Tensor x) { return drop(x); }
  torch::nn::AlphaDropout drop{nullptr};
};
TORCH_MODULE(Block);

struct StackImpl : torch::nn::Module {
  StackImpl() {
    layers = register_module("layers", torch::nn::ModuleList());
    layers->push_back(Block());
  }
  torch::Tensor forward(torch::Tensor x) { return x; }
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(Stack);

void moduleListOfBlocks() {
  Stack net;
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
// CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'net' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-19]]:27: note: 'AlphaDropout' member 'drop' behaves differently in training mode
}

// A method that evaluates a member, called on an object built in training
// mode; and a TorchScript module trained, then evaluated.
struct Runner {
  DropNet net;
  void evaluate() {
    torch::NoGradGuard no_grad;
    record(net->forward(batch()));
  }
};

void runnerFresh() {
  Runner runner;
  runner.evaluate();
// CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'net' may still be in training mode when 'evaluate' evaluates it, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-8]]:17: note: evaluation forward pass in 'evaluate'
// CHECK-MESSAGES: :[[@LINE-174]]:22: note: 'Dropout' member 'drop' behaves differently in training mode
}

void scriptTrained() {
  torch::jit::Module module = torch::jit::load("model.pt");
  module.train();
  module.forward({batch()}).toTensor().sum().backward();
  torch::NoGradGuard no_grad;
  record(module.forward({batch()}).toTensor());
// CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'module' may still be in training mode in this evaluation forward pass, so its dropout and batch-norm layers behave as in training [torch-missing-eval-mode]
// CHECK-MESSAGES: :[[@LINE-5]]:10: note: 'module' is put in training mode here
}

// ---- Negatives: the correct idioms -----------------------------------------

void runnerAfterEval() {
  Runner runner;
  runner.net->eval();
  runner.evaluate();
}

void evalOnEveryPath(bool fast) {
  DropNet net;
  if (fast)
    net->eval();
  else
    net->train(false);
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

// A Sequential built inline of layers that do not depend on the mode.
void sequentialWithoutDropout() {
  torch::nn::Sequential seq(torch::nn::Linear(4, 4), torch::nn::ReLU(),
                            torch::nn::Conv2d(1, 1, 3));
  torch::NoGradGuard no_grad;
  record(seq->forward(batch()));
}

struct LinNetImpl : torch::nn::Module {
  LinNetImpl() { fc = register_module("fc", torch::nn::Linear(4, 4)); }
  torch::Tensor forward(torch::Tensor x) { return fc(x); }
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(LinNet);

void onlyLinear() {
  LinNet net;
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

void evalBeforeTest() {
  DropNet net;
  torch::optim::SGD opt(net->parameters(), 0.1);
  for (int epoch = 0; epoch < 3; ++epoch) {
    net->train();
    while (more()) {
      opt.zero_grad();
      net->forward(batch()).sum().backward();
      opt.step();
    }
    net->eval();
    torch::NoGradGuard no_grad;
    while (more())
      record(net->forward(batch()));
  }
}

void evalThroughAlias() {
  auto model = std::make_shared<DropNetImpl>();
  auto &alias = *model;
  alias.eval();
  torch::NoGradGuard no_grad;
  record(model->forward(batch()));
}

void evalThroughDeref() {
  DropNet model;
  (*model).eval();
  torch::NoGradGuard no_grad;
  record(model->forward(batch()));
}

void evalByValue() {
  DropNetImpl network;
  network.eval();
  torch::NoGradGuard no_grad;
  record(network.forward(batch()));
}

void valid(DropNet &model) {
  model->eval();
  torch::NoGradGuard no_grad;
  record(model->forward(batch()));
}

void monteCarloDropout() {
  DropNet net;
  torch::load(net, "net.pt");
  net->train(); // Monte-Carlo dropout: sample with dropout on.
  torch::NoGradGuard no_grad;
  for (int i = 0; i < 10; ++i)
    record(net->forward(batch()));
}

void testAfterEval(DropNet &net) {
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

void callsTestAfterEval() {
  DropNet net;
  net->eval();
  testAfterEval(net);
}

void notCalledHelper(DropNet &net) {
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

void scriptModule() {
  torch::jit::Module module = torch::jit::load("model.pt");
  torch::NoGradGuard no_grad;
  record(module.forward({batch()}).toTensor());
}

struct PlainINImpl : torch::nn::Module {
  PlainINImpl() {
    norm = register_module("norm", torch::nn::InstanceNorm2d(
                                       torch::nn::InstanceNormOptions(4)));
  }
  torch::Tensor forward(torch::Tensor x) { return norm(x); }
  torch::nn::InstanceNorm2d norm{nullptr};
};
TORCH_MODULE(PlainIN);

void instanceNormWithoutStats() {
  PlainIN net;
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

template <class M> struct Evaluator {
  M model;
  void evaluate() {
    torch::NoGradGuard no_grad;
    record(model->forward(batch()));
  }
};

// A module held by a class template, of a dependent type: its class is not
// known in the template.
template <class M> struct Trainer2 {
  M model;
  void fit() {
    while (more()) {
      model->forward(batch()).sum().backward();
    }
    torch::NoGradGuard no_grad;
    record(model->forward(batch()));
  }
};

// A forward pass whose result is trained on in a no-grad scope is none.
void trainedUnderEnableGrad() {
  DropNet net;
  torch::NoGradGuard no_grad;
  {
    torch::AutoGradMode enable(true);
    net->forward(batch()).sum().backward();
  }
}

// A module switched to evaluation mode by a helper of the user's.
void setEval(DropNet &net) { net->eval(); }
void evalThroughHelper() {
  DropNet net;
  setEval(net);
  torch::NoGradGuard no_grad;
  record(net->forward(batch()));
}

// A TorchScript module put in evaluation mode: silent; one never trained
// here keeps the mode it was saved in.
void scriptEval() {
  torch::jit::Module module = torch::jit::load("model.pt");
  module.eval();
  torch::NoGradGuard no_grad;
  record(module.forward({batch()}).toTensor());
}

// A parameter of a function that no code of this file calls: its mode is
// its caller's.
torch::Tensor inferWith(DropNet &net, const torch::Tensor &x) {
  return net->forward(x);
}
