// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-missing-zero-grad %t -- -- %mock_torch2

// Trainers written as templates over the data loader or the model: the loop
// over a dependent range has a CFG, and `loss.backward()` on a value of
// dependent type is a backward pass by its name.

#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

// ---- Positives ---------------------------------------------------------------

template <class Loader>
void fitEpoch(Net &Model, Loader &Data, torch::optim::Optimizer &Opt) {
  Model->train();
  for (auto &Batch : Data) {
    auto Output = Model->forward(Batch.data);
    auto Loss = torch::mse_loss(Output, Batch.target);
    Loss.backward();
    // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: gradients are not cleared before this 'backward()', so they accumulate across iterations [torch-missing-zero-grad]
    Opt.step();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: the summed gradients are consumed by this 'step()'
  }
  // CHECK-FIXES:  for (auto &Batch : Data) {
  // CHECK-FIXES-NEXT:    Opt.zero_grad();
  // CHECK-FIXES-NEXT:    auto Output = Model->forward(Batch.data);
}

template <class Model> struct Trainer {
  Model M;
  torch::optim::SGD *Opt;
  template <class Loader> void fit(Loader &Data) {
    for (auto &Batch : *Data) {
      auto Loss = M->forward(Batch.data).mean();
      Loss.backward();
      // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: gradients are not cleared before this 'backward()'
      Opt->step();
    }
  }
};

// ---- Negatives ---------------------------------------------------------------

template <class Loader>
void clearedEpoch(Net &Model, Loader &Data, torch::optim::Optimizer &Opt) {
  for (auto &Batch : Data) {
    Opt.zero_grad();
    auto Loss = torch::mse_loss(Model->forward(Batch.data), Batch.target);
    Loss.backward();
    Opt.step();
  }
}

// Gradients are cleared after the loop over the batches and before the next
// epoch's; the inner loop accumulates on purpose (one step per epoch).
template <class Loader>
void accumulateThenStep(Net &Model, Loader &Data, torch::optim::SGD &Opt,
                        int Epochs) {
  for (int E = 0; E < Epochs; ++E) {
    for (auto &Batch : Data)
      Model->forward(Batch.data).mean().backward();
    Opt.step();
    Opt.zero_grad();
  }
}
