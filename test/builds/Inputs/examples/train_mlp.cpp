// SPDX-License-Identifier: Apache-2.0
// Regression MLP; bug: gradients are never cleared.
#include <torch/torch.h>

struct RegressorImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Regressor);
torch::Tensor batch();

void train(Regressor Model, torch::optim::SGD Optimizer) {
  for (int Epoch = 0; Epoch < 20; ++Epoch) {
    torch::Tensor Loss = Model(batch()).mean();
    Loss.backward();
    Optimizer.step();
  }
}
