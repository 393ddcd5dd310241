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

/// clang-tidy's convention: a fix on the warning only removes the bug
/// (`--fix`); a fix on a note may change what the program does
/// (`--fix-notes`, torch-lint's `--fix-unsafe`).
enum class FixSafety { None, Safe, Unsafe };

enum class BaselineState { None, New, Unchanged, Absent };

struct Finding {
  std::string Check;
  bool IsError = false;
  bool WarningAsError = false;
  std::string Message;
  Position Where;
  std::string LineText;
  std::vector<Note> Notes;
  std::vector<Edit> Fix;
  FixSafety Safety = FixSafety::None;
  std::string FixMessage; // the note that carries an unsafe fix
  // What identifies the finding across edits elsewhere in the file.
  std::string Function;    // qualified name of the enclosing function
  std::string Statement;   // the flagged statement, normalized
  bool Suppressed = false; // by a NOLINT comment
  std::string Justification;
  // Set for the report, never cached.
  BaselineState Baseline = BaselineState::None;
  std::string Fingerprint;

  /// A compiler error (not a check's finding): the unit failed to parse.
  bool isCompilerError() const {
    return IsError && llvm::StringRef(Check).starts_with("clang-diagnostic-");
  }
  /// Identity across translation units (a header seen by several units).
  std::string key() const;
};

/// Converts clang-tidy's errors, resolving offsets to lines and columns by
/// reading the files; relative paths are taken from each error's build
/// directory. The fix is the warning's (safe) or else the only note's that
/// has one (unsafe). The result has one finding per error, in order.
std::vector<Finding> convertErrors(const std::vector<ClangTidyError> &Errors);

llvm::StringRef fixSafetyName(FixSafety S);
/// SARIF's baselineState value.
llvm::StringRef baselineStateName(BaselineState S);

llvm::json::Value toJSON(const Finding &F);
bool fromJSON(const llvm::json::Value &V, Finding &F, llvm::json::Path P);

/// Sorts by file, line, column, check and drops duplicates.
void sortAndDedup(std::vector<Finding> &Findings);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_FINDING_H
