// SPDX-License-Identifier: Apache-2.0
// torch-missing-zero-grad: backward() in a loop whose gradients are never
// cleared.
#ifndef TORCH_TIDY_CHECKS_MISSINGZEROGRADCHECK_H
#define TORCH_TIDY_CHECKS_MISSINGZEROGRADCHECK_H

#include "TorchCheck.h"
#include "model/Objects.h"
#include "model/ParameterSets.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"
#include "utils/NameList.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include <optional>
#include <string>

namespace clang::tidy::torch {

/// Finds `backward()` calls in loops whose gradients are summed across
/// iterations because nothing clears them between parameter updates.
///
/// The analysis runs on the CFG of each function or lambda body that calls
/// `backward()` in a loop. It is flow-sensitive, not path-sensitive: every
/// branch is assumed to be taken on some iteration. It is intraprocedural,
/// except that a call to a function defined in the translation unit whose body
/// clears gradients (through any chain of calls, see model::FunctionSummary)
/// counts as clearing them, for every optimizer. A module's `zero_grad()`
/// clears an optimizer unless the optimizer's parameters are known (see
/// model::OptimizerParameters) and all come from other modules.
///
/// For the user-facing documentation see docs/checks/missing-zero-grad.md.
class MissingZeroGradCheck : public TorchCheck {
public:
  MissingZeroGradCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onStartOfTranslationUnit() override;

  /// A parameter update or a clearing of gradients, at one CFG element.
  struct Event {
    const Expr *E = nullptr;
    /// The optimizer an update or `zero_grad()` is made on; null if unknown.
    const ValueDecl *Optimizer = nullptr;
    /// Update: an in-place update of parameters from their `.grad()`.
    bool Manual = false;
    /// Clear: clears the gradients of every parameter (`p.grad().zero_()`,
    /// a clearing helper), whatever the optimizer.
    bool All = false;
    /// Clear: a module's `zero_grad()`, on the module `ModulePath` (unknown
    /// when empty).
    bool Module = false;
    std::optional<model::AccessPath> ModulePath;
    /// Manual update: the module whose `parameters()` the update iterates.
    const Expr *ModuleReceiver = nullptr;
    bool ModuleThroughPointer = false;
  };

private:
  void analyzeBody(const Decl *D, Stmt *Body);
  /// The note at the update that consumes accumulated gradients; `Wrapper`
  /// is the update function it calls, if any.
  void noteConsumer(const Event &Update, const FunctionDecl *Wrapper);
  std::optional<Event> classifyUpdate(const Stmt *S) const;
  std::optional<Event> classifyClear(const Stmt *S);
  void buildSummaries(ASTContext &Context);
  /// Reports the training-step helpers that never clear gradients and are
  /// called in a loop that does not clear them either.
  void checkStepHelpers();

  const std::string ClearingFunctionsOption;
  const std::string UpdateFunctionsOption;
  const api::NameList ClearingFunctions;
  const api::NameList UpdateFunctions;
  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
  /// The functions (by `model::summaryKey`) that run `backward()` outside
  /// any loop of theirs, in the order of the user's code, and the calls of
  /// each function of the user's.
  llvm::SetVector<const FunctionDecl *> StepHelperCandidates;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 2>>
      CallsOf;
  model::OptimizerParameters Optimizers;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_MISSINGZEROGRADCHECK_H
