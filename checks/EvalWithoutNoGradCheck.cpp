// SPDX-License-Identifier: Apache-2.0
// torch-eval-without-no-grad: evaluation and inference forward passes after eval() with autograd still recording.

#include "EvalWithoutNoGradCheck.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

void EvalWithoutNoGradCheck::registerMatchers(MatchFinder *Finder) {
  // Matchers find; check() decides. See checks/utils/TorchApi.h.
}

void EvalWithoutNoGradCheck::check(const MatchFinder::MatchResult &Result) {}

} // namespace clang::tidy::torch
