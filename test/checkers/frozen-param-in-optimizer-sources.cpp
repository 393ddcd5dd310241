// RUN: %check_torch_tidy %s torch-frozen-param-in-optimizer %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-frozen-param-in-optimizer %t -- -- %mock_torch2

// Parameter vectors assembled from several modules, and optimizers that are
// members of a trainer class: what model::ParamResolver and
// model::OptimizerParameters resolve.

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X);
  torch::nn::Linear Encoder{nullptr};
  torch::nn::Linear Head{nullptr};
};
TORCH_MODULE(Net);

void train(torch::optim::Optimizer &Opt);
bool wanted(const torch::Tensor &P);

// ---- Positives ---------------------------------------------------------------

void pushBackFromTwoModules(Net Model) {
  std::vector<torch::Tensor> Params;
  for (auto &P : Model->Encoder->parameters())
    Params.push_back(P);
  for (auto &P : Model->Head->parameters())
    Params.push_back(P);
  for (auto &P : Model->Encoder->parameters())
    P.requires_grad_(false);
  torch::optim::Adam Opt(Params, torch::optim::AdamOptions(1e-3));
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Encoder' [torch-frozen-param-in-optimizer]
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Encoder' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: build the optimizer from the parameters that stay trainable
  train(Opt);
}

void insertAtEnd(Net Model) {
  for (auto &P : Model->Head->parameters())
    P.requires_grad_(false);
  std::vector<torch::Tensor> Params = Model->Encoder->parameters();
  auto Head = Model->Head->parameters();
  Params.insert(Params.end(), Head.begin(), Head.end());
  torch::optim::SGD Opt(Params, torch::optim::SGDOptions(0.1));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Head'
  // CHECK-MESSAGES: :[[@LINE-6]]:7: note: parameters of 'Head' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: build the optimizer from the parameters that stay trainable
  train(Opt);
}

void pushBackConditionallyAndWhole(Net Model) {
  std::vector<torch::Tensor> Params;
  for (auto &P : Model->Encoder->parameters())
    Params.push_back(P);
  for (auto &P : Model->Head->parameters())
    if (wanted(P))
      Params.push_back(P);
  for (auto &P : Model->Encoder->parameters())
    P.requires_grad_(false);
  torch::optim::Adam Opt(Params);
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Encoder'
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Encoder' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: build the optimizer from the parameters that stay trainable
  train(Opt);
}

// A class-template trainer over its model type: `model` has a dependent
// type, so the optimizer keeps its arguments as written and the calls on the
// model and its parameters are recognised by name. The encoder is frozen in
// the first epochs, after that epoch's optimizer was built: the next epoch's
// optimizer receives the frozen parameters.
bool isEncoder(const std::string &Name);
template <class Model> struct Segmenter {
  Model model{nullptr};
  void fit(int Epochs, int FreezeEpochs) {
    for (int Epoch = 0; Epoch < Epochs; ++Epoch) {
      torch::optim::Adam Optimizer(model->parameters(), 0.001);
      // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: optimizer receives frozen parameters of 'model'
      // CHECK-MESSAGES: :[[@LINE+5]]:26: note: some parameters of 'model' are frozen here
      // CHECK-MESSAGES: :[[@LINE-3]]:26: note: build the optimizer from the parameters that stay trainable
      if (Epoch < FreezeEpochs)
        for (auto Item : model->named_parameters())
          if (isEncoder(Item.key()))
            Item.value().set_requires_grad(false);
      Optimizer.step();
    }
  }
  // Every parameter is trainable again before the optimizer is built.
  void refit(int Epochs) {
    for (auto Item : model->named_parameters())
      Item.value().set_requires_grad(false);
    for (auto Item : model->named_parameters())
      Item.value().set_requires_grad(true);
    torch::optim::Adam Optimizer(model->parameters(), 0.001); // no warning
    for (int Epoch = 0; Epoch < Epochs; ++Epoch)
      Optimizer.step();
  }
};

// ---- Negatives ---------------------------------------------------------------

void pushBackOnlyTheHead(Net Model) {
  std::vector<torch::Tensor> Params;
  for (auto &P : Model->Head->parameters())
    Params.push_back(P);
  for (auto &P : Model->Encoder->parameters())
    P.requires_grad_(false);      // no warning: the encoder is not in
  torch::optim::Adam Opt(Params); // the optimizer
  train(Opt);
}

void pushBackOnlyTrainable(Net Model) {
  for (auto &P : Model->Encoder->parameters())
    P.requires_grad_(false);
  std::vector<torch::Tensor> Params;
  for (auto &P : Model->parameters())
    if (P.requires_grad())
      Params.push_back(P);
  torch::optim::Adam Opt(Params); // no warning: filtered
  train(Opt);
}

void insertSomethingElse(Net Model, std::vector<torch::Tensor> &Extra) {
  for (auto &P : Model->Encoder->parameters())
    P.requires_grad_(false);
  std::vector<torch::Tensor> Params = Model->Head->parameters();
  Params.insert(Params.end(), Extra.begin(), Extra.end());
  torch::optim::Adam Opt(Params); // no warning: the encoder is not in it
  train(Opt);
}
