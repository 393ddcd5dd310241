// SPDX-License-Identifier: Apache-2.0
// Output activations and the losses that apply one themselves: which
// activation a call or a module's forward pass ends in, and what a loss
// expects of its input.
#ifndef TORCH_TIDY_CHECKS_MODEL_ACTIVATIONS_H
#define TORCH_TIDY_CHECKS_MODEL_ACTIVATIONS_H

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>

namespace clang::tidy::torch::model {

/// The output activations a loss cares about.
enum class Activation : std::uint8_t { None, Softmax, LogSoftmax, Sigmoid };

/// `softmax`, `log_softmax` or `sigmoid`.
llvm::StringRef activationName(Activation A);

/// A call of a LibTorch activation, recognised by canonical declaration:
/// `at::softmax`/`torch::softmax(x, dim)`, `x.softmax(dim)`,
/// `torch::nn::functional::softmax(x, SoftmaxFuncOptions(dim))`, the same for
/// `log_softmax`, and `sigmoid` (function or method).
struct ActivationCall {
  const CallExpr *Call = nullptr;
  Activation Kind = Activation::None;
  /// The tensor the activation is applied to (the object of a method call,
  /// the first argument of a function).
  const Expr *Input = nullptr;
  /// True for the `torch::nn::functional` spelling, which takes an options
  /// object instead of the dimension.
  bool Functional = false;

  explicit operator bool() const { return Call != nullptr; }
  /// The dimension a softmax normalises over, when it is a constant:
  /// the `dim` argument, or the argument of the `SoftmaxFuncOptions`
  /// construction passed to the functional spelling.
  std::optional<std::int64_t> dim(const ASTContext &Context) const;
  /// True when the call passes more than its input and dimension (a `dtype`).
  bool hasExtraArguments() const;
};

/// `E`, seen through implicit casts, parentheses and temporaries, as an
/// activation call; empty when it is none.
ActivationCall asActivationCall(const Expr *E);

/// The losses that apply an activation themselves, or want a given one.
enum class Loss : std::uint8_t {
  None,
  /// `cross_entropy`, `cross_entropy_loss`, `CrossEntropyLoss`: applies
  /// `log_softmax` itself and wants raw scores.
  CrossEntropy,
  /// `nll_loss`, `NLLLoss`: wants log-probabilities (`log_softmax`).
  NLL,
  /// `binary_cross_entropy_with_logits`, `BCEWithLogitsLoss`: applies
  /// `sigmoid` itself and wants raw scores.
  BCEWithLogits,
};

/// A call of one of those losses: `torch::nn::functional::cross_entropy(x,
/// y)`, `torch::cross_entropy_loss(x, y)`, `torch::nll_loss(x, y)`,
/// `torch::binary_cross_entropy_with_logits(x, y)`, or a forward pass of a
/// `torch::nn::CrossEntropyLoss`, `NLLLoss` or `BCEWithLogitsLoss` module
/// (`criterion(x, y)`, `criterion->forward(x, y)`).
struct LossCall {
  const CallExpr *Call = nullptr;
  Loss Kind = Loss::None;
  /// The input (the scores), not the target.
  const Expr *Input = nullptr;
  /// The function's name, or the module class's without `Impl`.
  llvm::StringRef Name;

  explicit operator bool() const { return Call != nullptr; }
};

LossCall asLossCall(const Stmt *S);

/// True when a loss of kind `L` given the output of `A` computes something
/// else than it means: `cross_entropy` of `softmax` or `log_softmax`
/// (normalised twice), `nll_loss` of `softmax` (probabilities, not their
/// logarithms), `binary_cross_entropy_with_logits` of `sigmoid`.
bool isMismatch(Loss L, Activation A);

/// The activation a user-defined module's forward pass ends in.
struct FinalActivation {
  Activation Kind = Activation::None;
  /// The activation call of the first `return` of that `forward`.
  const CallExpr *At = nullptr;

  explicit operator bool() const { return Kind != Activation::None; }
};

/// For a forward pass `Call` (see `forwardMethods`) on a module whose
/// `forward` is defined in the translation unit, outside LibTorch: the
/// activation every `return` of that `forward` applies last (`return
/// torch::softmax(x, 1);`); empty when a `return` ends in anything else or
/// the `forward` that runs is not known.
FinalActivation forwardActivation(const Expr *Call);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_ACTIVATIONS_H
