// SPDX-License-Identifier: Apache-2.0
// Head-only fine-tuning; bug: the optimizer still moves the frozen backbone.

#include <torch/torch.h>

#include <iostream>

namespace nn = torch::nn;
namespace optim = torch::optim;

struct NetImpl : nn::Module {
  NetImpl()
      : backbone(register_module(
            "backbone", nn::Sequential(nn::Linear(16, 64), nn::ReLU(),
                                       nn::Linear(64, 64), nn::ReLU()))),
        head(register_module("head", nn::Linear(64, 1))) {}

  torch::Tensor forward(const torch::Tensor &x) {
    return head->forward(backbone->forward(x));
  }

  nn::Sequential backbone;
  nn::Linear head;
};
TORCH_MODULE(Net);

static void fit(Net &model, optim::Optimizer &optimizer, const torch::Tensor &x,
                const torch::Tensor &y, int steps) {
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    auto loss = torch::mse_loss(model->forward(x), y);
    loss.backward();
    optimizer.step();
  }
}

int main() {
  torch::manual_seed(0);
  auto source_x = torch::randn({512, 16});
  auto source_y = source_x.sum(1, /*keepdim=*/true).tanh();
  auto target_x = torch::randn({128, 16});
  auto target_y = target_x.slice(1, 0, 8).sum(1, /*keepdim=*/true).sin();

  Net model;

  // Stage 1: pretrain the whole network on the source task.
  {
    optim::Adam pretrain(model->parameters(), optim::AdamOptions(1e-3));
    fit(model, pretrain, source_x, source_y, 200);
  }

  // Stage 2: freeze the backbone and fine-tune the head on the target task.
  for (auto &p : model->backbone->parameters())
    p.requires_grad_(false);
  // Bug: built from all parameters. The frozen ones keep the gradients defined
  // in stage 1 (LibTorch 1.x's zero_grad() zero-fills, it does not reset), so
  // weight decay and momentum keep moving the backbone. Pass
  // model->head->parameters() instead.
  optim::SGD optimizer(
      model->parameters(),
      optim::SGDOptions(0.01).momentum(0.9).weight_decay(1e-4));

  auto frozen_before = model->backbone->parameters()[0].clone();
  fit(model, optimizer, target_x, target_y, 300);

  auto drift = (model->backbone->parameters()[0] - frozen_before).abs().max();
  auto loss = torch::mse_loss(model->forward(target_x), target_y);
  std::cout << "target mse " << loss.item<double>()
            << "  frozen backbone max |dw| " << drift.item<double>() << '\n';
  return 0;
}
