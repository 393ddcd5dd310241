// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch2

#include <torch/torch.h>

#include <tuple>

torch::Tensor batch();
bool chunkEnd(int T);

using State2 = std::tuple<torch::Tensor, torch::Tensor>;

struct DecoderImpl : torch::nn::Module {
  torch::Tensor forward(const torch::Tensor &X, const torch::Tensor &H);
};
TORCH_MODULE(Decoder);

struct PairCellImpl : torch::nn::Module {
  std::pair<torch::Tensor, torch::Tensor>
  forward(const torch::Tensor &X,
          const std::pair<torch::Tensor, torch::Tensor> &State);
};
TORCH_MODULE(PairCell);

struct LazyCellImpl : torch::nn::Module {
  torch::Tensor forward(const torch::Tensor &X, c10::optional<torch::Tensor> H);
};
TORCH_MODULE(LazyCell);

struct EncoderImpl : torch::nn::Module {
  torch::Tensor forward(const torch::Tensor &X);
};
TORCH_MODULE(Encoder);

// ---- Positives: LSTM tuple state ---------------------------------------------

void lstmTie(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  State2 State;
  torch::Tensor Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, State) = Lstm(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: recurrent state 'State' is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
    Opt.zero_grad();
    Out.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' frees the graph that 'State' still holds
    Opt.step();
  }
  // CHECK-FIXES:void lstmTie(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Out.sum().backward();
  // CHECK-FIXES-NEXT:    State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
  // CHECK-FIXES-NEXT:    //
}

// Reassigned through a structured binding after backward(): the detach goes
// right after the reassignment, where the carried value is.
void lstmStructuredBinding(torch::nn::LSTM Lstm, torch::optim::Adam &Opt) {
  std::tuple<torch::Tensor, torch::Tensor> State;
  for (int Epoch = 0; Epoch < 3; ++Epoch) {
    for (int I = 0; I < 10; ++I) {
      auto [Out, NewState] = Lstm->forward(batch(), State);
      // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: recurrent state 'State' is carried
      auto Loss = Out.sum();
      Opt.zero_grad();
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: this 'backward()' frees the graph that 'State' still holds
      Opt.step();
      State = NewState;
    }
  }
  // CHECK-FIXES:void lstmStructuredBinding(torch::nn::LSTM Lstm, torch::optim::Adam &Opt) {
  // CHECK-FIXES:      Loss.backward();
  // CHECK-FIXES-NEXT:      //
  // CHECK-FIXES-NEXT:      Opt.step();
  // CHECK-FIXES-NEXT:      State = NewState;
  // CHECK-FIXES-NEXT:      State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
  // CHECK-FIXES-NEXT:    }
}

void lstmStdGet(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  State2 State = {torch::zeros({1, 1, 4}), torch::zeros({1, 1, 4})};
  for (int I = 0; I < 10; ++I) {
    auto Result = Lstm->forward(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: recurrent state 'State' is carried
    State = std::get<1>(Result);
    std::get<0>(Result).mean().backward(); // loss
    // CHECK-MESSAGES: :[[@LINE-1]]:32: note: this 'backward()' frees
    Opt.step();
  }
  // CHECK-FIXES:void lstmStdGet(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    std::get<0>(Result).mean().backward(); // loss
  // CHECK-FIXES-NEXT:    State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
  // CHECK-FIXES-NEXT:    //
}

// Only the hidden state is detached: the cell state still carries the graph.
void lstmOneElementDetached(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  State2 State;
  torch::Tensor Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, State) = Lstm(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: recurrent state 'State'
    Out.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' frees
    std::get<0>(State).detach_();
    Opt.step();
  }
  // CHECK-FIXES:void lstmOneElementDetached(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Out.sum().backward();
  // CHECK-FIXES-NEXT:    State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
}

// An optional state, empty on the first iteration.
void lstmOptional(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  c10::optional<State2> State;
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Lstm->forward(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: recurrent state 'State'
    State = Next;
    Out.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' frees
    Opt.step();
  }
  // CHECK-FIXES:void lstmOptional(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Out.sum().backward();
  // CHECK-FIXES-NEXT:    if (State) State = std::make_tuple(std::get<0>(*State).detach(), std::get<1>(*State).detach());
}

// ---- Positives: GRU and RNN hidden tensors -------------------------------------

void gruTie(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 1, 8});
  torch::Tensor Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: recurrent state 'H' is carried
    Opt.zero_grad();
    torch::mse_loss(Out, batch()).backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:35: note: this 'backward()' frees
    Opt.step();
  }
  // CHECK-FIXES:void gruTie(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    torch::mse_loss(Out, batch()).backward();
  // CHECK-FIXES-NEXT:    H = H.detach();
  // CHECK-FIXES-NEXT:    //
}

void rnnDirectGet(torch::nn::RNN Rnn, torch::optim::SGD &Opt) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    torch::Tensor Out;
    std::tie(Out, std::ignore) = Rnn->forward(batch(), H);
    H = std::get<1>(Rnn->forward(Out, H));
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: recurrent state 'H' is carried
    H.sum().backward(); Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:13: note: this 'backward()' frees
  }
  // CHECK-FIXES:void rnnDirectGet(torch::nn::RNN Rnn, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    H.sum().backward(); H = H.detach(); Opt.step();
}

// A reassignment after backward() on every path: detached right after it.
void gruReassignedAfterStep(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor Hidden;
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Gru->forward(batch(), Hidden);
    // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: recurrent state 'Hidden'
    Out.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' frees
    Opt.step();
    Hidden = std::move(Next); // carried to the next batch
  }
  // CHECK-FIXES:void gruReassignedAfterStep(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Hidden = std::move(Next); // carried to the next batch
  // CHECK-FIXES-NEXT:    Hidden = Hidden.detach();
  // CHECK-FIXES-NEXT:  }
}

// Any module whose output is fed back into it.
void moduleFeedback(Decoder Dec, torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8});
  int Step = 0;
  while (Step++ < 100) {
    H = Dec(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: recurrent state 'H' is carried
    torch::autograd::backward({H.sum()});
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this 'backward()' frees
    Opt.step();
  }
  // CHECK-FIXES:void moduleFeedback(Decoder Dec, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    torch::autograd::backward({H.sum()});
  // CHECK-FIXES-NEXT:    H = H.detach();
}

// Detached only on the first iteration.
void detachedSometimes(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru->forward(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: recurrent state 'H'
    Out.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' frees
    if (I == 0)
      H = H.detach();
  }
  // CHECK-FIXES:void detachedSometimes(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Out.sum().backward();
  // CHECK-FIXES-NEXT:    H = H.detach();
  // CHECK-FIXES-NEXT:    //
}

struct Trainer {
  torch::nn::GRU Gru{nullptr};
  torch::Tensor Hidden;
  void run(torch::optim::SGD &Opt) {
    for (int I = 0; I < 10; ++I) {
      auto [Out, Next] = Gru->forward(batch(), Hidden);
      // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: recurrent state 'Hidden'
      Hidden = Next;
      Out.sum().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:17: note: this 'backward()' frees
      Opt.step();
    }
    // CHECK-FIXES:  void run(torch::optim::SGD &Opt) {
    // CHECK-FIXES:      Out.sum().backward();
    // CHECK-FIXES-NEXT:      Hidden = Hidden.detach();
  }
};

void pairState(PairCell Cell, torch::optim::SGD &Opt) {
  std::pair<torch::Tensor, torch::Tensor> State;
  for (int I = 0; I < 10; ++I) {
    State = Cell->forward(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: recurrent state 'State'
    std::get<0>(State).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:30: note: this 'backward()' frees
  }
  // CHECK-FIXES:void pairState(PairCell Cell, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    std::get<0>(State).sum().backward();
  // CHECK-FIXES-NEXT:    State = std::make_pair(std::get<0>(State).detach(), std::get<1>(State).detach());
}

void optionalTensor(LazyCell Cell, torch::optim::SGD &Opt) {
  c10::optional<torch::Tensor> H;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: recurrent state 'H'
    H->sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:14: note: this 'backward()' frees
  }
  // CHECK-FIXES:void optionalTensor(LazyCell Cell, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    H->sum().backward();
  // CHECK-FIXES-NEXT:    if (H) H = H->detach();
}

void silenced(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H); // NOLINT(torch-undetached-recurrent-state)
    H.sum().backward();
  }
  // CHECK-FIXES:void silenced(torch::nn::GRUCell Cell) {
  // CHECK-FIXES:    H.sum().backward();
  // CHECK-FIXES-NEXT:  }
}

// ---- Positives: cells and truncated BPTT ---------------------------------------

// Truncated BPTT in chunks: the detach goes inside the chunk's branch, so the
// chunk length stays what it was.
void chunkedGruCell(torch::nn::GRUCell Cell, torch::Tensor Seq,
                    torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8});
  torch::Tensor Loss = torch::zeros({1});
  for (int T = 0; T < 100; ++T) {
    H = Cell(Seq[T], H);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: recurrent state 'H' is carried
    Loss = Loss + H.sum();
    if ((T + 1) % 10 == 0) {
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: this 'backward()' frees
      Opt.step();
      Opt.zero_grad();
      Loss = torch::zeros({1});
    }
  }
  // CHECK-FIXES:void chunkedGruCell(torch::nn::GRUCell Cell, torch::Tensor Seq,
  // CHECK-FIXES:    if ((T + 1) % 10 == 0) {
  // CHECK-FIXES-NEXT:      Loss.backward();
  // CHECK-FIXES-NEXT:      H = H.detach();
  // CHECK-FIXES-NEXT:      //
}

// retain_graph=true hides the error; the graph grows with every chunk.
void chunkedRetainGraph(torch::nn::RNNCell Cell, torch::Tensor Seq,
                        torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8});
  for (int T = 0; T < 100; ++T) {
    H = Cell->forward(Seq[T], H);
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: recurrent state 'H' is carried into this call across 'backward()' without 'detach()'; 'retain_graph=true' hides the error but the autograd graph grows every iteration [torch-undetached-recurrent-state]
    if (chunkEnd(T))
      H.sum().backward({}, /*retain_graph=*/true);
    // CHECK-MESSAGES: :[[@LINE-1]]:15: note: this 'backward()' keeps the graph that 'H' extends alive
  }
  // CHECK-FIXES:void chunkedRetainGraph(torch::nn::RNNCell Cell, torch::Tensor Seq,
  // CHECK-FIXES:    if (chunkEnd(T))
  // CHECK-FIXES-NEXT:      { H.sum().backward({}, /*retain_graph=*/true); H = H.detach(); }
}

void createGraphRetains(torch::nn::GRUCell Cell, torch::optim::SGD &Opt) {
  torch::Tensor H;
  for (int T = 0; T < 100; ++T) {
    H = Cell(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: recurrent state 'H' is carried into this call across 'backward()' without 'detach()'; 'retain_graph=true' hides
    torch::autograd::backward({H.sum()}, {}, c10::nullopt, /*create_graph=*/true);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this 'backward()' keeps the graph
  }
  // CHECK-FIXES:void createGraphRetains(torch::nn::GRUCell Cell, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    torch::autograd::backward({H.sum()}, {}, c10::nullopt, /*create_graph=*/true);
  // CHECK-FIXES-NEXT:    H = H.detach();
}

// Separate hidden and cell variables, packed at the call: both are carried.
void lstmCellPair(torch::nn::LSTMCell Cell, torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8}), C = torch::zeros({1, 8});
  for (int T = 0; T < 100; ++T) {
    std::tie(H, C) = Cell(batch(), std::make_tuple(H, C));
    if (chunkEnd(T)) {
      H.sum().backward();
      // Same location: sorted by message.
      // CHECK-MESSAGES: :[[@LINE-4]]:22: warning: recurrent state 'C' is carried
      // CHECK-MESSAGES: :[[@LINE-3]]:15: note: this 'backward()' frees the graph that 'C' still holds
      // CHECK-MESSAGES: :[[@LINE-6]]:22: warning: recurrent state 'H' is carried
      // CHECK-MESSAGES: :[[@LINE-5]]:15: note: this 'backward()' frees the graph that 'H' still holds
      Opt.step();
    }
  }
  // CHECK-FIXES:void lstmCellPair(torch::nn::LSTMCell Cell, torch::optim::SGD &Opt) {
  // CHECK-FIXES:      H.sum().backward();
  // CHECK-FIXES-NEXT:      H = H.detach();
  // CHECK-FIXES-NEXT:      C = C.detach();
  // CHECK-FIXES-NEXT:      // Same location: sorted by message.
}

// Hidden and cell state bound by a nested tie, as language models write it.
void lstmNestedTie(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8}), C = torch::zeros({1, 8});
  for (int I = 0; I < 100; ++I) {
    torch::Tensor Out;
    std::forward_as_tuple(Out, std::tie(H, C)) =
        Lstm->forward(batch(), std::make_tuple(H, C));
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: recurrent state 'C' is carried
    // CHECK-MESSAGES: :[[@LINE+4]]:15: note: this 'backward()' frees the graph that 'C' still holds
    // CHECK-MESSAGES: :[[@LINE-3]]:15: warning: recurrent state 'H' is carried
    // CHECK-MESSAGES: :[[@LINE+2]]:15: note: this 'backward()' frees the graph that 'H' still holds
    Opt.zero_grad();
    Out.sum().backward();
    Opt.step();
  }
  // CHECK-FIXES:void lstmNestedTie(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    Out.sum().backward();
  // CHECK-FIXES-NEXT:    H = H.detach();
  // CHECK-FIXES-NEXT:    C = C.detach();
  // CHECK-FIXES-NEXT:    Opt.step();
}

void lstmCellTuple(torch::nn::LSTMCell Cell, torch::optim::SGD &Opt) {
  State2 State = {torch::zeros({1, 8}), torch::zeros({1, 8})};
  torch::Tensor Loss = torch::zeros({1});
  for (int T = 1; T <= 100; ++T) {
    State = Cell(batch(), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: recurrent state 'State' is carried
    Loss = Loss + std::get<0>(State).sum();
    if (T % 20 == 0) {
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: this 'backward()' frees
      Loss = torch::zeros({1});
    }
  }
  // CHECK-FIXES:void lstmCellTuple(torch::nn::LSTMCell Cell, torch::optim::SGD &Opt) {
  // CHECK-FIXES:      Loss.backward();
  // CHECK-FIXES-NEXT:      State = std::make_tuple(std::get<0>(State).detach(), std::get<1>(State).detach());
}

// Two stacked cells: each state is reported at its own call.
void stackedCells(torch::nn::GRUCell Lower, torch::nn::GRUCell Upper,
                  torch::optim::SGD &Opt) {
  torch::Tensor H1, H2;
  for (int T = 0; T < 100; ++T) {
    H1 = Lower(batch(), H1);
    H2 = Upper(H1, H2);
    H2.sum().backward();
    // CHECK-MESSAGES: :[[@LINE-3]]:10: warning: recurrent state 'H1' is carried
    // CHECK-MESSAGES: :[[@LINE-2]]:14: note: this 'backward()' frees the graph that 'H1' still holds
    // CHECK-MESSAGES: :[[@LINE-4]]:10: warning: recurrent state 'H2' is carried
    // CHECK-MESSAGES: :[[@LINE-4]]:14: note: this 'backward()' frees the graph that 'H2' still holds
  }
  // CHECK-FIXES:void stackedCells(torch::nn::GRUCell Lower, torch::nn::GRUCell Upper,
  // CHECK-FIXES:    H2.sum().backward();
  // CHECK-FIXES-NEXT:    H1 = H1.detach();
  // CHECK-FIXES-NEXT:    H2 = H2.detach();
}

// ---- Positives without a fix ---------------------------------------------------

// The reassignment comes after a backward() that runs only on some steps:
// detaching after it would shorten the chunks, detaching after backward()
// would detach the old state. Warned, not fixed.
void chunkedReassignedLate(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H;
  torch::Tensor Loss = torch::zeros({1});
  for (int T = 0; T < 100; ++T) {
    auto [Out, Next] = Gru(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: recurrent state 'H' is carried
    Loss = Loss + Out.sum();
    if (chunkEnd(T)) {
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: note: this 'backward()' frees
      Loss = torch::zeros({1});
    }
    H = Next;
  }
  // CHECK-FIXES:void chunkedReassignedLate(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  // CHECK-FIXES:      Loss.backward();
  // CHECK-FIXES-NEXT:      //
  // CHECK-FIXES:    H = Next;
  // CHECK-FIXES-NEXT:  }
}

#define TRAIN_STEP(LOSS, OPT)                                                  \
  do {                                                                         \
    (LOSS).backward();                                                         \
    (OPT).step();                                                              \
  } while (false)

void inMacro(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: recurrent state 'H' is carried
    TRAIN_STEP(Out.sum(), Opt);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: note: this 'backward()' frees
  }
  // CHECK-FIXES:void inMacro(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  // CHECK-FIXES:    TRAIN_STEP(Out.sum(), Opt);
  // CHECK-FIXES-NEXT:    //
  // CHECK-FIXES-NEXT:  }
}

// ---- Negatives: the correct idioms ---------------------------------------------

void detachAfterStep(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    Out.sum().backward();
    Opt.step();
    H = H.detach(); // no warning: history cut after every step
  }
}

void nestedTieDetached(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8}), C = torch::zeros({1, 8});
  for (int I = 0; I < 100; ++I) {
    torch::Tensor Out;
    std::forward_as_tuple(Out, std::tie(H, C)) =
        Lstm->forward(batch(), std::make_tuple(H, C));
    H.detach_(); // no warning: both detached in place
    C.detach_();
    Out.sum().backward();
    Opt.step();
  }
}

void detachBeforeBackward(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    H.detach_(); // no warning: detached in place before backward()
    Out.sum().backward();
  }
}

void detachTupleElementsInPlace(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  State2 State;
  torch::Tensor Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, State) = Lstm(batch(), State);
    Out.sum().backward();
    std::get<0>(State).detach_(); // no warning: both elements detached
    std::get<1>(State).detach_();
    Opt.step();
  }
}

void detachTupleRebuilt(torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  c10::optional<State2> State;
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Lstm->forward(batch(), State);
    State = Next;
    Out.sum().backward();
    if (State) // no warning: detached whenever there is a state
      State = std::make_tuple(std::get<0>(*State).detach(),
                              std::get<1>(*State).detach());
  }
}

void detachAtTheCall(torch::nn::GRU Gru, torch::nn::LSTM Lstm,
                     torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  State2 State;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H.detach()); // no warning: detached input
    std::tie(Out, State) = Lstm(
        Out, std::make_tuple(std::get<0>(State).detach(),
                             std::get<1>(State).detach())); // no warning
    Out.sum().backward();
  }
}

void detachAtTheReassignment(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Gru(batch(), H);
    H = Next.detach(); // no warning: the carried value has no history
    Out.sum().backward();
  }
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Gru(batch(), H);
    H = Next.data(); // no warning: data() has no history either
    Out.sum().backward();
  }
}

void freshStateEachIteration(torch::nn::GRU Gru, torch::nn::GRUCell Cell,
                             torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    H = torch::zeros({1, 1, 8}); // no warning: re-initialised every batch
    std::tie(Out, H) = Gru(batch(), H);
    Out.sum().backward();
  }
  for (int I = 0; I < 10; ++I) {
    torch::Tensor H2; // no warning: a new state every iteration
    H2 = Cell(batch(), H2);
    H2.sum().backward();
  }
}

void resetState(torch::nn::LSTM Lstm, torch::nn::GRUCell Cell) {
  c10::optional<State2> State;
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    auto [Out, Next] = Lstm->forward(batch(), State);
    State = Next;
    H = Cell(batch(), H);
    (Out.sum() + H.sum()).backward();
    State.reset(); // no warning: the optional is emptied
    H.reset();     // no warning: the tensor is undefined again
  }
}

void detachHidden(torch::Tensor &H) { H = H.detach(); }
template <typename T> T repackage(const T &State) {
  return std::make_tuple(std::get<0>(State).detach(),
                         std::get<1>(State).detach());
}
void helpers(torch::nn::GRU Gru, torch::nn::LSTM Lstm, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  State2 State;
  torch::Tensor H3;
  auto DetachH3 = [&] { H3.detach_(); };
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    std::tie(Out, State) = Lstm(Out, State);
    std::tie(Out, H3) = Gru(Out, H3);
    Out.sum().backward();
    detachHidden(H);            // no warning: the helper detaches
    State = repackage(State);   // no warning: so does this one
    DetachH3();                 // no warning: and this lambda
  }
}

struct Model {
  torch::nn::GRU Gru{nullptr};
  torch::Tensor Hidden;
  void detachState() { Hidden.detach_(); }
  void train(torch::optim::SGD &Opt) {
    for (int I = 0; I < 10; ++I) {
      auto [Out, Next] = Gru->forward(batch(), Hidden);
      Hidden = Next;
      Out.sum().backward();
      detachState(); // no warning: the member helper detaches the field
    }
  }
};

void guardedDetach(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    if (H.defined()) // no warning: detached whenever it is defined
      H = H.detach();
    std::tie(Out, H) = Gru(batch(), H);
    Out.sum().backward();
  }
}

void chunkedDetached(torch::nn::GRUCell Cell, torch::Tensor Seq,
                     torch::optim::SGD &Opt) {
  torch::Tensor H = torch::zeros({1, 8});
  torch::Tensor Loss = torch::zeros({1});
  for (int T = 0; T < 100; ++T) {
    H = Cell(Seq[T], H);
    Loss = Loss + H.sum();
    if ((T + 1) % 10 == 0) {
      Loss.backward();
      H = H.detach(); // no warning: truncated BPTT done right
      Opt.step();
      Loss = torch::zeros({1});
    }
  }
}

void fullBpttPerSequence(torch::nn::GRUCell Cell, torch::optim::SGD &Opt) {
  for (int Seq = 0; Seq < 10; ++Seq) {
    torch::Tensor H = torch::zeros({1, 8}); // a new state per sequence
    torch::Tensor Loss = torch::zeros({1});
    for (int T = 0; T < 20; ++T) {
      H = Cell(batch(), H); // no warning: the history is one sequence
      Loss = Loss + H.sum();
    }
    Loss.backward();
    Opt.step();
  }
}

void fullBpttStateOutside(torch::nn::LSTMCell Cell, torch::optim::SGD &Opt) {
  State2 State;
  for (int Seq = 0; Seq < 10; ++Seq) {
    State = {torch::zeros({1, 8}), torch::zeros({1, 8})}; // fresh
    torch::Tensor Loss = torch::zeros({1});
    for (int T = 0; T < 20; ++T) {
      State = Cell(batch(), State); // no warning: reset per sequence
      Loss = Loss + std::get<0>(State).sum();
    }
    Loss.backward();
  }
}

void inference(torch::nn::GRU Gru) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I)
    std::tie(Out, H) = Gru(batch(), H); // no warning: no backward()
}

void validationUnderGuards(torch::nn::GRUCell Cell, torch::nn::LSTM Lstm,
                           torch::optim::SGD &Opt) {
  torch::Tensor H, ValH, ValH2, ValH3;
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    H = torch::zeros({1, 8});
    H = Cell(batch(), H);
    H.sum().backward();
    {
      torch::NoGradGuard NoGrad;
      ValH = Cell(batch(), ValH); // no warning: no graph is recorded
    }
    {
      c10::InferenceMode Guard;
      ValH2 = Cell(batch(), ValH2); // no warning: no graph is recorded
    }
    torch::AutoGradMode Off(false);
    ValH3 = Cell(batch(), ValH3); // no warning: no graph is recorded
  }
}

void encoderInitialisesDecoder(Encoder Enc, Decoder Dec,
                               torch::optim::SGD &Opt) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    H = Enc(batch()); // no warning: this iteration's encoder starts the state
    for (int T = 0; T < 5; ++T)
      H = Dec(batch(), H);
    H.sum().backward();
  }
}

void stateNotReassigned(torch::nn::GRU Gru, torch::optim::SGD &Opt) {
  torch::Tensor H0 = torch::zeros({1, 1, 8});
  for (int I = 0; I < 10; ++I) {
    auto [Out, Unused] = Gru(batch(), H0); // no warning: H0 never changes
    Out.sum().backward();
  }
}

void backwardOutsideLoop(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int T = 0; T < 10; ++T)
    H = Cell(batch(), H);
  H.sum().backward(); // no warning: one backward() after the sequence
}

void closureOnly(torch::nn::GRUCell Cell, torch::optim::LBFGS &Opt) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H.detach()); // no warning: detached at the call
    auto Closure = [&] {
      auto Loss = H.sum();
      Loss.backward();
      return Loss;
    };
    Opt.step(Closure);
  }
}

template <typename Rnn> void inTemplate(Rnn &Gru) {
  torch::Tensor H, Out;
  for (int I = 0; I < 10; ++I) {
    std::tie(Out, H) = Gru(batch(), H);
    Out.sum().backward();
    H = H.detach(); // no warning (nor in any instantiation)
  }
}
template void inTemplate(torch::nn::GRU &);
