// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch2

// Clearing helpers through chains of calls, in any definition order: the
// verdict comes from model::FunctionSummary::ClearsGradients, computed over
// the call graph's strongly connected components.

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();
bool again();
void log(const char *What);

// Defined before their callers.
void clearFirst(torch::optim::Optimizer &Opt) { Opt.zero_grad(); }
void viaFirst(torch::optim::Optimizer &Opt) { clearFirst(Opt); }

// Declared here, defined after their callers.
void clearLater(torch::optim::Optimizer &Opt);
void outerLater(torch::optim::Optimizer &Opt);
void innerLater(torch::optim::Optimizer &Opt);

// A five-deep chain.
void depth5(Net &M);
void depth4(Net &M) { depth5(M); }
void depth3(Net &M) { depth4(M); }
void depth2(Net &M) { depth3(M); }
void depth1(Net &M) { depth2(M); }
void depth5(Net &M) { M->zero_grad(); }

// A recursive pair that clears, and one that never does.
void pingClears(torch::optim::Optimizer &Opt, int N);
void pongClears(torch::optim::Optimizer &Opt, int N) {
  if (N > 0)
    pingClears(Opt, N - 1);
  else
    Opt.zero_grad();
}
void pingClears(torch::optim::Optimizer &Opt, int N) { pongClears(Opt, N); }
void pingKeeps(int N);
void pongKeeps(int N) {
  if (N > 0)
    pingKeeps(N - 1);
  log("pong");
}
void pingKeeps(int N) { pongKeeps(N); }

template <class Optim> void clearTemplate(Optim &Opt) { Opt.zero_grad(); }

// ---- Negatives ---------------------------------------------------------------

void helperBefore(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    viaFirst(Opt); // no warning: clears through clearFirst
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void helperAfter(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    clearLater(Opt); // no warning: defined below
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void helperCallingLaterHelper(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    outerLater(Opt); // no warning: outerLater calls innerLater, which clears
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void fiveDeep(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    depth1(Model); // no warning: depth5 clears
    Model(batch()).sum().backward();
    Opt.step();
  }
}

// After fiveDeep, which asked about depth4 through four calls first.
void fourthOfFive(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    depth4(Model); // no warning
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void recursivePair(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    pingClears(Opt, 3); // no warning: pongClears clears
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void templateHelper(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    clearTemplate(Opt); // no warning
    Model(batch()).sum().backward();
    Opt.step();
  }
}

void lambdaHelper(Net Model, torch::optim::SGD &Opt) {
  auto Clear = [&] { viaFirst(Opt); };
  for (int I = 0; I < 10; ++I) {
    Clear(); // no warning
    Model(batch()).sum().backward();
    Opt.step();
  }
}

// ---- Positives ---------------------------------------------------------------

void recursivePairThatKeeps(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    pingKeeps(3);
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }
}

void chainThatLogs(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    pongKeeps(1);
    Model(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: gradients are not cleared before this 'backward()'
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }
}

void clearLater(torch::optim::Optimizer &Opt) { Opt.zero_grad(); }
void outerLater(torch::optim::Optimizer &Opt) { innerLater(Opt); }
void innerLater(torch::optim::Optimizer &Opt) { Opt.zero_grad(); }

// ---- Training-step helpers ---------------------------------------------------
// A helper that runs backward() and step() once, called in a loop: it is the
// helper that never clears, so the warning goes at its backward(), with a
// note at the call in the loop; the fix clears at the top of the helper.

torch::Tensor updateDiscriminator(Net D, torch::optim::Adam &TrainerD) {
  torch::Tensor Loss = D(batch()).mean();
  Loss.backward();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: gradients are not cleared before this 'backward()', so they accumulate across calls of 'updateDiscriminator' [torch-missing-zero-grad]
  TrainerD.step();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: note: the summed gradients are consumed by this 'step()'
  // CHECK-MESSAGES: :[[@LINE+15]]:5: note: 'updateDiscriminator' is called in a loop here, with no 'zero_grad()' between the calls
  return Loss;
  // CHECK-FIXES:torch::Tensor updateDiscriminator(Net D, torch::optim::Adam &TrainerD) {
  // CHECK-FIXES-NEXT:  TrainerD.zero_grad();
  // CHECK-FIXES-NEXT:  torch::Tensor Loss = D(batch()).mean();
}
torch::Tensor updateGenerator(Net G, torch::optim::Adam &TrainerG) {
  TrainerG.zero_grad();
  torch::Tensor Loss = G(batch()).mean();
  Loss.backward();
  TrainerG.step();
  return Loss;
}
void trainGan(Net D, Net G, torch::optim::Adam &OptD, torch::optim::Adam &OptG) {
  for (int I = 0; I < 10; ++I) {
    updateDiscriminator(D, OptD);
    // The generator's step clears OptG, not OptD.
    updateGenerator(G, OptG);
  }
}

// Negatives: the caller clears the helper's optimizer, or calls it once.
void clearsAroundHelper(Net D, torch::optim::Adam &OptD) {
  for (int I = 0; I < 10; ++I) {
    OptD.zero_grad();
    updateDiscriminator(D, OptD);
  }
}
void clearsThroughHelper(Net D, torch::optim::Optimizer &OptD) {
  for (int I = 0; I < 10; ++I) {
    clearLater(OptD);
    updateDiscriminator(D, static_cast<torch::optim::Adam &>(OptD));
  }
}
void calledOnce(Net D, torch::optim::Adam &OptD) {
  updateDiscriminator(D, OptD);
}
