// A LibTorch training program: two loops, each stepping an optimizer.
#include <torch/torch.h>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

torch::Tensor batch();

void train(Net Model, torch::optim::SGD &Opt) {
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    Opt.zero_grad();
    torch::Tensor Loss = Model(batch()).mean();
    Loss.backward();
    Opt.step();
  }
}

void finetune(Net Model) {
  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
  int Step = 0;
  while (Step++ < 3) {
    Opt->zero_grad();
    auto Loss = torch::mse_loss(Model->forward(batch()), batch());
    Loss.backward();
    Opt->step();
  }
}
