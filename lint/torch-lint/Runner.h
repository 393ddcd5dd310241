// SPDX-License-Identifier: Apache-2.0
// Lints translation units in parallel: include scan, skip and cache in
// threads, clang-tidy in worker processes.
#ifndef TORCH_LINT_RUNNER_H
#define TORCH_LINT_RUNNER_H

#include "Cache.h"
#include "Database.h"
#include "Finding.h"
#include "Options.h"
#include "Preamble.h"
#include <functional>
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

struct UnitResult {
  enum class Status { Linted, Cached, Skipped, Failed };
  std::string File;
  Status State = Status::Linted;
  std::string Reason; // why the unit failed
  std::vector<Finding> Findings;
  double Seconds = 0;
  PreambleUse Preamble = PreambleUse::None;
};

/// Called under a lock after each unit: (units done, units total, that unit).
using ProgressFn = std::function<void(unsigned, unsigned, const UnitResult &)>;

/// Runs every unit, Opts.Jobs at a time; results in the order of Units. Each
/// parse runs in a worker process under Opts.UnitTimeout and Opts.UnitMemory:
/// a unit that crashes, hangs or runs out of memory is reported as failed and
/// the others go on. Returns early (results incomplete) on an interrupt.
std::vector<UnitResult> runUnits(const std::vector<Unit> &Units,
                                 const LintOptions &Opts, ResultCache &Cache,
                                 const ProgressFn &Progress);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_RUNNER_H
