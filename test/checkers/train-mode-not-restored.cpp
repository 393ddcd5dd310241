// RUN: %check_torch_tidy %s torch-train-mode-not-restored %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-train-mode-not-restored %t -- -- %mock_torch2

#include <torch/script.h>
#include <torch/torch.h>

#include <vector>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Drop(Fc(X)); }
  torch::nn::Linear Fc{nullptr};
  torch::nn::Dropout Drop{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
std::vector<torch::Tensor> loader();
bool improved();

// ---- Positives ---------------------------------------------------------------

// Validation inside the epoch loop switches to evaluation mode; epochs 2..N
// train in it.
void validateInEpoch(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    for (auto &X : loader()) {
      Opt.zero_grad();
      auto Loss = Model->forward(X).mean();
      Loss.backward();
      Opt.step();
    }
    Model->eval();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'Model' is put in evaluation mode here and not back in training mode before the next training forward pass [torch-train-mode-not-restored]
    // CHECK-MESSAGES: :[[@LINE-6]]:26: note: this forward pass then trains 'Model' in evaluation mode: dropout is off and batch norm uses its running statistics
    torch::NoGradGuard NoGrad;
    for (auto &X : loader())
      Model->forward(X);
  }
  // CHECK-FIXES:  for (int Epoch = 0; Epoch < 10; ++Epoch) {
  // CHECK-FIXES-NEXT:    Model->train();
  // CHECK-FIXES-NEXT:    for (auto &X : loader()) {
}

// `train(false)` is evaluation mode too, through a `std::shared_ptr`.
void trainFalse(std::shared_ptr<NetImpl> Seq, torch::optim::Adam &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Opt.zero_grad();
    auto Loss = Seq->forward(batch()).mean();
    Loss.backward();
    Opt.step();
    if (improved())
      Seq->train(false);
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'Seq' is put in evaluation mode here
    // CHECK-MESSAGES: :[[@LINE-6]]:22: note: this forward pass then trains 'Seq'
  }
  // CHECK-FIXES:  for (int Epoch = 0; Epoch < 10; ++Epoch) {
  // CHECK-FIXES-NEXT:    Seq->train();
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
}

// The evaluation helper leaves the module in evaluation mode.
void test(Net &Model) {
  Model->eval();
  torch::NoGradGuard NoGrad;
  for (auto &X : loader())
    Model->forward(X);
}

void helperLeavesEval(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    for (auto &X : loader()) {
      Opt.zero_grad();
      Model->forward(X).mean().backward();
      Opt.step();
    }
    test(Model);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'test' leaves 'Model' in evaluation mode, and nothing puts it back in training mode before the next training forward pass
    // CHECK-MESSAGES: :[[@LINE-15]]:10: note: evaluation mode is set here
    // CHECK-MESSAGES: :[[@LINE-6]]:14: note: this forward pass then trains 'Model'
  }
  // CHECK-FIXES:  for (int Epoch = 0; Epoch < 10; ++Epoch) {
  // CHECK-FIXES-NEXT:    Model->train();
}

// A TorchScript module: its copies share the module, and its mode is set
// the same way.
template <typename Loader>
void testScripted(torch::jit::Module Net, Loader &L) {
  Net.eval();
  torch::NoGradGuard NoGrad;
  for (auto &X : L)
    Net.forward({X});
}

template <typename Loader>
void trainScripted(torch::jit::Module Net, Loader &L, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 25; ++Epoch) {
    for (auto &X : L) {
      Opt.zero_grad();
      auto Out = Net.forward({X}).toTensor();
      Out.mean().backward();
      Opt.step();
    }
    testScripted(Net, L);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'testScripted' leaves 'Net' in evaluation mode
    // CHECK-MESSAGES: :[[@LINE-17]]:7: note: evaluation mode is set here
    // CHECK-MESSAGES: :[[@LINE-7]]:22: note: this forward pass then trains 'Net'
  }
  // CHECK-FIXES:  for (int Epoch = 0; Epoch < 25; ++Epoch) {
  // CHECK-FIXES-NEXT:    Net.train();
}

// ---- Negatives: the correct idioms -----------------------------------------

// `train()` at the top of every epoch.
void trainAtTop(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Model->train();
    for (auto &X : loader()) {
      Opt.zero_grad();
      Model->forward(X).mean().backward();
      Opt.step();
    }
    Model->eval();
    torch::NoGradGuard NoGrad;
    for (auto &X : loader())
      Model->forward(X);
  }
}

// `train(true)` at the end of validation.
void trainTrueAfterValidation(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    for (auto &X : loader()) {
      Opt.zero_grad();
      Model->forward(X).mean().backward();
      Opt.step();
    }
    Model->eval();
    {
      torch::NoGradGuard NoGrad;
      Model->forward(batch());
    }
    Model->train(true);
  }
}

// The validation helper restores the mode it found.
void validateRestoring(Net &Model) {
  const bool WasTraining = Model->is_training();
  Model->eval();
  torch::NoGradGuard NoGrad;
  Model->forward(batch());
  Model->train(WasTraining);
}

void helperRestores(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    for (auto &X : loader()) {
      Opt.zero_grad();
      Model->forward(X).mean().backward();
      Opt.step();
    }
    validateRestoring(Model);
  }
}

// A training helper that sets the mode first.
void trainEpoch(Net &Model, torch::optim::SGD &Opt) {
  Model->train();
  for (auto &X : loader()) {
    Opt.zero_grad();
    Model->forward(X).mean().backward();
    Opt.step();
  }
}

void trainHelperSetsMode(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    trainEpoch(Model, Opt);
    test(Model);
  }
}

// Evaluation after the loop, or before leaving it.
void evalAfterLoop(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Opt.zero_grad();
    Model->forward(batch()).mean().backward();
    Opt.step();
    if (improved()) {
      Model->eval();
      break;
    }
  }
  Model->eval();
  torch::NoGradGuard NoGrad;
  Model->forward(batch());
}

// `train()` skipped only after the last epoch.
void restoredUnlessLast(Net Model, torch::optim::SGD &Opt) {
  const int Epochs = 10;
  for (int Epoch = 1; Epoch <= Epochs; ++Epoch) {
    for (auto &X : loader()) {
      Opt.zero_grad();
      Model->forward(X).mean().backward();
      Opt.step();
    }
    Model->eval();
    {
      torch::NoGradGuard NoGrad;
      Model->forward(batch());
    }
    if (Epoch != Epochs)
      Model->train();
  }
}

// Another module is evaluated: the trained one keeps its mode.
void otherModule(Net Model, Net Teacher, torch::optim::SGD &Opt) {
  Teacher->eval();
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Teacher->eval();
    Opt.zero_grad();
    torch::Tensor Target;
    {
      torch::NoGradGuard NoGrad;
      Target = Teacher->forward(batch());
    }
    torch::mse_loss(Model->forward(batch()), Target).backward();
    Opt.step();
  }
}

// A TorchScript module put back in training mode at the top of the epoch.
template <typename Loader>
void trainScriptedRestored(torch::jit::Module Net, Loader &L,
                           torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 25; ++Epoch) {
    Net.train();
    for (auto &X : L) {
      Opt.zero_grad();
      Net.forward({X}).toTensor().mean().backward();
      Opt.step();
    }
    testScripted(Net, L);
  }
}
