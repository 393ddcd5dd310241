// SPDX-License-Identifier: Apache-2.0
// torch-frozen-param-in-optimizer: frozen parameters handed to an optimizer.
#ifndef TORCH_TIDY_CHECKS_FROZENPARAMINOPTIMIZERCHECK_H
#define TORCH_TIDY_CHECKS_FROZENPARAMINOPTIMIZERCHECK_H

#include "TorchCheck.h"
#include "model/ParameterSets.h"
#include "utils/AstWalk.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>

namespace clang::tidy::torch {

/// Finds parameters frozen with requires_grad_(false) still handed to an
/// optimizer.
///
/// An optimizer construction (or `add_param_group`/`add_parameters`) whose
/// parameter list is a module's full `parameters()` (directly, through
/// `named_parameters().values()`, or through a local vector initialised or
/// filled from them) is compared with the `requires_grad_(false)` and
/// `set_requires_grad(false)` calls of the same function body. Modules and
/// parameters are identified by access paths (`Model->Backbone->Fc->weight`),
/// so freezing a submodule, a single parameter or a name-filtered subset of
/// `named_parameters()` is related to the optimizer's list without aliasing
/// analysis beyond local variables initialised from such paths.
///
/// The order of freezing and construction is decided on the CFG of the body:
/// flow-sensitive, not path-sensitive. A freeze counts when it reaches the
/// construction with no `requires_grad_(true)` covering it on the way, or when
/// it follows the construction and reaches a later use of the optimizer.
///
/// For the user-facing documentation see
/// docs/checks/frozen-param-in-optimizer.md.
class FrozenParamInOptimizerCheck : public TorchCheck {
public:
  FrozenParamInOptimizerCheck(StringRef Name, ClangTidyContext *Context);
  ~FrozenParamInOptimizerCheck() override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  struct BodyFacts;

private:
  void checkConstruction(const Expr *Construction, ASTContext &Context);

  ast::ParentIndex Parents;
  model::OptimizerParameters Optimizers;
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyFacts>> Bodies;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_FROZENPARAMINOPTIMIZERCHECK_H
