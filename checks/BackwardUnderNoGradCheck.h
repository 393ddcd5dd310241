// SPDX-License-Identifier: Apache-2.0
// torch-backward-under-no-grad: backward() reached where grad mode is disabled.
#ifndef TORCH_TIDY_CHECKS_BACKWARDUNDERNOGRADCHECK_H
#define TORCH_TIDY_CHECKS_BACKWARDUNDERNOGRADCHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"

namespace clang::tidy::torch {

/// Finds backward() run on a loss computed where grad mode is disabled: the
/// loss has no `grad_fn`, so `backward()` throws ("element 0 of tensors does
/// not require grad") or, with `requires_grad` set by hand, trains nothing.
///
/// The grad mode at a statement is what its own body decides
/// (`scope::GradModeFlow`): the innermost guard whose scope encloses it
/// (`torch::NoGradGuard`, `c10::InferenceMode`, `AutoGradMode(false)`, or an
/// enabling one inside them), and the `GradMode::set_enabled` calls under
/// that same guard on the CFG paths to it. The loss of a `backward()` is its
/// object (`loss.backward()`) or the tensors of `torch::autograd::backward`;
/// a local tensor variable is followed to the definitions whose value reaches
/// the call (`model::ValueFlow`), which must all be operations (calls,
/// arithmetic) evaluated where grad mode is disabled on every path. A loss
/// that comes from a parameter, a field, a copy of another variable, or a
/// variable that is also changed in place, passed by reference or used in a
/// lambda is not known, and not reported. `backward()` where grad mode is
/// disabled on a loss computed where it was enabled works, and is not
/// reported either.
///
/// Across functions: a function whose `backward()` runs on a loss computed in
/// its caller's grad mode trains through that mode (the summary fact
/// `Trains`, computed here from that local fact over the call graph). A call
/// of such a function where grad mode is disabled is reported at the call,
/// with the `backward()` it reaches through calls made in the caller's mode;
/// the same helper called elsewhere with grad mode on is fine.
/// `torch::autograd::grad` is never reported: computing gradients of inputs
/// that require grad under a guard is deliberate.
///
/// For the user-facing documentation see docs/checks/backward-under-no-grad.md.
class BackwardUnderNoGradCheck : public TorchCheck {
public:
  BackwardUnderNoGradCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  class Analysis;
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_BACKWARDUNDERNOGRADCHECK_H
