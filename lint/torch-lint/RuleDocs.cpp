// SPDX-License-Identifier: Apache-2.0
// The torch- checks' documentation, generated from docs/checks/ at build time.
#include "RuleDocs.h"
#include "llvm/ADT/STLExtras.h"

namespace clang::tidy::torch::lint {
namespace {
constexpr RuleDoc Docs[] = {
#include "RuleDocs.inc"
};
} // namespace

llvm::ArrayRef<RuleDoc> ruleDocs() { return Docs; }

const RuleDoc *findRuleDoc(llvm::StringRef Check) {
  const auto *It =
      llvm::find_if(Docs, [&](const RuleDoc &D) { return Check == D.Check; });
  return It == std::end(Docs) ? nullptr : It;
}

} // namespace clang::tidy::torch::lint
