// SPDX-License-Identifier: Apache-2.0
// The LibTorch vocabulary shared by all checks, matched on canonical
// declarations.
#ifndef TORCH_TIDY_CHECKS_UTILS_TORCHAPI_H
#define TORCH_TIDY_CHECKS_UTILS_TORCHAPI_H

#include "AstWalk.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"
#include <optional>
#include <utility>
#include <vector>

// Every name below is the canonical one (`at::Tensor`,
// `torch::optim::Optimizer`, `c10::NoGradGuard`); `torch::Tensor`, typedefs,
// `auto` and aliases all resolve to it because the matchers look at
// declarations, never at spellings.
namespace clang::tidy::torch::api {

using ast_matchers::DeclarationMatcher;
using ast_matchers::StatementMatcher;
using ast_matchers::TypeMatcher;

// --- Classes --------------------------------------------------------------

/// `at::Tensor` or its base `at::TensorBase`.
DeclarationMatcher tensorClass();
/// A class derived from (or equal to) `torch::optim::Optimizer`.
DeclarationMatcher optimizerClass();
/// A class derived from `torch::nn::Module`.
DeclarationMatcher moduleClass();
/// `torch::nn::ModuleHolder<T>` or a class derived from one
/// (`torch::nn::Linear`).
DeclarationMatcher moduleHolderClass();
/// A grad-mode guard class: `c10::NoGradGuard`, `c10::AutoGradMode`,
/// `c10::InferenceMode`.
DeclarationMatcher gradModeGuardClass();

/// A type whose canonical form is `at::Tensor` (through references too).
TypeMatcher tensorType();

bool isTensorType(QualType T);
/// True for an optimizer object, pointer, reference or smart pointer to one.
bool isOptimizerLike(QualType T);
/// True for a module object, `ModuleHolder`, pointer or smart pointer to one.
bool isModuleLike(QualType T);

// --- Calls ----------------------------------------------------------------

/// `t.backward(...)` or `torch::autograd::backward(...)`.
StatementMatcher backwardCall();
/// A function or lambda body: the function (a lambda's call operator) and
/// its body.
using FunctionBody = std::pair<const Decl *, Stmt *>;
/// `torch::autograd::grad(...)`.
StatementMatcher autogradGradCall();
/// `opt.step(...)` on any optimizer.
StatementMatcher optimizerStepCall();
/// `zero_grad(...)` on an optimizer or a module, with or without `set_to_none`.
StatementMatcher zeroGradCall();
/// `zero_grad(...)` on an optimizer only.
StatementMatcher optimizerZeroGradCall();
/// `zero_grad(...)` on a module only.
StatementMatcher moduleZeroGradCall();
/// `t.grad()` or `t.mutable_grad()`.
StatementMatcher gradAccessCall();
/// `t.detach()` or `t.detach_()`.
StatementMatcher detachCall();
/// `m.eval()` or `m.train(...)` on a module.
StatementMatcher evalCall();
StatementMatcher trainCall();
/// `t.requires_grad_(...)` or `t.set_requires_grad(...)`.
StatementMatcher requiresGradSetterCall();
/// `m.parameters(...)` / `m.named_parameters(...)` on a module.
StatementMatcher parametersCall();
StatementMatcher namedParametersCall();

// --- Predicates on one statement, for analyses that walk CFG elements -----

/// `S` as a call of method `Name` on a tensor, optimizer or module, or null.
const CXXMemberCallExpr *asTensorCall(const Stmt *S, llvm::StringRef Name);
const CXXMemberCallExpr *asOptimizerCall(const Stmt *S, llvm::StringRef Name);
const CXXMemberCallExpr *asModuleCall(const Stmt *S, llvm::StringRef Name);
/// True for `t.backward(...)` and `torch::autograd::backward(...)`.
bool isBackwardCall(const Stmt *S);
/// True when `E` is `X.grad()` or `X.mutable_grad()` on a tensor.
bool isGradAccess(const Expr *E);
/// True when `Call` is a tensor method whose name ends in `_` (in place).
bool isInPlaceTensorCall(const CXXMemberCallExpr *Call);

// --- Receivers --------------------------------------------------------------

/// The object a member call is made on, seen through `->`, `*`, smart-pointer
/// `operator->`/`operator*` and `ModuleHolder::operator->`.
struct Receiver {
  /// The expression naming the object (`opt` in `opt->step()`), or null.
  const Expr *Named = nullptr;
  /// The declaration it names: a variable, parameter or field, or null.
  const ValueDecl *Decl = nullptr;
  /// True when the object is reached through a pointer-like value.
  bool ThroughPointer = false;
};

Receiver getReceiver(const CXXMemberCallExpr *Call);
/// The variable, parameter or field an expression names, through implicit
/// casts, parentheses and `.get()`/`*`/`->` on pointers.
const ValueDecl *getReferencedDecl(const Expr *E);

// --- Recurrent state (torch-undetached-recurrent-state) -------------------

/// `m->forward(...)`, `m.forward(...)` or `m(...)` on a module or a
/// `ModuleHolder`, or null.
const CallExpr *asModuleForwardCall(const Stmt *S);
/// The arguments of a module forward call, without the module itself.
llvm::ArrayRef<const Expr *> forwardArguments(const CallExpr *Call);
/// True when a `backward()` call keeps its graph: `retain_graph` or, when that
/// is left out, `create_graph` is spelled as a constant `true`.
bool retainsGraph(const Expr *Backward);
/// True for a guard variable that disables autograd in its scope:
/// `c10::NoGradGuard`, `c10::InferenceMode` (not `(false)`) and
/// `c10::AutoGradMode(false)`.
bool isGradDisablingGuard(const VarDecl *VD);

// --- Parameter lists and optimizer construction (frozen-param-in-optimizer)

/// An optimizer built from parameters: a non-copy, non-move constructor call of
/// an optimizer class (also under `new`), or `std::make_shared<X>(...)` /
/// `std::make_unique<X>(...)` of one, with at least one argument.
StatementMatcher optimizerConstruction();
/// `opt.add_param_group(...)` or `opt.add_parameters(...)` on an optimizer.
StatementMatcher addParametersCall();
/// True for `std::vector<at::Tensor>`, through references and typedefs.
bool isTensorVectorType(QualType T);
/// True for `torch::OrderedDict<K, V>` and its nested `Item`, through
/// references.
bool isOrderedDictType(QualType T);
bool isOrderedDictItemType(QualType T);
/// `S` as a call of method `Name` on an `OrderedDict` or one of its `Item`s.
const CXXMemberCallExpr *asOrderedDictCall(const Stmt *S, llvm::StringRef Name);
// --- Grad mode and evaluation mode (torch-eval-without-no-grad) ------------

/// What constructing a grad-mode guard or calling `GradMode::set_enabled`
/// does to gradient recording.
enum class GradModeEffect : std::uint8_t { None, Disables, Enables, Unknown };

/// The construction of a grad-mode guard (`c10::AutoGradMode`, `NoGradGuard`,
/// `InferenceMode` or a class derived from one) that `E` is, seen through
/// casts, temporaries and cleanups; null when `E` constructs no guard.
const CXXConstructExpr *asGradModeGuardConstruction(const Expr *E);
/// The effect of the guard constructed by `E` (a variable's initializer or a
/// temporary): `NoGradGuard`, `AutoGradMode(false)` and `InferenceMode(true)`
/// disable; `AutoGradMode(true)` and `InferenceMode(false)` enable; an
/// argument that is not a constant gives Unknown; no guard gives None.
GradModeEffect gradModeGuardEffect(const Expr *E, const ASTContext &Context);
/// The effect of `GradMode::set_enabled(...)` (any spelling of
/// `c10::GradMode`); None when `S` is not such a call.
GradModeEffect setGradEnabledEffect(const Stmt *S, const ASTContext &Context);
/// A forward pass, as `asForwardCall` defines it.
StatementMatcher forwardCall();
/// `m->forward(...)`, `m.forward(...)` on a `torch::nn::Module`,
/// `m(...)` on a `ModuleHolder`, or `forward(...)` on a `torch::jit::Module`:
/// the call, or null.
const CallExpr *asForwardCall(const Stmt *S);
/// The module object expression a forward pass from `asForwardCall` runs on.
const Expr *getForwardReceiver(const CallExpr *Forward);
/// `eval()` or `train(false)` on a `torch::nn::Module` or `torch::jit::Module`.
const CXXMemberCallExpr *asEvalModeCall(const Stmt *S,
                                        const ASTContext &Context);
/// `train()`, `train(true)` or `train(<not a constant>)` on a module.
const CXXMemberCallExpr *asTrainModeCall(const Stmt *S,
                                         const ASTContext &Context);
/// True for `torch::autograd::grad(...)`.
bool isAutogradGradCall(const Stmt *S);
/// The value of a constant scalar expression as a boolean, if it is one.
std::optional<bool> constantScalarBool(const Expr *E,
                                       const ASTContext &Context);

// --- Operations without side effects (torch-discarded-tensor-result) -------

/// True when `FD` returns a new tensor and modifies none of its operands, read
/// from its declaration: a non-static method of `at::Tensor`/`at::TensorBase`
/// (overloaded operators included) or a function in namespace `at` or `torch`
/// (nested ones too, such as `torch::nn::functional`) that returns `at::Tensor`
/// by value (in-place operations return `Tensor &`), whose name does not end
/// in `_`, and, for a function, that takes no non-const reference (`out=`
/// variants take `Tensor &out`). Left out because they update tensors they are
/// given: `batch_norm` and `instance_norm` (running statistics in training)
/// and `_copy_from`/`_copy_from_and_resize`.
bool isPureTensorOperation(const FunctionDecl *FD);
/// True when `FD` is LibTorch's: a function or method declared in namespace
/// `at`, `c10` or `torch` (nested ones too). Its use of its arguments is
/// known, even where LibTorch is not included as a system header.
bool isLibTorchFunction(const FunctionDecl *FD);
/// True when `D` is declared in namespace `at`, `c10` or `torch` (nested
/// ones too).
bool isLibTorchDecl(const Decl *D);
/// True when `Call` passes an options object that has an `inplace` setting
/// (`torch::nn::functional::ReLUFuncOptions().inplace(true)`): the call may
/// then modify its input.
bool passesInPlaceOption(const CallExpr *Call);
/// The in-place variant of a tensor operation (`clamp_` for `clamp`): a
/// method of the same class or a function of the same namespace named with a
/// trailing `_`; null when there is none.
const FunctionDecl *inPlaceVariant(const FunctionDecl *FD);

} // namespace clang::tidy::torch::api

#endif // TORCH_TIDY_CHECKS_UTILS_TORCHAPI_H
