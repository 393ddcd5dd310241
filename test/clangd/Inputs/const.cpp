// A missing zero_grad() next to a local that misc-const-correctness flags.
#include <torch/torch.h>

torch::Tensor batch();

int train(torch::optim::SGD &Opt) {
  int Steps = 10;
  for (int I = 0; I < Steps; ++I) {
    batch().sum().backward();
    Opt.step();
  }
  return Steps;
}
