// SPDX-License-Identifier: Apache-2.0
// What a project adopting torch-lint needs after the units ran: NOLINT
// justifications, unused NOLINTs, identities and the baseline.
#ifndef TORCH_LINT_ADOPTION_H
#define TORCH_LINT_ADOPTION_H

#include "Baseline.h"
#include "Database.h"
#include "Finding.h"
#include "Options.h"
#include "Output.h"
#include "Runner.h"
#include <vector>

namespace clang::tidy::torch::lint {

/// Gives each suppressed finding the justification of its NOLINT comment.
void annotateSuppressions(std::vector<Finding> &Findings);

/// torch-lint-unused-nolint findings: NOLINT comments in the units' own files
/// that name only torch- checks, at least one of them enabled there, and
/// suppress nothing. Failed and skipped units are left out.
std::vector<Finding> unusedNolints(const std::vector<Finding> &Findings,
                                   const std::vector<Unit> &Units,
                                   const std::vector<UnitResult> &Results,
                                   const LintOptions &Opts);

/// Sets each finding's fingerprint and, with a baseline, its state: new or
/// unchanged. Returns the baselined findings that are gone, from the files
/// this run linted (the units' own files, and files with findings), as
/// findings with BaselineState::Absent; counts them and the baselined ones.
std::vector<Finding> applyBaseline(std::vector<Finding> &Findings,
                                   const std::vector<Identity> *Baseline,
                                   const std::vector<Identity> &Ids,
                                   llvm::StringRef BaseDir,
                                   const std::vector<UnitResult> &Results,
                                   Summary &S);

/// A finding that counts: reported, failing the run.
inline bool isReported(const Finding &F) {
  return !F.isCompilerError() && !F.Suppressed &&
         F.Baseline != BaselineState::Unchanged &&
         F.Baseline != BaselineState::Absent;
}

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_ADOPTION_H
