// SPDX-License-Identifier: Apache-2.0
// torch-loss-history-accumulation: a tensor that keeps every iteration's
// autograd graph alive by accumulating losses across a loop.
#ifndef TORCH_TIDY_CHECKS_LOSSHISTORYACCUMULATIONCHECK_H
#define TORCH_TIDY_CHECKS_LOSSHISTORYACCUMULATIONCHECK_H

#include "TorchCheck.h"
#include "utils/AstWalk.h"

namespace clang::tidy::torch {

/// Finds a tensor declared outside a loop (or a container of tensors, or a
/// field) that accumulates, in every iteration, a value that carries autograd
/// history: `total += loss;`, `total = total + loss;`,
/// `history.push_back(loss);`. Each iteration's graph, with its saved
/// activations, then stays alive as long as the accumulator.
///
/// The check runs once per translation unit on the shared model of training
/// code (docs/design.md, "The training model"). It finds accumulations in
/// loops with `ast::UserCodeVisitor` and decides on each on the CFG of its
/// body (`flow::FlowGraph`, `model::ValueFlow`): the added value must be
/// computed, in the loop the accumulator outlives, from a forward pass
/// (`model::asForward`) or be a value that reaches `backward()` (the loss),
/// where grad mode records a graph (`scope::recordsGraph`). Approximations:
/// grad mode is known from enclosing guard scopes only (a caller's guard is
/// not seen); an accumulated value that is differentiated later in the body
/// (full-batch training, a loss summed over terms) or returned by a body that
/// does not train is taken to be meant.
///
/// For the user-facing documentation see
/// docs/checks/loss-history-accumulation.md.
class LossHistoryAccumulationCheck : public TorchCheck {
public:
  /// One statement that adds a value to something that outlives the loop.
  struct Accumulation;

  LossHistoryAccumulationCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  void analyzeBody(const Decl *D, Stmt *Body,
                   llvm::ArrayRef<Accumulation> Accumulations);
  void clear();

  ast::ParentIndex Parents;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_LOSSHISTORYACCUMULATIONCHECK_H
