// SPDX-License-Identifier: Apache-2.0
// torch-inplace-leaf-update: an in-place update of a leaf tensor that
// requires grad, with grad mode on.
#ifndef TORCH_TIDY_CHECKS_INPLACELEAFUPDATECHECK_H
#define TORCH_TIDY_CHECKS_INPLACELEAFUPDATECHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>

namespace clang::tidy::torch {

/// Finds an in-place update (`p -= lr * p.grad()`, `p.sub_(...)`,
/// `w.copy_(...)`, `w.zero_()`, ...) of a leaf tensor that requires grad: a
/// module parameter (a loop variable over `parameters()` or
/// `named_parameters()`, a field stored from `register_parameter`, a
/// LibTorch layer's `weight`/`bias`) or a tensor made with
/// `requires_grad(true)` or marked with `requires_grad_()`, where grad mode
/// is on: autograd throws.
///
/// The grad mode comes from `scope::GradModeFlow` on the CFG of the update's
/// body; where that says "the caller's", every call of the function in the
/// translation unit (`model::buildCallGraph`, `model::calleesOf`) must be
/// made with grad mode disabled for the update to be silent. Updates through
/// `.data()` or on `.grad()` are not reported. The fix wraps the statement,
/// or the loop over the parameters, in a block that opens with a
/// `torch::NoGradGuard`.
///
/// For the user-facing documentation see docs/checks/inplace-leaf-update.md.
class InplaceLeafUpdateCheck : public TorchCheck {
public:
  InplaceLeafUpdateCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  struct BodyFlow {
    std::unique_ptr<flow::FlowGraph> Graph;
    std::unique_ptr<scope::GradModeFlow> Modes;
  };
  void checkUpdate(const Expr *Update, SourceLocation Loc);
  /// True when autograd records at `S`: its body may enable grad mode there,
  /// or leaves it to callers of which one may.
  bool recordsAt(const Stmt *S, unsigned Depth);
  const scope::GradModeFlow *flowOf(const Decl *D, Stmt *Body);
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 4>>
      CallsOf;
  /// Fields stored from `register_parameter(...)`.
  llvm::DenseSet<const Decl *> RegisteredParameters;
  /// Variables and fields made or marked as requiring grad.
  llvm::DenseSet<const Decl *> RequiresGrad;
  llvm::DenseMap<const Stmt *, BodyFlow> Flows;
  /// The statements a fix already wraps.
  llvm::DenseSet<const Stmt *> Wrapped;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_INPLACELEAFUPDATECHECK_H
