// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch2

// A module's zero_grad() clears the optimizers whose parameters come from
// that module (see model::OptimizerParameters), not every optimizer: GANs,
// CycleGANs and class-based trainers as real programs write them.

#include <torch/torch.h>

#include <memory>
#include <vector>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Head(Encoder(X)); }
  torch::nn::Linear Encoder{nullptr};
  torch::nn::Linear Head{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
bool lossIsHigh();

// ---- Positives ---------------------------------------------------------------

// The discriminator is cleared, the generator's optimizer never is.
void ganGeneratorNeverCleared(Net Gen, Net Disc) {
  torch::optim::Adam GenOpt(Gen->parameters(), torch::optim::AdamOptions(2e-4));
  torch::optim::Adam DiscOpt(Disc->parameters(), torch::optim::AdamOptions(2e-4));
  for (int I = 0; I < 10; ++I) {
    Disc->zero_grad();
    torch::Tensor Fake = Gen(batch());
    torch::Tensor DLoss = Disc(batch()).mean() - Disc(Fake.detach()).mean();
    // The discriminator's backward() is reported too: nothing says that its
    // graph does not reach the generator.
    DLoss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    // CHECK-MESSAGES: :[[@LINE+5]]:12: note: the summed gradients are consumed by this 'step()'
    DiscOpt.step();
    torch::Tensor GLoss = Disc(Fake).mean() * -1.0;
    GLoss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    GenOpt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:12: note: the summed gradients are consumed by this 'step()'
  }
  // CHECK-FIXES:  for (int I = 0; I < 10; ++I) {
  // CHECK-FIXES-NEXT:    GenOpt.zero_grad();
  // CHECK-FIXES-NEXT:    Disc->zero_grad();
}

// The same with the optimizers as members built in the constructor.
struct GanTrainer {
  Net Gen;
  Net Disc;
  torch::optim::Adam GenOpt;
  std::shared_ptr<torch::optim::Adam> DiscOpt;

  GanTrainer(Net G, Net D)
      : Gen(G), Disc(D), GenOpt(Gen->parameters()),
        DiscOpt(std::make_shared<torch::optim::Adam>(Disc->parameters())) {}

  void generatorEpoch() {
    for (int I = 0; I < 10; ++I) {
      Disc->zero_grad();
      Disc(Gen(batch())).mean().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: gradients are not cleared
      GenOpt.step();
      // CHECK-MESSAGES: :[[@LINE-1]]:14: note: the summed gradients are consumed by this 'step()'
    }
  }

  void discriminatorEpoch() {
    for (int I = 0; I < 10; ++I) {
      Gen->zero_grad();
      Disc(batch()).mean().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: gradients are not cleared
      DiscOpt->step();
      // CHECK-MESSAGES: :[[@LINE-1]]:16: note: the summed gradients are consumed by this 'step()'
    }
  }
};

// ---- Negatives: real idioms ----------------------------------------------

// DCGAN: real and fake discriminator losses accumulate on purpose.
void dcgan(Net Gen, Net Disc) {
  torch::optim::Adam GenOpt(Gen->parameters());
  torch::optim::Adam DiscOpt(Disc->parameters());
  for (int I = 0; I < 10; ++I) {
    Disc->zero_grad();
    Disc(batch()).mean().backward(); // no warning
    torch::Tensor Fake = Gen(batch());
    Disc(Fake.detach()).mean().backward(); // no warning
    DiscOpt.step();
    Gen->zero_grad();
    Disc(Fake).mean().backward(); // no warning
    GenOpt.step();
  }
}

// CycleGAN: two generators cleared before one backward, one optimizer
// over both of them.
void cycleGanConcatenated(Net GenA, Net GenB) {
  std::vector<torch::Tensor> Params = GenA->parameters();
  auto B = GenB->parameters();
  Params.insert(Params.end(), B.begin(), B.end());
  torch::optim::Adam Opt(Params);
  for (int I = 0; I < 10; ++I) {
    GenA->zero_grad();
    GenB->zero_grad();
    (GenA(batch()).mean() + GenB(batch()).mean()).backward(); // no warning
    Opt.step();
  }
}

void cycleGanParamGroups(Net GenA, Net GenB) {
  torch::optim::Adam Opt({torch::optim::OptimizerParamGroup(GenA->parameters()),
                          torch::optim::OptimizerParamGroup(GenB->parameters())});
  for (int I = 0; I < 10; ++I) {
    GenB->zero_grad();
    GenA->zero_grad();
    GenB(GenA(batch())).mean().backward(); // no warning
    Opt.step();
  }
}

// Two optimizers cleared before one shared backward.
void twoOptimizersOneBackward(Net GenA, Net GenB) {
  torch::optim::Adam OptA(GenA->parameters());
  torch::optim::Adam OptB(GenB->parameters());
  for (int I = 0; I < 10; ++I) {
    OptA.zero_grad();
    OptB.zero_grad();
    GenB(GenA(batch())).mean().backward(); // no warning
    OptA.step();
    OptB.step();
  }
}

void wholeModel(Net Model) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  for (int I = 0; I < 10; ++I) {
    Model->zero_grad();
    Model(batch()).sum().backward(); // no warning
    Opt.step();
  }
}

void submoduleOnly(Net Model) {
  torch::optim::SGD Opt(Model->Head->parameters(), torch::optim::SGDOptions(0.1));
  for (int I = 0; I < 10; ++I) {
    Model->zero_grad();
    Model(batch()).sum().backward(); // no warning: Head is in Model
    Opt.step();
  }
}

void clearsSubmoduleOfOptimizersModule(Net Model) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  for (int I = 0; I < 10; ++I) {
    Model->Head->zero_grad();
    Model(batch()).sum().backward(); // no warning: conservative, partly cleared
    Opt.step();
  }
}

void sharedPointer(Net Model) {
  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
  for (int I = 0; I < 10; ++I) {
    Model->zero_grad();
    Model(batch()).sum().backward(); // no warning
    Opt->step();
  }
}

void rawPointer(Net Model, Net Other) {
  torch::optim::Optimizer *Opt = new torch::optim::Adam(Other->parameters());
  for (int I = 0; I < 10; ++I) {
    (*Opt).zero_grad();
    Model->zero_grad();
    Other(Model(batch())).sum().backward(); // no warning
    (*Opt).step();
  }
  delete Opt;
}

// The optimizer's parameters are unknown: any module's zero_grad() clears.
void unknownOptimizer(Net Model, Net Other, torch::optim::Optimizer &Opt) {
  for (int I = 0; I < 10; ++I) {
    Other->zero_grad();
    Model(batch()).sum().backward(); // no warning
    Opt.step();
  }
}

void unknownParameters(Net Model, Net Other, std::vector<torch::Tensor> Params) {
  torch::optim::Adam Opt(Params);
  for (int I = 0; I < 10; ++I) {
    Other->zero_grad();
    Model(batch()).sum().backward(); // no warning
    Opt.step();
  }
}

// Gradient accumulation with a module's zero_grad() after every k-th step.
void accumulation(Net Model) {
  torch::optim::Adam Opt(Model->parameters());
  for (int I = 0; I < 100; ++I) {
    (Model(batch()).sum() / 4.0).backward(); // no warning
    if ((I + 1) % 4 == 0) {
      Opt.step();
      Model->zero_grad();
    }
  }
}

// A class-based GAN trainer: optimizers assigned in the constructor body,
// generators cleared before each loss.
struct CycleGan {
  Net GenA, GenB, DisA;
  std::shared_ptr<torch::optim::Adam> GenOpt;
  torch::optim::Adam *DisOpt = nullptr;

  CycleGan() {
    std::vector<torch::Tensor> Params;
    for (auto &P : GenA->parameters())
      Params.push_back(P);
    for (auto &P : GenB->parameters())
      Params.push_back(P);
    GenOpt = std::make_shared<torch::optim::Adam>(Params);
    DisOpt = new torch::optim::Adam(DisA->parameters());
  }

  void step() {
    for (int I = 0; I < 10; ++I) {
      if (!lossIsHigh())
        continue;
      GenA->zero_grad();
      GenB->zero_grad();
      DisA(GenB(GenA(batch()))).mean().backward(); // no warning
      GenOpt->step();
      DisA->zero_grad();
      DisA(batch()).mean().backward(); // no warning
      (*DisOpt).step();
    }
  }
};
