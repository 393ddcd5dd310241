// SPDX-License-Identifier: Apache-2.0
// torch-train-mode-not-restored: a module switched to evaluation mode in a
// training loop and not switched back before the next training forward pass.
#ifndef TORCH_TIDY_CHECKS_TRAINMODENOTRESTOREDCHECK_H
#define TORCH_TIDY_CHECKS_TRAINMODENOTRESTOREDCHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"
#include "llvm/ADT/DenseMap.h"

namespace clang::tidy::torch {

/// Finds a module put in evaluation mode in a loop that trains it (its
/// forward pass reaches `backward()`, and the loop runs `step()`), by
/// `eval()`, `train(false)` or a call of a function that does so
/// (`test(net)`), where on some path to the next training forward pass
/// nothing puts it back in training mode: from the second epoch on, dropout
/// and batch norm train in evaluation mode.
///
/// The check runs once per translation unit on the shared model of training
/// code (docs/design.md, "The training model"): summaries say which
/// functions set the evaluation and the training mode
/// (`FunctionSummary::SetsEvalMode`, `SetsTrainMode`); each body that runs
/// `backward()` in a loop is analysed on its CFG (`flow::FlowGraph`), with
/// modules named by access paths (`model::pathOf`) and the training forward
/// found by value flow (`model::ValueFlow`). Approximations: a helper that
/// sets the training mode anywhere is taken to leave it (it restores it, or
/// it trains first); a `train()` in an `if` on the loop's counter
/// (`if (epoch != epochs) model->train();`) is taken to run on every
/// iteration that continues.
///
/// For the user-facing documentation see
/// docs/checks/train-mode-not-restored.md.
class TrainModeNotRestoredCheck : public TorchCheck {
public:
  TrainModeNotRestoredCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  void analyzeBody(const Decl *D, Stmt *Body);
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
  /// The first `eval()` of each function that calls one, by summary key.
  llvm::DenseMap<const FunctionDecl *, const CallExpr *> EvalSiteOf;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_TRAINMODENOTRESTOREDCHECK_H
