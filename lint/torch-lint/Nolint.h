// SPDX-License-Identifier: Apache-2.0
// NOLINT comments: where they are, what they name, their justification, and
// the edit that removes one.
#ifndef TORCH_LINT_NOLINT_H
#define TORCH_LINT_NOLINT_H

#include "Finding.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

struct NolintDirective {
  enum class Kind { Line, NextLine, Begin, End };
  Kind Type = Kind::Line;
  unsigned Line = 0;               // 1-based
  unsigned Offset = 0;             // of the comment
  unsigned Column = 0;             // of the comment, 1-based
  std::string Spelling;            // "NOLINTNEXTLINE(torch-x)", as written
  std::vector<std::string> Checks; // globs; empty: every check
  std::string Justification;       // the text after "): ", trimmed
  unsigned RemoveOffset = 0, RemoveLength = 0; // the edit that removes it
  int Partner = -1;     // Begin <-> End, an index into the file's directives
  unsigned EndLine = 0; // for a matched Begin: the line of its End
  bool covers(unsigned DiagLine) const;
  bool names(llvm::StringRef Check) const;
  /// Every glob names a torch- check (or is torch-*).
  bool namesOnlyTorchChecks() const;
};

/// The NOLINT directives of a file: comments whose text starts with NOLINT,
/// NOLINTNEXTLINE, NOLINTBEGIN or NOLINTEND, as clang-tidy reads them.
std::vector<NolintDirective> parseNolints(llvm::StringRef Text);

/// The directive that suppresses a finding of Check on Line, if any.
const NolintDirective *
suppressingDirective(const std::vector<NolintDirective> &Directives,
                     unsigned Line, llvm::StringRef Check);

/// Shell-style glob with '*', as clang-tidy's check lists use it.
bool globMatches(llvm::StringRef Glob, llvm::StringRef Name);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_NOLINT_H
