// RUN: %check_torch_tidy %s torch-loss-history-accumulation %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-loss-history-accumulation %t -- -- %mock_torch2

#include <torch/torch.h>

#include <vector>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
torch::Tensor computeLoss(Net &Model, const torch::Tensor &X);
void report(const torch::Tensor &T);
void report(double D);

// ---- Positives ---------------------------------------------------------------

void sumOfLosses(Net Model, torch::optim::SGD &Opt) {
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    torch::Tensor Out = Model->forward(batch());
    torch::Tensor Loss = torch::mse_loss(Out, batch());
    Loss.backward();
    Opt.step();
    Total += Loss;
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'Total' accumulates a tensor that carries autograd history, so the graph of every iteration stays in memory [torch-loss-history-accumulation]
    // CHECK-MESSAGES: :[[@LINE-6]]:32: note: the value comes from this forward pass, which records a graph
    // CHECK-FIXES:    Total += Loss.detach();
  }
  report(Total);
}

// The loss is summed over an epoch; the accumulator is declared in the
// epoch loop, so it outlives every batch of the inner loop.
void perEpoch(Net Model, torch::optim::Adam &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    auto Total = torch::zeros({1});
    for (int B = 0; B < 50; ++B) {
      Opt.zero_grad();
      auto Loss = torch::mse_loss(Model(batch()), batch());
      Loss.backward();
      Opt.step();
      Total = Total + Loss;
      // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'Total' accumulates a tensor that carries autograd history
      // CHECK-MESSAGES: :[[@LINE-5]]:35: note: the value comes from this forward pass
      // CHECK-FIXES:      Total = Total + Loss.detach();
    }
    report(Total / 50);
  }
}

// A container of losses kept for a plot.
std::vector<torch::Tensor> lossCurve(Net Model, torch::optim::SGD &Opt) {
  std::vector<torch::Tensor> History;
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    auto Loss = Model->forward(batch()).pow(2).mean();
    Loss.backward();
    Opt.step();
    History.push_back(Loss);
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'History' collects tensors that carry autograd history, so the graph of every iteration stays in memory
    // CHECK-MESSAGES: :[[@LINE-5]]:24: note: the value comes from this forward pass
    // CHECK-FIXES:    History.push_back(Loss.detach());
  }
  return History;
}

// A GAN's discriminator loss is the sum of two terms.
void ganTerms(Net D, Net G, torch::optim::Adam &OptD) {
  torch::Tensor TotalD = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    OptD.zero_grad();
    torch::Tensor Real = torch::mse_loss(D->forward(batch()), batch());
    torch::Tensor Fake =
        torch::mse_loss(D->forward(G->forward(batch()).detach()), batch());
    Real.backward();
    Fake.backward();
    OptD.step();
    TotalD += Real + Fake;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'TotalD' accumulates a tensor that carries autograd history
    // CHECK-MESSAGES: :[[@LINE-8]]:45: note: the value comes from this forward pass
    // CHECK-FIXES:    TotalD += (Real + Fake).detach();
  }
  report(TotalD);
}

// An evaluation loop without a no-grad scope: every test batch's graph is
// kept by the sum.
double evaluate(Net Model) {
  torch::Tensor TestLoss = torch::zeros({1});
  for (int I = 0; I < 10; ++I)
    TestLoss += torch::mse_loss(Model->forward(batch()), batch());
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'TestLoss' accumulates a tensor
  // CHECK-MESSAGES: :[[@LINE-2]]:40: note: the value comes from this forward pass
  // CHECK-FIXES:    TestLoss += torch::mse_loss(Model->forward(batch()), batch()).detach();
  return TestLoss.item<double>();
}

// The loss comes from a helper defined elsewhere; that 'backward()' uses it
// says it has a graph.
void lossFromHelper(Net Model, torch::optim::SGD &Opt) {
  torch::Tensor Sum = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    torch::Tensor Loss = computeLoss(Model, batch());
    Loss.backward();
    Opt.step();
    Sum.add_(Loss);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'Sum' accumulates a tensor
    // CHECK-MESSAGES: :[[@LINE-5]]:26: note: the value carries the graph that 'backward()' uses
    // CHECK-FIXES:    Sum.add_(Loss.detach());
  }
  report(Sum);
}

// A field outlives the loop too; code elsewhere might differentiate it, so
// the fix is on a note.
struct Trainer {
  Net Model;
  torch::optim::SGD *Opt;
  torch::Tensor EpochLoss;
  void epoch() {
    for (int I = 0; I < 100; ++I) {
      Opt->zero_grad();
      torch::Tensor Loss = Model->forward(batch()).mean();
      Loss.backward();
      Opt->step();
      EpochLoss += Loss;
      // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'EpochLoss' accumulates a tensor
      // CHECK-MESSAGES: :[[@LINE-5]]:35: note: the value comes from this forward pass
      // CHECK-MESSAGES: :[[@LINE-3]]:20: note: detach the value if nothing differentiates 'EpochLoss' later
      // CHECK-FIXES:      EpochLoss += Loss;
    }
  }
};

// Inside a macro the warning stands alone.
#define ACCUMULATE(Acc, Value) Acc += Value
void inMacro(Net Model, torch::optim::SGD &Opt) {
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    torch::Tensor Loss = Model->forward(batch()).mean();
    Loss.backward();
    Opt.step();
    ACCUMULATE(Total, Loss);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'Total' accumulates a tensor
    // CHECK-MESSAGES: :[[@LINE-5]]:33: note: the value comes from this forward pass
    // CHECK-FIXES:    ACCUMULATE(Total, Loss);
  }
  report(Total);
}

// ---- Negatives: the correct idioms -----------------------------------------

// A number keeps no graph.
void itemIntoDouble(Net Model, torch::optim::SGD &Opt) {
  double Total = 0;
  torch::Tensor TotalT = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    auto Loss = Model->forward(batch()).mean();
    Loss.backward();
    Opt.step();
    Total += Loss.item<float>();
    Total += Loss.item().toDouble();
    TotalT += Loss.item<float>();
  }
  report(Total);
  report(TotalT);
}

// The detached value and the data keep no graph.
void detached(Net Model, torch::optim::SGD &Opt) {
  torch::Tensor Total = torch::zeros({1});
  std::vector<torch::Tensor> History;
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    auto Loss = Model->forward(batch()).mean();
    Loss.backward();
    Opt.step();
    Total += Loss.detach();
    Total += Loss.data();
    History.push_back(Loss.detach());
  }
  report(Total);
}

// Accumulated under a no-grad scope: nothing is recorded.
void underNoGrad(Net Model) {
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 10; ++I) {
    torch::NoGradGuard NoGrad;
    Total += torch::mse_loss(Model->forward(batch()), batch());
  }
  report(Total);
}

// The whole evaluation runs under a guard; the sum is added inside it.
void evaluateGuarded(Net Model) {
  torch::NoGradGuard NoGrad;
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 10; ++I)
    Total += torch::mse_loss(Model->forward(batch()), batch());
  report(Total);
}

// The accumulator lives for one iteration.
void declaredInLoop(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    torch::Tensor StepLoss = torch::zeros({1});
    StepLoss += Model->forward(batch()).mean();
    StepLoss.backward();
    Opt.step();
  }
}

// Full-batch training: the sum is differentiated once, after the loop.
void fullBatch(Net Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 10; ++I)
    Total = Total + torch::mse_loss(Model->forward(batch()), batch());
  Total.backward();
  Opt.step();
}

// One step's loss summed over terms (layers, heads) in an inner loop, then
// differentiated: the graph is needed.
void lossOverTerms(Net Model, torch::optim::SGD &Opt, std::vector<Net> &Heads) {
  for (int Step = 0; Step < 100; ++Step) {
    Opt.zero_grad();
    torch::Tensor Features = Model->forward(batch());
    torch::Tensor Loss = torch::zeros({1});
    for (auto &Head : Heads)
      Loss += torch::mse_loss(Head->forward(Features), batch());
    Loss.backward();
    Opt.step();
  }
}

// A helper that sums a loss and returns it, without training: its caller
// decides what to do with the graph.
torch::Tensor datasetLoss(Net Model) {
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 10; ++I)
    Total += torch::mse_loss(Model->forward(batch()), batch());
  return Total;
}

// Values that carry no graph of the loop: the input batches.
void collectInputs() {
  std::vector<torch::Tensor> Inputs;
  torch::Tensor Sum = torch::zeros({1});
  for (int I = 0; I < 10; ++I) {
    torch::Tensor X = batch();
    Inputs.push_back(X);
    Sum += X;
  }
  report(Sum);
}
