// SPDX-License-Identifier: Apache-2.0
// torch-missing-eval-mode: an evaluation forward pass of a module with dropout or batch norm that may still be in training mode.

#include "MissingEvalModeCheck.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

void MissingEvalModeCheck::onStartOfTranslationUnit() { clear(); }

void MissingEvalModeCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
}

void MissingEvalModeCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void MissingEvalModeCheck::check(const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  // The facts each body has of its own; the summaries carry them through
  // every chain of calls, whatever the order of the functions in the file.
  model::buildCallGraph(
      Summaries, Parents,
      [](const CallExpr * /*Call*/,
         llvm::ArrayRef<const FunctionDecl *> /*Owners*/) {});
  Summaries.compute(
      [](const FunctionDecl * /*FD*/) { return model::FunctionSummary(); });
  for (const auto &[D, Body] : model::bodiesWithBackwardInLoop(Parents))
    analyzeBody(D, Body);
  clear();
}

void MissingEvalModeCheck::analyzeBody(const Decl *D, Stmt *Body) {
  ASTContext &Context = Parents.context();
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  const model::ValueFlow Values(*Graph);
  Graph->forEachStmt([&](const Stmt *S) {
    // What the check looks for, asked of the model: `model::asForward(S)`,
    // `model::isBackward(S)`, `model::asZeroGrad(S)`, `Values.reaches(...)`.
    // Report where the bug is, with a fix from `fixit::` when it is safe:
    //   diag(S->getBeginLoc(), "...") << *fixit::insertBefore(...);
    (void)S;
  });
}

} // namespace clang::tidy::torch
