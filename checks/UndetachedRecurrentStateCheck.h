// SPDX-License-Identifier: Apache-2.0
// torch-undetached-recurrent-state: recurrent state carried across training iterations without detach().
#ifndef TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H
#define TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H

#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::torch {

/// Finds recurrent state carried across training iterations without detach().
///
/// For the user-facing documentation see docs/checks/undetached-recurrent-state.md.
class UndetachedRecurrentStateCheck : public ClangTidyCheck {
public:
  UndetachedRecurrentStateCheck(StringRef Name, ClangTidyContext *Context)
      : ClangTidyCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H
