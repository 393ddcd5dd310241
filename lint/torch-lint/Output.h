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
  std::vector<std::pair<std::string, std::string>> Failed; // file, reason
  std::map<std::string, unsigned> PerCheck;
  unsigned Findings = 0;
  unsigned OutsideChangedLines = 0;
  double Seconds = 0;
};

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
