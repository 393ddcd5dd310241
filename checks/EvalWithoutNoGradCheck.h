// SPDX-License-Identifier: Apache-2.0
// torch-eval-without-no-grad: eval-mode forward passes with autograd recording.
#ifndef TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H
#define TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/GradModeScope.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Regex.h"
#include <memory>
#include <optional>
#include <string>

namespace clang::tidy::torch {

/// Finds forward passes that run after `eval()` while autograd is still
/// recording a graph, and grad-mode guards that are destroyed as soon as they
/// are made.
///
/// An evaluation region starts at `eval()` or `train(false)` on a module (or
/// at the entry of a function named by the `EvalFunctions` option) and ends at
/// `train()` on it. Reaching is computed on the CFG of each function or lambda
/// body: flow-sensitive, not path-sensitive, and intraprocedural. A forward
/// pass in a region is guarded by a grad-mode guard variable whose scope
/// encloses it (decided on the AST, the innermost guard wins), by
/// `GradMode::set_enabled(false)` on every CFG path to it, or when every call
/// site of its function in the translation unit is guarded. A forward pass
/// whose result reaches `backward()` or `torch::autograd::grad` is left alone;
/// "reaches" is approximated by def-use through local variables and fields
/// of the function, flow-insensitively.
///
/// The analysis runs once per translation unit, at its end, because callers
/// are needed; the matchers collect forward passes, calls, function
/// references, lambdas and temporary guards.
///
/// For the user-facing documentation see docs/checks/eval-without-no-grad.md.
class EvalWithoutNoGradCheck : public TorchCheck {
public:
  EvalWithoutNoGradCheck(StringRef Name, ClangTidyContext *Context);
  ~EvalWithoutNoGradCheck() override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

  class Analysis;

private:
  const std::string EvalFunctions;
  const std::string GuardType;
  std::optional<llvm::Regex> EvalFunctionsRegex;
  std::string GuardTypeToInsert;

  void clear();

  ast::ParentIndex Parents;
  /// Function and lambda bodies with forward passes or temporary guards, in
  /// the order they were found.
  llvm::MapVector<const Stmt *, scope::EnclosingBody> Bodies;
  llvm::SmallVector<const Stmt *, 4> TemporaryGuards;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 2>>
      CallSites;
  llvm::DenseSet<const FunctionDecl *> Escaping;
  /// Functions whose own body (lambdas included) calls `backward()`.
  llvm::DenseSet<const FunctionDecl *> LocalTrains;
  model::CallGraphSummaries Summaries;
  /// Lambdas by their call operator.
  llvm::DenseMap<const FunctionDecl *, const LambdaExpr *> Lambdas;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H
