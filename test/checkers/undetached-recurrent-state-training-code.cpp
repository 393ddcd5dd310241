// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch2

// Recurrent state as real training programs keep it: in a field of the
// module, which its forward() overwrites with the LSTM's output.

#include <torch/torch.h>

#include <memory>
#include <tuple>

torch::Tensor batch();
bool more();

using State2 = std::tuple<torch::Tensor, torch::Tensor>;

// ---- Modules that keep their state --------------------------------------------

// The module keeps the LSTM state as a field and carries it from one forward
// to the next.
struct ModelImpl : torch::nn::Module {
  torch::nn::LSTM Lstm{nullptr};
  State2 Hidden;
  torch::Tensor forward(torch::Tensor X) {
    auto Out = Lstm->forward(X, Hidden);
    this->Hidden = std::get<1>(Out);
    return std::get<0>(Out);
  }
  void detachHidden() {
    std::get<0>(Hidden).detach_();
    std::get<1>(Hidden).detach_();
  }
  void reset_state() {
    Hidden = std::make_tuple(torch::zeros({1, 1, 8}), torch::zeros({1, 1, 8}));
  }
};
TORCH_MODULE(Model);

void trainStateful(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Y = M->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: recurrent state 'Hidden', which module 'M' keeps, is carried into this call across 'backward()' without 'detach()', so the next 'backward()' runs into the freed graph of the previous iteration [torch-undetached-recurrent-state]
    auto Loss = torch::mse_loss(Y, batch());
    Opt.zero_grad();
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: note: this 'backward()' frees the graph that 'Hidden' still holds
    // CHECK-MESSAGES: :{{[0-9]+}}:5: note: 'forward' stores the output of a module call in 'Hidden' here, and the next call starts from it
    Opt.step();
  }
}

// Through the ModuleHolder's operator() and with retain_graph=true.
void trainStatefulRetained(Model M, torch::optim::Adam &Opt) {
  while (more()) {
    auto Loss = M(batch()).sum();
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: recurrent state 'Hidden', which module 'M' keeps, is carried into this call across 'backward()' without 'detach()'; 'retain_graph=true' hides the error but the autograd graph grows every iteration
    Loss.backward({}, /*retain_graph=*/true);
    // CHECK-MESSAGES: :[[@LINE-1]]:10: note: this 'backward()' keeps the graph that 'Hidden' extends alive
    Opt.step();
  }
}

// A trainer that holds the module as a field.
struct Trainer {
  Model Net{nullptr};
  torch::optim::SGD *Opt = nullptr;
  void fit() {
    for (int I = 0; I < 100; ++I) {
      Net->forward(batch()).sum().backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: recurrent state 'Hidden', which module 'Net' keeps, is carried
      Opt->step();
    }
  }
  void detachAll() { Net->detachHidden(); }
  void fitDetached() {
    for (int I = 0; I < 100; ++I) {
      Net->forward(batch()).sum().backward(); // no warning: detached below
      detachAll();
    }
  }
};

void statefulDetached(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Y = M->forward(batch()); // no warning: the state is detached
    torch::mse_loss(Y, batch()).backward();
    Opt.step();
    M->detachHidden();
  }
}

void statefulReset(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    M->reset_state();
    auto Y = M->forward(batch()); // no warning: a fresh state each iteration
    torch::mse_loss(Y, batch()).backward();
    Opt.step();
  }
}

void statefulAssigned(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Y = M->forward(batch()); // no warning: the state is replaced
    torch::mse_loss(Y, batch()).backward();
    M->Hidden = State2(torch::zeros({1, 1, 8}), torch::zeros({1, 1, 8}));
  }
}

void detachModel(Model &M) { M->detachHidden(); }
void statefulDetachedByFreeHelper(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Y = M->forward(batch()); // no warning: the helper detaches M's state
    torch::mse_loss(Y, batch()).backward();
    detachModel(M);
  }
}

// Detached on one branch only: some iteration carries the graph.
void statefulDetachedSometimes(Model M, torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Y = M->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: recurrent state 'Hidden', which module 'M' keeps, is carried
    torch::mse_loss(Y, batch()).backward();
    if (I % 2 == 0)
      M->detachHidden();
  }
}

void statefulNoBackward(Model M) {
  for (int I = 0; I < 100; ++I)
    M->forward(batch()); // no warning: no backward()
}

void statefulValidation(Model M, torch::optim::Adam &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    for (int I = 0; I < 100; ++I) {
      M->reset_state();
      M->forward(batch()).sum().backward();
    }
    torch::NoGradGuard NoGrad;
    for (int I = 0; I < 10; ++I)
      M->forward(batch()); // no warning: no graph is recorded
  }
}

void statefulModulePerIteration(torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    Model M(nullptr);
    M->forward(batch()).sum().backward(); // no warning: a new module
  }
}

// A module whose forward starts from a fresh state each call.
struct FreshImpl : torch::nn::Module {
  torch::nn::LSTM Lstm{nullptr};
  State2 Hidden;
  torch::Tensor forward(torch::Tensor X) {
    Hidden = std::make_tuple(torch::zeros({1, 1, 8}), torch::zeros({1, 1, 8}));
    auto Out = Lstm->forward(X, Hidden);
    Hidden = std::get<1>(Out);
    return std::get<0>(Out);
  }
};
TORCH_MODULE(Fresh);

// A module whose forward passes no state: the LSTM starts from zeros.
struct StatelessImpl : torch::nn::Module {
  torch::nn::LSTM Lstm{nullptr};
  State2 Last;
  torch::Tensor forward(torch::Tensor X) {
    auto Out = Lstm->forward(X);
    Last = std::get<1>(Out); // kept for inspection, never passed back
    return std::get<0>(Out);
  }
};
TORCH_MODULE(Stateless);

// A module whose forward detaches what it keeps.
struct DetachingImpl : torch::nn::Module {
  torch::nn::GRU Gru{nullptr};
  torch::Tensor H;
  torch::Tensor forward(torch::Tensor X) {
    auto [Out, Next] = Gru->forward(X, H);
    H = Next.detach();
    return Out;
  }
};
TORCH_MODULE(Detaching);

void statelessModules(Fresh F, Stateless S, Detaching D,
                      torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    auto Loss = F->forward(batch()).sum() + // no warning: fresh state
                S->forward(batch()).sum() + // no warning: no state passed
                D->forward(batch()).sum();  // no warning: detached in forward
    Loss.backward();
    Opt.step();
  }
}

// The FxPred shape: a plain module class behind a shared_ptr, with forward
// and the detaching helper defined after the training loops.
class PlainModel : public torch::nn::Module {
public:
  torch::Tensor forward(torch::Tensor Input);
  void detachHidden();

private:
  std::tuple<torch::Tensor, torch::Tensor> hidden;
  torch::nn::LSTM lstm_layer = nullptr;
};

void trainPlain(torch::optim::Adam &Opt) {
  auto Net = std::make_shared<PlainModel>();
  for (size_t Iter = 0; Iter < 1000; Iter++) {
    auto Pred = Net->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: recurrent state 'hidden', which module 'Net' keeps, is carried
    auto Loss = torch::mse_loss(Pred, batch());
    Opt.zero_grad();
    Loss.backward();
    Opt.step();
  }
}

void trainPlainDetached(torch::optim::Adam &Opt) {
  auto Net = std::make_shared<PlainModel>();
  for (size_t Iter = 0; Iter < 1000; Iter++) {
    auto Pred = Net->forward(batch()); // no warning: detached below
    auto Loss = torch::mse_loss(Pred, batch());
    Opt.zero_grad();
    Loss.backward();
    Opt.step();
    Net->detachHidden();
  }
}

torch::Tensor PlainModel::forward(torch::Tensor Input) {
  auto lstm_out = this->lstm_layer->forward(Input, this->hidden);
  this->hidden = std::get<1>(lstm_out);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: note: 'forward' stores the output of a module call in 'hidden' here, and the next call starts from it
  return std::get<0>(lstm_out);
}

void PlainModel::detachHidden() {
  std::get<0>(hidden) = std::get<0>(hidden).detach();
  std::get<1>(hidden) = std::get<1>(hidden).detach();
}

// A class template of a stateful module, used through an instantiation.
template <typename Rnn> struct TemplatedImpl : torch::nn::Module {
  Rnn Cell{nullptr};
  torch::Tensor H;
  torch::Tensor forward(torch::Tensor X) {
    H = Cell->forward(X, H);
    return H;
  }
};

void trainTemplated(std::shared_ptr<TemplatedImpl<torch::nn::GRUCell>> Net,
                    torch::optim::Adam &Opt) {
  for (int I = 0; I < 100; ++I) {
    Net->forward(batch()).sum().backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: recurrent state 'H', which module 'Net' keeps, is carried
    Opt.step();
  }
}
