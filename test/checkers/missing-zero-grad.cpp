// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch2

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
bool shouldStep(int I);

// ---- Positives ---------------------------------------------------------------

void byValue(Net Model, torch::optim::SGD Opt) {
  for (int I = 0; I < 10; ++I) {
    torch::Tensor Loss = Model(batch()).mean();
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }
  // CHECK-FIXES:void byValue(Net Model, torch::optim::SGD Opt) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    torch::Tensor Loss = Model(batch()).mean();
}

void throughSharedPtr(Net Model) {
  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
  int Epoch = 0;
  while (Epoch++ < 3) {
    auto Loss = torch::mse_loss(Model->forward(batch()), batch());
    torch::autograd::backward({Loss});
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: gradients are not cleared before this 'backward()'
    Opt->step();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: note: the summed gradients are consumed by this 'step()'
  }
  // CHECK-FIXES:void throughSharedPtr(Net Model) {
  // CHECK-FIXES-NEXT:  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
  // CHECK-FIXES-NEXT:  int Epoch = 0;
  // CHECK-FIXES-NEXT:  while (Epoch++ < 3) {
  // CHECK-FIXES-NEXT:    Opt->zero_grad();
}

void rawPointerAndAliases(Net Model, torch::optim::Optimizer *Opt) {
  using T = torch::autograd::Variable;
  for (int I = 0; I < 10; ++I) {
    T Loss = Model(batch()).sum();
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: gradients are not cleared
    (*Opt).step();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: note: the summed gradients
  }
  // CHECK-FIXES:void rawPointerAndAliases(Net Model, torch::optim::Optimizer *Opt) {
  // CHECK-FIXES-NEXT:  using T = torch::autograd::Variable;
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    Opt->zero_grad();
}

// Cleared only on some iterations: the other path accumulates.
void clearedOnlySometimes(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    if (I == 0)
      Opt.zero_grad();
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients
  }
  // CHECK-FIXES:void clearedOnlySometimes(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    if (I == 0)
}

// Full-batch accumulation, but nothing clears between epochs.
void epochAccumulates(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 5; ++Epoch) {
    for (int B = 0; B < 8; ++B) {
      Model(batch()).sum().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: gradients are not cleared
    }
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients
  }
  // CHECK-FIXES:void epochAccumulates(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  for (int Epoch = 0; Epoch < 5; ++Epoch) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    for (int B = 0; B < 8; ++B) {
}

// Manual SGD over the module's parameters.
void manualSgd(Net Model) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared
    torch::NoGradGuard NoGrad;
    for (auto &P : Model->parameters())
      P.sub_(P.grad() * 0.01);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this parameter update
  }
  // CHECK-FIXES:void manualSgd(Net Model) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    Model->zero_grad();
}

void manualSgdOperator(std::vector<torch::Tensor> &Params) {
  for (int I = 0; I < 10; ++I) {
    (Params[0] * batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: gradients are not cleared
    for (auto &P : Params)
      P.data() -= P.grad() * 0.01;
    // CHECK-MESSAGES: :[[@LINE-1]]:16: note: the summed gradients are consumed by this parameter update
  }
  // no fix: the module that owns the parameters is unknown
  // CHECK-FIXES:void manualSgdOperator(std::vector<torch::Tensor> &Params) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    (Params[0] * batch()).sum().backward();
}

// A single-line loop body gets its clearing on the same line.
void oneLine(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) { Model(batch()).sum().backward(); Opt.step(); }
  // CHECK-MESSAGES: :[[@LINE-1]]:54: warning: gradients are not cleared
  // CHECK-MESSAGES: :[[@LINE-2]]:70: note: the summed gradients
  // CHECK-FIXES:  for (int I = 0; I < 3; ++I) { Opt.zero_grad(); Model(batch()).sum().backward(); Opt.step(); }
}

struct Trainer {
  Net Model;
  std::unique_ptr<torch::optim::Optimizer> Opt;
  void run() {
    for (int I = 0; I < 10; ++I) {
      Model(batch()).sum().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: gradients are not cleared
      Opt->step();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: the summed gradients
    }
    // CHECK-FIXES:  void run() {
    // CHECK-FIXES-NEXT:    for (int I = 0; I < 10; ++I) {
    // CHECK-FIXES-NEXT:      Opt->zero_grad();
  }
};

// Two steps of one optimizer in one iteration: clearing at the top of the
// loop would not separate them, so there is no fix.
void twoStepsPerIteration(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    Model(batch()).sum().backward();
    Opt.step();
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-4]]:9: note: the summed gradients
  }
  // CHECK-FIXES:void twoStepsPerIteration(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    Model(batch()).sum().backward();
}

// zero_grad() between backward() and step(): the step sees zero gradients.
void clearedTooLate(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    Opt.zero_grad();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'zero_grad()' clears the gradients from 'backward()' before 'step()' uses them [torch-missing-zero-grad]
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: 'step()' sees zero gradients here
  }
}

// Inside a macro: warn, never fix.
#define TRAIN_STEP(OPT, LOSS)                                                  \
  do {                                                                         \
    (LOSS).backward();                                                         \
    (OPT).step();                                                              \
  } while (false)

void inMacro(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    TRAIN_STEP(Opt, Model(batch()).sum());
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: gradients are not cleared
    // CHECK-MESSAGES: :[[@LINE-2]]:5: note: the summed gradients
  }
  // CHECK-FIXES:void inMacro(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    TRAIN_STEP(Opt, Model(batch()).sum());
}

// A template whose loop does not depend on its parameters: one warning and
// one fix, on the template as written, whatever its instantiations.
template <int Epochs> void templateNonDependent(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < Epochs; ++I) {
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients
  }
  // CHECK-FIXES:template <int Epochs> void templateNonDependent(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  for (int I = 0; I < Epochs; ++I) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    Model(batch()).sum().backward();
}
template void templateNonDependent<1>(Net, torch::optim::SGD &);
template void templateNonDependent<2>(Net, torch::optim::SGD &);

// Code in namespaces and out-of-line members, and a loop in a lambda.
namespace project::training {
struct Trainer {
  void epoch(Net Model, torch::optim::SGD &Opt);
};
} // namespace project::training

void project::training::Trainer::epoch(Net Model, torch::optim::SGD &Opt) {
  auto Run = [&](int Steps) {
    for (int I = 0; I < Steps; ++I) {
      Model(batch()).sum().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: gradients are not cleared
      Opt.step();
      // CHECK-MESSAGES: :[[@LINE-1]]:11: note: the summed gradients
    }
  };
  // CHECK-FIXES:  auto Run = [&](int Steps) {
  // CHECK-FIXES-NEXT:    for (int I = 0; I < Steps; ++I) {
  // CHECK-FIXES-NEXT:      Opt.zero_grad();
  Run(10);
}

// ---- Negatives: the correct idioms -----------------------------------------

void clearedAtTop(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad(); // no warning: cleared before every backward()
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void clearedAfterStep(Net Model, torch::optim::AdamW &Opt) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    Opt.step();
    Opt.zero_grad(); // no warning: cleared after every step()
  }
}

void moduleZeroGrad(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Model->zero_grad(); // no warning: the module clears its parameters
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void accumulateEveryK(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 100; ++I) {
    (Model(batch()).sum() / 4.0).backward(); // no warning: accumulation
    if ((I + 1) % 4 == 0) {
      Opt.step();
      Opt.zero_grad(); // cleared together with every step()
    }
  }
}

void fullBatch(Net Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  for (int B = 0; B < 8; ++B)
    Model(batch()).sum().backward(); // no warning: one step after the loop
  Opt.step();
}

void fullBatchPerEpoch(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 5; ++Epoch) {
    Opt.zero_grad(); // no warning: cleared once per epoch
    for (int B = 0; B < 8; ++B)
      Model(batch()).sum().backward();
    Opt.step();
  }
}

void lbfgs(Net Model, torch::optim::LBFGS &Opt) {
  for (int I = 0; I < 10; ++I) {
    auto Closure = [&] {
      Opt.zero_grad(); // no warning: the closure clears and computes
      auto Loss = Model(batch()).sum();
      Loss.backward();
      return Loss;
    };
    Opt.step(Closure);
  }
}

void gradientsOnly(Net Model) {
  for (int I = 0; I < 10; ++I) {
    torch::Tensor X = batch().requires_grad_();
    auto Grads = torch::autograd::grad({Model(X).sum()}, {X});
    // no warning: no backward(), no parameter update
    Model(X).sum().backward(); // no warning: nothing updates the parameters
  }
}

void clearHelper(torch::optim::Optimizer &Opt) { Opt.zero_grad(); }
void clearViaHelper(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    clearHelper(Opt); // no warning: the helper clears
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void clearGradsByHand(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    for (auto &P : Model->parameters())
      if (P.grad().defined())
        P.mutable_grad().zero_(); // no warning: cleared by hand
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void resetGrads(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    Opt.step();
    for (auto &P : Model->parameters())
      P.mutable_grad() = torch::Tensor(); // no warning: gradients reset
  }
}

void ganTwoOptimizers(Net Gen, Net Disc, torch::optim::Adam &OptG,
                      torch::optim::Adam &OptD) {
  for (int I = 0; I < 10; ++I) {
    OptD.zero_grad(); // no warning: each optimizer cleared before its loss
    Disc(batch()).sum().backward();
    OptD.step();
    OptG.zero_grad();
    Disc(Gen(batch())).sum().backward();
    OptG.step();
  }
}

void manualSgdCleared(Net Model) {
  for (int I = 0; I < 10; ++I) {
    Model(batch()).sum().backward();
    torch::NoGradGuard NoGrad;
    for (auto &P : Model->parameters()) {
      P.sub_(P.grad() * 0.01);
      P.mutable_grad().zero_(); // no warning: cleared after the update
    }
  }
}

void backwardOutsideLoop(Net Model, torch::optim::SGD &Opt) {
  Model(batch()).sum().backward(); // no warning: not in a loop
  Opt.step();
}

template <typename Optim> void inTemplate(Net Model, Optim &Opt) {
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad(); // no warning: cleared (also in every instantiation)
    Model(batch()).sum().backward();
    Opt.step();
  }
}
template void inTemplate(Net, torch::optim::SGD &);
