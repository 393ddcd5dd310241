// SPDX-License-Identifier: Apache-2.0
// Classifier evaluation; bug: the eval pass still records an autograd graph.

#include <torch/torch.h>

#include <iostream>

namespace nn = torch::nn;

// Three Gaussian blobs in 2-D, one per class.
static std::pair<torch::Tensor, torch::Tensor> make_blobs(int64_t n) {
  auto labels = torch::randint(0, 3, {n}, torch::kLong);
  auto centers = torch::tensor({{0.0, 2.0}, {-2.0, -1.0}, {2.0, -1.0}});
  auto points = centers.index_select(0, labels) + 0.7 * torch::randn({n, 2});
  return {points, labels};
}

int main() {
  torch::manual_seed(0);
  auto [train_x, train_y] = make_blobs(2048);
  auto [test_x, test_y] = make_blobs(512);

  nn::Sequential model(nn::Linear(2, 32), nn::ReLU(), nn::Dropout(0.2),
                       nn::Linear(32, 3));
  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(0.1).momentum(0.9));

  model->train();
  for (int epoch = 0; epoch < 50; ++epoch) {
    optimizer.zero_grad();
    auto loss = torch::cross_entropy_loss(model->forward(train_x), train_y);
    loss.backward();
    optimizer.step();
  }

  // eval() only switches dropout and batch norm to inference behaviour; it
  // does not turn off gradient recording.
  model->eval();
  // Bug: no torch::NoGradGuard here, so this forward builds a graph and keeps
  // every intermediate activation alive until `logits` is destroyed.
  auto logits = model->forward(test_x);
  auto loss = torch::cross_entropy_loss(logits, test_y);
  auto accuracy =
      logits.argmax(1).eq(test_y).to(torch::kFloat).mean().item<double>();

  std::cout << "test loss " << loss.item<double>() << "  accuracy " << accuracy
            << "  logits.requires_grad() " << std::boolalpha
            << logits.requires_grad() << '\n';
  return 0;
}
