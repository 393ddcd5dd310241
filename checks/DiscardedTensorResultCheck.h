// SPDX-License-Identifier: Apache-2.0
// torch-discarded-tensor-result: the tensor returned by an operation that does
// not modify its operands thrown away, as in 'x.to(device);'.
#ifndef TORCH_TIDY_CHECKS_DISCARDEDTENSORRESULTCHECK_H
#define TORCH_TIDY_CHECKS_DISCARDEDTENSORRESULTCHECK_H

#include "TorchCheck.h"

namespace clang::tidy::torch {

/// Finds expression statements that throw away the tensor returned by a
/// tensor method or an `at::`/`torch::` function that does not modify its
/// operands (`x.to(device);`, `x.clamp(0, 1);`, `torch::relu(x);`).
///
/// Which operations qualify is read from their declarations (see
/// `api::isPureTensorOperation`). The check looks at one statement at a time:
/// it does not follow the tensor further.
///
/// For the user-facing documentation see
/// docs/checks/discarded-tensor-result.md.
class DiscardedTensorResultCheck : public TorchCheck {
public:
  DiscardedTensorResultCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;

private:
  void diagnose(const CallExpr *Call, const ASTContext &Context);
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_DISCARDEDTENSORRESULTCHECK_H
