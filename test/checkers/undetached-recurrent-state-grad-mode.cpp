// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch2

// Grad mode at a recurrent call is decided by the innermost grad-mode guard
// whose scope encloses it: autograd re-enabled inside a no-grad scope records
// a graph again.

#include <torch/torch.h>

#include <tuple>

torch::Tensor batch();

using State2 = std::tuple<torch::Tensor, torch::Tensor>;

// ---- Grad mode: the innermost guard decides ---------------------------------

// TBPTT in a scope that re-enables autograd inside a NoGradGuard scope: the
// graph is recorded, so the state carries it.
void tbpttReenabled(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  torch::NoGradGuard NoGrad;
  State2 State;
  {
    torch::AutoGradMode On(true);
    for (int I = 0; I < 10; ++I) {
      auto Out = Lstm->forward(batch(), State);
      // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: recurrent state 'State' is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
      State = std::get<1>(Out);
      auto Loss = std::get<0>(Out).sum();
      Opt.zero_grad();
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: this 'backward()' frees the graph that 'State' still holds
      Opt.step();
    }
  }
  // CHECK-FIXES:      Loss.backward();
  // CHECK-FIXES-NEXT:      State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
}

void inferenceModeOff(torch::nn::GRUCell Cell) {
  c10::InferenceMode Inference;
  torch::Tensor H;
  {
    c10::InferenceMode Off(false);
    for (int I = 0; I < 10; ++I) {
      H = Cell(batch(), H);
      // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: recurrent state 'H' is carried
      H.sum().backward();
    }
  }
}

// Sampling under a NoGradGuard carries its state, but records no graph;
// training in the same epoch loop detaches its own.
void samplingUnderNoGrad(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, SampleH;
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    auto [Out, Next] = Gru(batch(), H);
    H = Next.detach();
    Out.sum().backward();
    Opt.step();
    {
      torch::AutoGradMode On(true);
      {
        torch::NoGradGuard NoGrad;
        for (int T = 0; T < 20; ++T) {
          auto [Y, S] = Gru(batch(), SampleH); // no warning: no graph
          SampleH = S;
        }
      }
    }
  }
}

// A re-enabling guard declared before the no-grad guard does not decide.
void reenabledThenDisabled(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    torch::AutoGradMode On(true);
    torch::NoGradGuard NoGrad;
    H = Cell(batch(), H); // no warning: the NoGradGuard is innermost
    H.sum().backward();
  }
}
