// SPDX-License-Identifier: Apache-2.0
// torch-missing-eval-mode: an evaluation forward pass of a module with dropout
// or batch norm that may still be in training mode.
#ifndef TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H
#define TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"
#include "utils/GradModeScope.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::torch {

/// Finds evaluation forward passes of a module that may still be in training
/// mode, when the module holds a layer whose output depends on the mode
/// (dropout, batch norm, instance norm with running statistics:
/// `model/ModuleMode.h`).
///
/// A forward pass evaluates when a grad-disabling guard's scope encloses it,
/// when its function is an evaluation function (`model/Evaluation.h`: by
/// name, or it loads a model, and it does not train), or when it sits in a
/// function that trains and its result reaches no gradient and stays in the
/// body (a sample or a preview). The module's mode is a may-analysis over
/// the CFG of the body, per access path (`model/Objects.h`): a module is in
/// training mode after its construction in the body, after `train()` once a
/// `backward()` follows (an explicit `train()` with no training after it is
/// Monte-Carlo dropout, on purpose), and after a forward pass of it whose
/// result reaches `backward()` when it was not in evaluation mode; `eval()`,
/// `train(false)` on it or a module that contains it, or a call of a
/// function of the user's that puts a module it is given in evaluation mode
/// (`FunctionSummary::SetsEvalMode`) end that. A module that comes from
/// outside the body (a parameter, a member, a capture) has the mode of its
/// callers: the calls of the function in the translation unit are asked, and
/// a call in training mode is reported there; with no call, the mode is
/// unknown and nothing is reported. Flow-sensitive, not path-sensitive.
///
/// For the user-facing documentation see docs/checks/missing-eval-mode.md.
class MissingEvalModeCheck : public TorchCheck {
public:
  MissingEvalModeCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  ~MissingEvalModeCheck() override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

  class Analysis;

private:
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
  /// Bodies with forward passes, in the order they were found.
  llvm::MapVector<const Stmt *, scope::EnclosingBody> Bodies;
  /// The calls of each function of the user's, by `model::summaryKey`.
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 2>>
      CallSites;
  /// Functions whose own body (lambdas included) calls `backward()`, and
  /// those that put a module in evaluation mode.
  llvm::DenseSet<const FunctionDecl *> LocalTrains, LocalSetsEval;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H
