// SPDX-License-Identifier: Apache-2.0
// Evaluation; bug: a forward pass after eval() still records a graph.
#include <torch/torch.h>

struct ClassifierImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Classifier);
torch::Tensor batch();
void record(torch::Tensor);

void evaluate(Classifier Model) {
  Model->eval();
  for (int I = 0; I < 10; ++I)
    record(Model->forward(batch()));
}
