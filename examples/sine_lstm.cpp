// SPDX-License-Identifier: Apache-2.0
// LSTM forecasting a sine wave with truncated BPTT; bug: the (h, c) state is never detached.

#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <tuple>

int main() {
  torch::manual_seed(0);
  constexpr int64_t steps = 400, chunk = 20, hidden = 16;
  auto t = torch::arange(steps + 1, torch::kFloat) * 0.1;
  auto wave = torch::sin(t).view({steps + 1, 1, 1}); // (time, batch, feature)

  torch::nn::LSTM lstm(torch::nn::LSTMOptions(1, hidden));
  torch::nn::Linear head(hidden, 1);
  auto params = lstm->parameters();
  for (const auto &p : head->parameters())
    params.push_back(p);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(1e-2));

  try {
    for (int epoch = 1; epoch <= 3; ++epoch) {
      std::tuple<torch::Tensor, torch::Tensor> state = {
          torch::zeros({1, 1, hidden}), torch::zeros({1, 1, hidden})};
      torch::Tensor out;
      double total = 0.0;
      for (int64_t start = 0; start + chunk <= steps; start += chunk) {
        auto input = wave.narrow(0, start, chunk);
        auto target = wave.narrow(0, start + 1, chunk);
        // Bug: the state still points into the previous chunk's graph; it
        // should be detached after backward().
        std::tie(out, state) = lstm(input, state);
        auto loss = torch::mse_loss(head(out), target);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        total += loss.item<double>();
      }
      std::cout << "epoch " << epoch << "  loss " << total / (steps / chunk)
                << '\n';
    }
  } catch (const c10::Error &e) {
    std::cerr << "training failed: " << e.what_without_backtrace() << '\n';
    return 1;
  }
  return 0;
}
