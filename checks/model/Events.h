// SPDX-License-Identifier: Apache-2.0
// Training events: the calls of a training program (forward passes, mode
// switches, backward), recognised in resolved code, in templates and in code
// that did not compile.
#ifndef TORCH_TIDY_CHECKS_MODEL_EVENTS_H
#define TORCH_TIDY_CHECKS_MODEL_EVENTS_H

#include "utils/AstWalk.h"
#include "utils/TorchApi.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <vector>

namespace clang::tidy::torch::model {

/// A call of a method of the training vocabulary (`forward`, `eval`,
/// `train`, `backward`) on an object.
///
/// Resolved calls are matched on canonical LibTorch declarations (see
/// `utils/TorchApi.h`). Where the object's type is dependent (a member of a
/// class template of type `Model`, a parameter `Net &net` of a function
/// template) or the call did not compile (a `RecoveryExpr` left where a
/// third-party header is missing), the call is matched by the member's name
/// instead, and `ByName` says so: such a call is kept only when it is
/// spelled as a member call, `m->forward(x)` or `m.eval()`.
struct MethodCall {
  /// The call: a `CallExpr`, or a `RecoveryExpr` for code that did not
  /// compile; null when the statement is no such call.
  const Expr *E = nullptr;
  /// The object as written (`model` in `model->forward(x)`); null for an
  /// implicit `this`.
  const Expr *Object = nullptr;
  llvm::StringRef Name;
  llvm::ArrayRef<const Expr *> Args;
  bool ByName = false;

  explicit operator bool() const { return E != nullptr; }
  /// Where a diagnostic about the call points: the member name, or the
  /// object of a `ModuleHolder` call.
  SourceLocation loc() const;
};

/// Where a diagnostic about the call `E` points: the member name of a
/// member call, resolved or not (`loss.backward()` points at `backward`).
inline SourceLocation callLoc(const Expr *E) {
  MethodCall Call;
  Call.E = E;
  return Call.loc();
}

/// A member call matched by the member's name: on an object of dependent
/// type, with type-dependent arguments, or left as a recovery expression
/// (see `MethodCall::ByName`); empty for a resolved call.
MethodCall memberCallByName(const Stmt *S);

/// A forward pass: `m->forward(...)`, `m.forward(...)` on a
/// `torch::nn::Module` or `torch::jit::Module`, `m(...)` on a
/// `ModuleHolder`, `m.forward(...)` on a model written from scratch (a class
/// of the program that keeps tensors as members), or `forward(...)` by name.
MethodCall asForward(const Stmt *S);
/// The `forward` methods a resolved forward pass can run: the method called
/// by `m->forward(...)`, or the `forward` overloads of `Impl` for `m(...)` on
/// a `ModuleHolder<Impl>`. Empty for anything else.
llvm::SmallVector<const CXXMethodDecl *, 2> forwardMethods(const Expr *Call);
/// True when the forward pass `Call` runs a LibTorch layer that has no
/// parameters (`torch::nn::ReLU`, `Dropout`, `MaxPool2d`, `Flatten`, the
/// losses, ...): it records a graph only when its input already has one.
bool runsParameterFreeLayer(const Expr *Call);
/// A method of one of your modules that takes and returns tensors and is
/// defined in another file (`model->decode(z)`, `net->encode(x)`): it is
/// taken to run the module's layers.
bool isModuleMethodDefinedElsewhere(const Stmt *S);
/// A call that loads a model's parameters from a file: `torch::load(m,
/// path)`, `torch::jit::load(path)`.
bool isModelLoad(const Stmt *S);
/// `eval()` or `train(false)` on a module.
MethodCall asEvalMode(const Stmt *S, const ASTContext &Context);
/// `train()`, `train(true)` or `train(<not a constant>)` on a module.
MethodCall asTrainMode(const Stmt *S, const ASTContext &Context);
/// `zero_grad(...)` on an optimizer or a module, or by name; with `Context`,
/// also a call of a user's `zero_grad` whose declaration did not compile (the
/// name is read from the source).
MethodCall asZeroGrad(const Stmt *S, const ASTContext *Context = nullptr);
/// `t.backward(...)` or `torch::autograd::backward(...)`, or `backward(...)`
/// by name on an object of dependent type (`loss.backward()` with `auto loss`
/// computed from a template parameter): where gradients are added to the
/// parameters' `grad`.
bool isBackward(const Stmt *S);
/// A backward pass (`isBackward`) or `torch::autograd::grad(...)`: where a
/// recorded graph is used.
bool isGradientSink(const Stmt *S);
/// The bodies that directly contain a backward pass (`isBackward`), in the
/// user's code (as `ast::UserCodeVisitor` walks it) and inside a loop (also
/// one around the lambda or local class the body belongs to), each once, in
/// source order: where the flow-sensitive checks start.
std::vector<api::FunctionBody>
bodiesWithBackwardInLoop(const ast::ParentIndex &Parents);
/// `t.detach()` or `t.detach_()` on a tensor, or by name on an object of
/// dependent type: where a value's history ends.
bool isDetach(const Stmt *S);

/// True when the name of `FD` says it evaluates, predicts or samples: one
/// of its words (split at `_` and lower-to-upper case changes) is in the
/// inference vocabulary (`predict`, `infer`, `inference`, `evaluate`,
/// `evaluation`, `validate`, `validation`, `valid`, `test`,
/// `sample`, `sampling`, `generate`, `generation`, `detect`).
bool hasInferenceName(const FunctionDecl *FD);
/// True when the name of `FD` says it trains: a word of it starts with
/// `train`, `optim`, `learn` or `backprop`, or is `step`, `backward`, `fit`,
/// `update`, `loss` or `grad` (`gradient`, ...).
bool hasTrainingName(const FunctionDecl *FD);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_EVENTS_H
