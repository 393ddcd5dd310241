// SPDX-License-Identifier: Apache-2.0
// torch-eval-without-no-grad: evaluation and inference forward passes after eval() with autograd still recording.
#ifndef TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H
#define TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H

#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::torch {

/// Finds evaluation and inference forward passes after eval() with autograd still recording.
///
/// For the user-facing documentation see docs/checks/eval-without-no-grad.md.
class EvalWithoutNoGradCheck : public ClangTidyCheck {
public:
  EvalWithoutNoGradCheck(StringRef Name, ClangTidyContext *Context)
      : ClangTidyCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_EVALWITHOUTNOGRADCHECK_H
