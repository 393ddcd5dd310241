// SPDX-License-Identifier: Apache-2.0
// The torch- checks' documentation, generated from docs/checks/ at build time.
#ifndef TORCH_LINT_RULEDOCS_H
#define TORCH_LINT_RULEDOCS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace clang::tidy::torch::lint {

struct RuleDoc {
  const char *Check;
  const char *Page;      // relative to the docs base URL
  const char *Row;       // the one-line summary of docs/checks/README.md
  const char *Summary;   // the page's summary paragraph
  const char *Why;       // "## Why it matters in training", heading included
  const char *Example;   // "## Example"
  const char *Options;   // "## Options"
  const char *FixSafety; // "safe", "unsafe" or "none" (no fix-it)
  const char *FixSafetyLine; // "Fix safety: safe — ..."
};

llvm::ArrayRef<RuleDoc> ruleDocs();
const RuleDoc *findRuleDoc(llvm::StringRef Check);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_RULEDOCS_H
