// Mock of ATen/core/TensorBase.h and TensorBody.h: at::TensorBase, at::Tensor.
#pragma once
#include <c10/core/ScalarType.h>
#include <c10/util/Optional.h>
#include <cstdint>
#include <ostream>
#include <tuple>
#include <vector>

namespace c10 {
/// Mock of c10::IntArrayRef, what `sizes()` returns.
class IntArrayRef {
public:
  size_t size() const;
  int64_t operator[](size_t index) const;
};
std::ostream &operator<<(std::ostream &out, IntArrayRef sizes);
} // namespace c10

namespace at {
using c10::IntArrayRef;
class Tensor;
class TensorBase {
public:
  bool defined() const;
  bool requires_grad() const;
  const TensorBase &set_requires_grad(bool requires_grad) const;
  void reset();
  int64_t dim() const;
  int64_t numel() const;
  IntArrayRef sizes() const;
  int64_t size(int64_t dim) const;
};

class Tensor : public TensorBase {
public:
  Tensor();
  Tensor(const Tensor &);
  Tensor(Tensor &&);
  Tensor &operator=(const Tensor &) &;
  Tensor &operator=(Tensor &&) &;
  // Assigning to a temporary (`t[0] = x`) copies into its storage.
  Tensor &operator=(const Tensor &) &&;
  Tensor &operator=(Tensor &&) &&;
  ~Tensor();

  void backward(const Tensor &gradient = {},
                c10::optional<bool> retain_graph = c10::nullopt,
                bool create_graph = false) const;
  const Tensor &grad() const;
  Tensor &mutable_grad() const;
  Tensor detach() const;
  Tensor &detach_() const;
  Tensor data() const;
  const Tensor &requires_grad_(bool requires_grad = true) const;
  const Tensor &set_requires_grad(bool requires_grad) const;
  Tensor &zero_() const;
  Tensor &add_(const Tensor &other, double alpha = 1) const;
  Tensor &sub_(const Tensor &other, double alpha = 1) const;
  Tensor &mul_(double other) const;
  Tensor &copy_(const Tensor &src) const;
  Tensor &fill_(double value) const;
  Tensor &operator*=(double other);
  Tensor &operator+=(const Tensor &other);
  Tensor &operator-=(const Tensor &other);
  Tensor &operator+=(const Scalar &other);
  Tensor clone() const;
  Tensor sum() const;
  Tensor mean() const;
  Tensor pow(double exponent) const;
  Tensor view(std::vector<int64_t> size) const;
  template <typename T> T item() const;
  Scalar item() const;
  Tensor operator[](int64_t index) const;

  // Operations that return a new tensor, and their in-place variants.
  Tensor to(at::TensorOptions options = {}, bool non_blocking = false,
            bool copy = false) const;
  Tensor to(at::ScalarType dtype, bool non_blocking = false,
            bool copy = false) const;
  Tensor clamp(const c10::optional<at::Scalar> &min,
               const c10::optional<at::Scalar> &max = c10::nullopt) const;
  Tensor &clamp_(const c10::optional<at::Scalar> &min,
                 const c10::optional<at::Scalar> &max = c10::nullopt) const;
  Tensor contiguous() const;
  Tensor squeeze() const;
  Tensor &squeeze_() const;
  Tensor add(const Tensor &other, double alpha = 1) const;
  Tensor relu() const;
  Tensor &relu_() const;
  // Operations whose results hold no autograd history: indices and
  // comparisons.
  Tensor argmax(c10::optional<int64_t> dim = c10::nullopt,
                bool keepdim = false) const;
  Tensor eq(const Tensor &other) const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  void print() const;
  // Activations (torch-loss-activation-mismatch).
  Tensor softmax(int64_t dim,
                 c10::optional<ScalarType> dtype = c10::nullopt) const;
  Tensor log_softmax(int64_t dim,
                     c10::optional<ScalarType> dtype = c10::nullopt) const;
  Tensor sigmoid() const;
  Tensor log() const;
};

Tensor operator+(const Tensor &, const Tensor &);
Tensor operator-(const Tensor &, const Tensor &);
Tensor operator*(const Tensor &, const Tensor &);
Tensor operator*(const Tensor &, double);
Tensor operator*(double, const Tensor &);
Tensor operator/(const Tensor &, double);
Tensor operator==(const Tensor &, const Tensor &);
std::ostream &operator<<(std::ostream &out, const Tensor &t);

Tensor randn(std::vector<int64_t> size);
Tensor randn(std::vector<int64_t> size, TensorOptions options);
Tensor zeros(std::vector<int64_t> size);
Tensor ones(std::vector<int64_t> size);
Tensor mse_loss(const Tensor &self, const Tensor &target);
Tensor cross_entropy_loss(const Tensor &self, const Tensor &target);
Tensor relu(const Tensor &self);
Tensor &relu_(Tensor &self);
Tensor add(const Tensor &self, const Tensor &other, double alpha = 1);
Tensor &add_out(Tensor &out, const Tensor &self, const Tensor &other,
                double alpha = 1);
Tensor clamp(const Tensor &self, const c10::optional<Scalar> &min,
             const c10::optional<Scalar> &max = c10::nullopt);
Tensor batch_norm(const Tensor &input, const c10::optional<Tensor> &weight,
                  const c10::optional<Tensor> &bias,
                  const c10::optional<Tensor> &running_mean,
                  const c10::optional<Tensor> &running_var, bool training,
                  double momentum, double eps, bool cudnn_enabled);
Tensor cat(std::vector<Tensor> tensors, int64_t dim = 0);
Tensor argmax(const Tensor &self, c10::optional<int64_t> dim = c10::nullopt,
              bool keepdim = false);
std::tuple<Tensor, Tensor> max(const Tensor &self, int64_t dim,
                               bool keepdim = false);
// Activations and losses (torch-loss-activation-mismatch).
Tensor softmax(const Tensor &self, int64_t dim,
               c10::optional<ScalarType> dtype = c10::nullopt);
Tensor log_softmax(const Tensor &self, int64_t dim,
                   c10::optional<ScalarType> dtype = c10::nullopt);
Tensor sigmoid(const Tensor &self);
Tensor nll_loss(const Tensor &self, const Tensor &target);
Tensor binary_cross_entropy(const Tensor &self, const Tensor &target);
Tensor binary_cross_entropy_with_logits(const Tensor &self,
                                        const Tensor &target);
} // namespace at
