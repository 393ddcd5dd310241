#include <torch/torch.h>

torch::Tensor batch();

void finetune(torch::nn::Linear Model) {
  Model->bias.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Opt.zero_grad();
    Model(batch()).sum().backward();
    Opt.step();
  }
}
