// Mock of torch/optim/*.h: the Optimizer base and the common optimizers.
#pragma once
#include <functional>
#include <memory>
#include <torch/types.h>
#include <vector>

namespace torch::optim {
class OptimizerOptions {
public:
  virtual ~OptimizerOptions();
};

class OptimizerParamGroup {
public:
  OptimizerParamGroup(std::vector<Tensor> params);
  OptimizerParamGroup(std::vector<Tensor> params,
                      std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup &param_group);
  std::vector<Tensor> &params();
};

class Optimizer {
public:
  Optimizer(const Optimizer &optimizer) = delete;
  Optimizer(Optimizer &&optimizer) = default;
  explicit Optimizer(std::vector<Tensor> parameters,
                     std::unique_ptr<OptimizerOptions> defaults);
  virtual ~Optimizer() = default;
  using LossClosure = std::function<Tensor()>;
  virtual Tensor step(LossClosure closure = nullptr) = 0;
  void add_param_group(const OptimizerParamGroup &param_group);
  void add_parameters(const std::vector<Tensor> &parameters);
#if TORCH_VERSION_MAJOR >= 2
  void zero_grad(bool set_to_none = true);
#else
  void zero_grad();
#endif
  std::vector<Tensor> &parameters() noexcept;
  std::vector<OptimizerParamGroup> &param_groups() noexcept;
};

#define TORCH_TIDY_MOCK_OPTIMIZER(Name)                                        \
  struct Name##Options : OptimizerOptions {                                    \
    Name##Options(double lr = 1e-3);                                           \
    Name##Options &lr(double value);                                           \
    Name##Options &momentum(double value);                                     \
    Name##Options &weight_decay(double value);                                 \
  };                                                                           \
  class Name : public Optimizer {                                              \
  public:                                                                      \
    explicit Name(std::vector<Tensor> params,                                  \
                  Name##Options defaults = {});                                \
    explicit Name(std::vector<OptimizerParamGroup> param_groups,               \
                  Name##Options defaults = {});                                \
    Tensor step(LossClosure closure = nullptr) override;                       \
  }

TORCH_TIDY_MOCK_OPTIMIZER(SGD);
TORCH_TIDY_MOCK_OPTIMIZER(Adam);
TORCH_TIDY_MOCK_OPTIMIZER(AdamW);
TORCH_TIDY_MOCK_OPTIMIZER(RMSprop);
TORCH_TIDY_MOCK_OPTIMIZER(Adagrad);
TORCH_TIDY_MOCK_OPTIMIZER(LBFGS);
#undef TORCH_TIDY_MOCK_OPTIMIZER
} // namespace torch::optim
