// Mock of torch/nn/module.h and torch/nn/pimpl.h.
#pragma once
#include <memory>
#include <string>
#include <torch/ordered_dict.h>
#include <torch/types.h>
#include <utility>
#include <vector>

namespace torch::nn {
template <typename Contained> class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
public:
  Module();
  virtual ~Module();
  std::vector<Tensor> parameters(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  virtual void train(bool on = true);
  void eval();
  virtual void to(torch::Device device, bool non_blocking = false);
  virtual bool is_training() const noexcept;
#if TORCH_VERSION_MAJOR >= 2
  virtual void zero_grad(bool set_to_none = true);
#else
  virtual void zero_grad(bool set_to_none = false);
#endif
  Tensor &register_parameter(std::string name, Tensor tensor,
                             bool requires_grad = true);
  template <typename ModuleType>
  std::shared_ptr<ModuleType>
  register_module(std::string name, std::shared_ptr<ModuleType> module);
  template <typename ModuleType>
  std::shared_ptr<ModuleType>
  register_module(std::string name, ModuleHolder<ModuleType> module_holder);
};

template <typename Derived> class Cloneable : public Module {};

template <typename Contained> class ModuleHolder {
public:
  ModuleHolder(std::nullptr_t);
  ModuleHolder(std::shared_ptr<Contained> module);
  template <typename... Args> explicit ModuleHolder(Args &&...args);
  Contained *operator->();
  const Contained *operator->() const;
  Contained &operator*();
  const Contained &operator*() const;
  Contained *get();
  const Contained *get() const;
  const std::shared_ptr<Contained> &ptr() const;
  template <typename... Args>
  auto operator()(Args &&...args)
      -> decltype(std::declval<Contained>().forward(std::forward<Args>(args)...));
};
} // namespace torch::nn

#define TORCH_MODULE(Name)                                                     \
  class Name : public torch::nn::ModuleHolder<Name##Impl> {                    \
  public:                                                                      \
    using torch::nn::ModuleHolder<Name##Impl>::ModuleHolder;                   \
  }
