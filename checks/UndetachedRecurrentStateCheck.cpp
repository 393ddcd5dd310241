// SPDX-License-Identifier: Apache-2.0
// torch-undetached-recurrent-state: recurrent state carried across training iterations without detach().

#include "UndetachedRecurrentStateCheck.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

void UndetachedRecurrentStateCheck::registerMatchers(MatchFinder *Finder) {
  // Matchers find; check() decides. See checks/utils/TorchApi.h.
}

void UndetachedRecurrentStateCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::torch
