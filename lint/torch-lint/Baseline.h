// SPDX-License-Identifier: Apache-2.0
// Baselines: the findings a project has accepted for now, identified by what
// survives edits elsewhere in the file (check, file, function, statement).
#ifndef TORCH_LINT_BASELINE_H
#define TORCH_LINT_BASELINE_H

#include "Finding.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

/// One finding's identity: no line or column, so that inserting lines above
/// it keeps it; the occurrence tells apart findings whose other fields agree.
struct Identity {
  std::string Check;
  std::string File; // relative to the baseline's directory when below it
  std::string Function;
  std::string Statement;
  unsigned Occurrence = 1;
  /// The tab-separated line of the text format.
  std::string line() const;
};

/// Identities of the findings in order (they are sorted by position), with
/// paths relative to BaseDir; compiler errors get none. Suppressed findings
/// are numbered apart from the others.
std::vector<Identity> identify(const std::vector<Finding> &Findings,
                               llvm::StringRef BaseDir);

/// SARIF's partialFingerprints value: a hash of the identity.
std::string fingerprint(const Identity &Id);

/// The file's identities. The text format (default) is a version line, then
/// one sorted line per finding; a FILE ending in .json gets JSON.
llvm::Error writeBaseline(llvm::StringRef Path,
                          const std::vector<Identity> &Entries);
llvm::Expected<std::vector<Identity>> readBaseline(llvm::StringRef Path);

/// The directory that baseline paths are relative to: the baseline file's.
std::string baselineDir(llvm::StringRef Path);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_BASELINE_H
