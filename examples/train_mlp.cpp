// SPDX-License-Identifier: Apache-2.0
// Regression MLP trained with Adam; bug: gradients are never cleared.

#include <torch/torch.h>

#include <iostream>

struct RegressorImpl : torch::nn::Module {
  RegressorImpl(int64_t in, int64_t hidden)
      : fc1(register_module("fc1", torch::nn::Linear(in, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, 1))) {}

  torch::Tensor forward(const torch::Tensor &x) {
    return fc2->forward(torch::relu(fc1->forward(x)));
  }

  torch::nn::Linear fc1, fc2;
};
TORCH_MODULE(Regressor);

int main() {
  torch::manual_seed(0);
  constexpr int64_t num_samples = 1024, features = 8, batch_size = 64;

  // y = x·w + 0.5 + noise
  auto x = torch::randn({num_samples, features});
  auto w = torch::linspace(-1.0, 1.0, features).unsqueeze(1);
  auto y = x.matmul(w) + 0.5 + 0.05 * torch::randn({num_samples, 1});

  Regressor model(features, 32);
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(1e-2));

  for (int epoch = 1; epoch <= 20; ++epoch) {
    auto perm = torch::randperm(num_samples);
    double epoch_loss = 0.0;
    for (int64_t start = 0; start < num_samples; start += batch_size) {
      auto idx = perm.slice(0, start, start + batch_size);
      auto prediction = model->forward(x.index_select(0, idx));
      auto loss = torch::mse_loss(prediction, y.index_select(0, idx));
      // Bug: optimizer.zero_grad() is missing, so every step applies the sum
      // of all gradients computed so far.
      loss.backward();
      optimizer.step();
      epoch_loss += loss.item<double>();
    }
    if (epoch % 5 == 0)
      std::cout << "epoch " << epoch << "  mse "
                << epoch_loss / (num_samples / batch_size) << '\n';
  }
  return 0;
}
