#include <torch/torch.h>

torch::Tensor batch();

struct NetImpl : torch::nn::Module {
  NetImpl() {
    Body = register_module("body", torch::nn::Linear(4, 4));
    Head = register_module("head", torch::nn::Linear(4, 1));
  }
  torch::Tensor forward(torch::Tensor X) { return Head(Body(X)); }
  torch::nn::Linear Body{nullptr};
  torch::nn::Linear Head{nullptr};
};
TORCH_MODULE(Net);

void finetune(Net Model) {
  for (auto &P : Model->Body->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Opt.zero_grad();
    Model(batch()).sum().backward();
    Opt.step();
  }
}
