// SPDX-License-Identifier: Apache-2.0
// One reported diagnostic with resolved positions, independent of the
// translation unit.
#ifndef TORCH_LINT_FINDING_H
#define TORCH_LINT_FINDING_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/Support/JSON.h"
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

struct Position {
  std::string File; // absolute; empty for diagnostics without a location
  unsigned Offset = 0;
  unsigned Line = 0;
  unsigned Column = 0;
};

struct Edit {
  Position Begin;
  unsigned Length = 0;
  unsigned EndLine = 0;
  unsigned EndColumn = 0;
  std::string Text;
};

struct Note {
  std::string Message;
  Position Where;
  std::string LineText;
};

struct Finding {
  std::string Check;
  bool IsError = false;
  bool WarningAsError = false;
  std::string Message;
  Position Where;
  std::string LineText;
  std::vector<Note> Notes;
  std::vector<Edit> Fix;

  /// A compiler error (not a check's finding): the unit failed to parse.
  bool isCompilerError() const {
    return IsError && llvm::StringRef(Check).starts_with("clang-diagnostic-");
  }
  /// Identity across translation units (a header seen by several units).
  std::string key() const;
};

/// Converts clang-tidy's errors, resolving offsets to lines and columns by
/// reading the files; relative paths are taken from each error's build
/// directory.
std::vector<Finding> convertErrors(const std::vector<ClangTidyError> &Errors);

llvm::json::Value toJSON(const Finding &F);
bool fromJSON(const llvm::json::Value &V, Finding &F, llvm::json::Path P);

/// Sorts by file, line, column, check and drops duplicates.
void sortAndDedup(std::vector<Finding> &Findings);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_FINDING_H
