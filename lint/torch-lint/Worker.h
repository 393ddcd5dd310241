// SPDX-License-Identifier: Apache-2.0
// Worker processes: each unit is parsed in a child process of its own, under a
// wall-time and an address-space limit; Ctrl-C ends every child.
#ifndef TORCH_LINT_WORKER_H
#define TORCH_LINT_WORKER_H

#include "Runner.h"
#include <cstdint>
#include <functional>
#include <vector>

namespace clang::tidy::torch::lint {

struct WorkerLimits {
  unsigned Jobs = 1;           // children alive at once
  unsigned TimeoutSeconds = 0; // wall time per unit; 0: none
  uint64_t MemoryBytes = 0;    // address space per unit; 0: none
};

/// Runs in the child: lints one unit (Linted, or Failed with a reason).
using ParseFn = std::function<UnitResult(size_t Index)>;
/// Runs in the parent as each child ends, in the order they end.
using FinishedFn = std::function<void(size_t Index, UnitResult)>;

/// Forks one child per index in Indices, at most Limits.Jobs at a time. A
/// child that crashes, exceeds a limit or exits without a result gives a
/// Failed result naming the reason. The parent must be single-threaded.
/// Stops early, ending every child, when an interrupt arrives.
void runInWorkers(const std::vector<size_t> &Indices,
                  const WorkerLimits &Limits, const ParseFn &Parse,
                  const FinishedFn &Finished);

/// Routes SIGINT, SIGTERM and SIGHUP to interruptRequested() for the rest of
/// the run; a second signal ends the process at once.
void installInterruptHandler();
bool interruptRequested();

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_WORKER_H
