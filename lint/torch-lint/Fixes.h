// SPDX-License-Identifier: Apache-2.0
// Fix-its: applying them in place (deduplicated, conflicts refused) and
// exporting them as YAML.
#ifndef TORCH_LINT_FIXES_H
#define TORCH_LINT_FIXES_H

#include "Finding.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

struct FixOutcome {
  std::vector<std::string> ChangedFiles;
  std::vector<std::string> Conflicts; // one message per refused pair
  std::vector<std::string> WriteErrors;
};

/// Applies every finding's fix once. Identical edits (a header seen by several
/// units) count once; two findings whose edits overlap differently are both
/// refused. Each file is written to a temporary file, then renamed over.
FixOutcome applyFixes(const std::vector<Finding> &Findings);

/// The YAML that clang-apply-replacements reads (clang-tidy --export-fixes).
void exportFixes(llvm::raw_ostream &OS, const std::vector<Finding> &Findings);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_FIXES_H
