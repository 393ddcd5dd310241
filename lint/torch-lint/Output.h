// SPDX-License-Identifier: Apache-2.0
// The report formats: clang-style text with a summary, JSON, SARIF 2.1.0,
// GitHub annotations.
#ifndef TORCH_LINT_OUTPUT_H
#define TORCH_LINT_OUTPUT_H

#include "Finding.h"
#include "llvm/Support/raw_ostream.h"
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::torch::lint {

struct Summary {
  unsigned Units = 0, Linted = 0, Cached = 0, Skipped = 0;
  unsigned PreamblesBuilt = 0, PreamblesReused = 0; // of the units linted
  std::vector<std::pair<std::string, std::string>> Failed; // file, reason
  std::map<std::string, unsigned> PerCheck;
  unsigned Findings = 0;
  unsigned OutsideChangedLines = 0;
  unsigned Suppressed = 0;
  bool HaveBaseline = false;
  unsigned Baselined = 0, BaselineGone = 0;
  std::string BaselineWritten; // the file, when --write-baseline wrote one
  unsigned BaselineWrittenCount = 0;
  unsigned UnsafeFixesLeft = 0; // not applied by --fix
  double Seconds = 0;
};

/// The check name of torch-lint's own finding, --report-unused-nolint.
inline constexpr llvm::StringLiteral UnusedNolintCheck =
    "torch-lint-unused-nolint";
/// The key of SARIF's partialFingerprints.
inline constexpr llvm::StringLiteral FingerprintKey = "torchLintIdentity/v1";

/// Paths relative to the working directory when below it.
std::string displayPath(llvm::StringRef File);

void printText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               bool Color);
void printSummary(llvm::raw_ostream &OS, const Summary &S, bool Color);
void printJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings);
void printSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const Summary &S);
void printGithub(llvm::raw_ostream &OS, const std::vector<Finding> &Findings);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_OUTPUT_H
