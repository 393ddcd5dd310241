// SPDX-License-Identifier: Apache-2.0
// torch-loss-activation-mismatch: a loss given an input that already went
// through the activation the loss applies, or the wrong one.
#ifndef TORCH_TIDY_CHECKS_LOSSACTIVATIONMISMATCHCHECK_H
#define TORCH_TIDY_CHECKS_LOSSACTIVATIONMISMATCHCHECK_H

#include "TorchCheck.h"
#include "model/Activations.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>

namespace clang::tidy::torch {

/// Finds a loss given an input that already went through the activation the
/// loss applies itself, or through the wrong one: `cross_entropy` of
/// `softmax` or `log_softmax`, `nll_loss` of `softmax`,
/// `binary_cross_entropy_with_logits` of `sigmoid`.
///
/// The losses and activations are recognised on canonical LibTorch
/// declarations (`model/Activations.h`). The input is followed:
/// - directly (`nll_loss(softmax(x, 1), y)`), with a fix-it;
/// - through local variables, on the CFG of the body (`flow::FlowGraph`): a
///   definition of the variable by the activation (its initializer or an
///   assignment) must reach the loss on a path that neither assigns the
///   variable again, modifies it in place, nor hands it to a non-const
///   reference. Copies into other variables are followed (up to four);
/// - through a forward pass of a module of the program whose `forward`,
///   defined in the translation unit, returns the activation on every
///   `return` (`model::forwardActivation`).
/// The last two get a note where the activation is applied and no fix-it.
/// Flow-sensitive, not path-sensitive; the analysis does not follow values
/// into or out of other functions beyond a module's `forward`.
///
/// For the user-facing documentation see
/// docs/checks/loss-activation-mismatch.md.
class LossActivationMismatchCheck : public TorchCheck {
public:
  LossActivationMismatchCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  /// Where the loss's input got its activation.
  struct Source {
    model::Activation Kind = model::Activation::None;
    /// The activation call (for a module, the one its `forward` returns).
    const CallExpr *At = nullptr;
    /// The activation is the loss's argument itself.
    bool Direct = false;
    /// The activation comes from a module's `forward`.
    bool FromModule = false;
  };

  void diagnose(const model::LossCall &Loss);
  /// Where the value `E`, used by the CFG element `Use` (null: the loss
  /// `Loss` itself), got an activation that a loss of kind `Kind` does not
  /// go with; `Depth` counts the variables followed.
  Source sourceOf(const Expr *E, model::Loss Kind, const Stmt *Use,
                  const Stmt *Loss, unsigned Depth);
  const flow::FlowGraph *graphFor(const Decl *D, Stmt *Body);
  const Stmt *elementOf(const Stmt *S, const flow::FlowGraph &Graph) const;
  void clear();

  ast::ParentIndex Parents;
  llvm::DenseMap<const Stmt *, std::unique_ptr<flow::FlowGraph>> Graphs;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_LOSSACTIVATIONMISMATCHCHECK_H
