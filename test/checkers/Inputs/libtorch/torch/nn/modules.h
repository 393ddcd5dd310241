// Mock of the torch/nn/modules/ layers the checks care about.
#pragma once
#include <torch/nn/module.h>
#include <tuple>

namespace torch::nn {
class LinearImpl : public Cloneable<LinearImpl> {
public:
  LinearImpl(int64_t in_features, int64_t out_features);
  Tensor forward(const Tensor &input);
  Tensor weight;
  Tensor bias;
};
TORCH_MODULE(Linear);

class RNNImpl : public Cloneable<RNNImpl> {
public:
  RNNImpl(int64_t input_size, int64_t hidden_size);
  std::tuple<Tensor, Tensor> forward(const Tensor &input, Tensor hx = {});
};
TORCH_MODULE(RNN);

class GRUImpl : public Cloneable<GRUImpl> {
public:
  GRUImpl(int64_t input_size, int64_t hidden_size);
  std::tuple<Tensor, Tensor> forward(const Tensor &input, Tensor hx = {});
};
TORCH_MODULE(GRU);

class LSTMImpl : public Cloneable<LSTMImpl> {
public:
  LSTMImpl(int64_t input_size, int64_t hidden_size);
  std::tuple<Tensor, std::tuple<Tensor, Tensor>>
  forward(const Tensor &input,
          c10::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
};
TORCH_MODULE(LSTM);

class RNNCellImpl : public Cloneable<RNNCellImpl> {
public:
  RNNCellImpl(int64_t input_size, int64_t hidden_size);
  Tensor forward(const Tensor &input, Tensor hx = {});
};
TORCH_MODULE(RNNCell);

class GRUCellImpl : public Cloneable<GRUCellImpl> {
public:
  GRUCellImpl(int64_t input_size, int64_t hidden_size);
  Tensor forward(const Tensor &input, Tensor hx = {});
};
TORCH_MODULE(GRUCell);

class LSTMCellImpl : public Cloneable<LSTMCellImpl> {
public:
  LSTMCellImpl(int64_t input_size, int64_t hidden_size);
  std::tuple<Tensor, Tensor>
  forward(const Tensor &input,
          c10::optional<std::tuple<Tensor, Tensor>> hx_opt = {});
};
TORCH_MODULE(LSTMCell);

// Layers without parameters.
class LeakyReLUImpl : public Cloneable<LeakyReLUImpl> {
public:
  explicit LeakyReLUImpl(double negative_slope = 0.01);
  Tensor forward(Tensor input);
};
TORCH_MODULE(LeakyReLU);

class DropoutImpl : public Cloneable<DropoutImpl> {
public:
  explicit DropoutImpl(double p = 0.5);
  Tensor forward(Tensor input);
};
TORCH_MODULE(Dropout);

// Losses (torch-loss-activation-mismatch).
class CrossEntropyLossImpl : public Cloneable<CrossEntropyLossImpl> {
public:
  CrossEntropyLossImpl();
  Tensor forward(const Tensor &input, const Tensor &target);
};
TORCH_MODULE(CrossEntropyLoss);

class NLLLossImpl : public Cloneable<NLLLossImpl> {
public:
  NLLLossImpl();
  Tensor forward(const Tensor &input, const Tensor &target);
};
TORCH_MODULE(NLLLoss);

class BCEWithLogitsLossImpl : public Cloneable<BCEWithLogitsLossImpl> {
public:
  BCEWithLogitsLossImpl();
  Tensor forward(const Tensor &input, const Tensor &target);
};
TORCH_MODULE(BCEWithLogitsLoss);
} // namespace torch::nn

// Mode-dependent layers and containers (torch-missing-eval-mode).
namespace torch::nn {
#define TORCH_TIDY_MOCK_LAYER(Name, ...)                                       \
  class Name##Impl : public Cloneable<Name##Impl> {                            \
  public:                                                                      \
    explicit Name##Impl(__VA_ARGS__);                                          \
    Tensor forward(const Tensor &input);                                       \
  };                                                                           \
  TORCH_MODULE(Name)
TORCH_TIDY_MOCK_LAYER(Dropout2d, double p = 0.5);
TORCH_TIDY_MOCK_LAYER(AlphaDropout, double p = 0.5);
TORCH_TIDY_MOCK_LAYER(FeatureAlphaDropout, double p = 0.5);
TORCH_TIDY_MOCK_LAYER(BatchNorm1d, int64_t num_features);
TORCH_TIDY_MOCK_LAYER(BatchNorm2d, int64_t num_features);
TORCH_TIDY_MOCK_LAYER(Conv2d, int64_t in, int64_t out, int64_t kernel);
TORCH_TIDY_MOCK_LAYER(ReLU, );
struct InstanceNormOptions {
  InstanceNormOptions(int64_t num_features);
  InstanceNormOptions &track_running_stats(bool on);
};
TORCH_TIDY_MOCK_LAYER(InstanceNorm2d, const InstanceNormOptions &options);
#undef TORCH_TIDY_MOCK_LAYER

class SequentialImpl : public Cloneable<SequentialImpl> {
public:
  SequentialImpl();
  template <typename... Modules> explicit SequentialImpl(Modules &&...modules);
  template <typename M> void push_back(M module);
  Tensor forward(const Tensor &input);
};
class Sequential : public ModuleHolder<SequentialImpl> {
public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  Sequential();
};

class ModuleListImpl : public Cloneable<ModuleListImpl> {
public:
  ModuleListImpl();
  template <typename M> void push_back(M module);
  Tensor forward(const Tensor &input); // The mock's ModuleHolder needs one.
};
TORCH_MODULE(ModuleList);
} // namespace torch::nn
