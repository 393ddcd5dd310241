// SPDX-License-Identifier: Apache-2.0
// Worker processes: each unit is parsed in a child process of its own, under a
// wall-time and an address-space limit; Ctrl-C ends every child.
//
// One process per unit, forked from the single-threaded driver without exec:
// a fork costs a few milliseconds (docs/performance.md) against a parse of
// 0.5 s (mock headers) to 10 s (<torch/torch.h>), each unit starts from the
// same clean state, and a limit applies to exactly one unit. The child sends
// its result as JSON through a pipe and leaves with _exit, so that nothing of
// the parent (buffered output, temporary files) is flushed or removed twice.
#include "Worker.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// AddressSanitizer reserves terabytes of address space up front: in such a
// build (-DTORCH_TIDY_SANITIZE=address) an address-space limit would fail
// every unit, so --unit-memory is not applied.
#if defined(__SANITIZE_ADDRESS__)
#define TORCH_LINT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TORCH_LINT_ASAN 1
#endif
#endif
#ifndef TORCH_LINT_ASAN
#define TORCH_LINT_ASAN 0
#endif

namespace clang::tidy::torch::lint {
namespace {
using Clock = std::chrono::steady_clock;

/// The child's exit status when an allocation fails.
constexpr int ExitOutOfMemory = 86;
/// Parsing LibTorch nests deeply: a main-thread-sized stack for each parse.
constexpr unsigned StackSize = 16u << 20;

std::atomic<bool> Interrupted{false};
int InterruptPipe[2] = {-1, -1};

void onInterrupt() {
  Interrupted.store(true);
  if (InterruptPipe[1] >= 0) {
    char Byte = 1;
    (void)!::write(InterruptPipe[1], &Byte, 1);
  }
}

[[noreturn]] void outOfMemory() { ::_exit(ExitOutOfMemory); }
void badAlloc(void * /*UserData*/, const char * /*Reason*/,
              bool /*GenCrashDiag*/) {
  outOfMemory();
}

bool writeAll(int FD, llvm::StringRef Data) {
  while (!Data.empty()) {
    ssize_t N = ::write(FD, Data.data(), Data.size());
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return false;
    Data = Data.drop_front(N);
  }
  return true;
}

llvm::json::Value resultToJSON(const UnitResult &R) {
  llvm::json::Array Items;
  for (const Finding &F : R.Findings)
    Items.push_back(toJSON(F));
  return llvm::json::Object{{"failed", R.State == UnitResult::Status::Failed},
                            {"reason", R.Reason},
                            {"preamble", static_cast<int64_t>(R.Preamble)},
                            {"findings", std::move(Items)}};
}

std::optional<UnitResult> resultFromJSON(llvm::StringRef Text) {
  auto Parsed = llvm::json::parse(Text);
  if (!Parsed) {
    llvm::consumeError(Parsed.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *Root = Parsed->getAsObject();
  if (!Root)
    return std::nullopt;
  std::optional<bool> Failed = Root->getBoolean("failed");
  std::optional<llvm::StringRef> Reason = Root->getString("reason");
  const llvm::json::Array *Items = Root->getArray("findings");
  if (!Failed || !Reason || !Items)
    return std::nullopt;
  UnitResult R;
  R.State = *Failed ? UnitResult::Status::Failed : UnitResult::Status::Linted;
  R.Reason = Reason->str();
  std::optional<int64_t> Preamble = Root->getInteger("preamble");
  if (Preamble && *Preamble >= 0 &&
      *Preamble <= static_cast<int64_t>(PreambleUse::Reused))
    R.Preamble = static_cast<PreambleUse>(*Preamble);
  llvm::json::Path::Root PathRoot;
  for (const llvm::json::Value &Item : *Items) {
    Finding F;
    if (!fromJSON(Item, F, PathRoot))
      return std::nullopt;
    R.Findings.push_back(std::move(F));
  }
  return R;
}

[[noreturn]] void childMain(int ResultFD, pid_t Parent, size_t Index,
                            const WorkerLimits &Limits, const ParseFn &Parse) {
  // Ends with the driver, even if the driver is killed outright.
  (void)::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != Parent)
    ::_exit(1);
  llvm::sys::SetInterruptFunction(nullptr);
  for (int &FD : InterruptPipe)
    if (FD >= 0) {
      ::close(FD);
      FD = -1;
    }
  if (Limits.MemoryBytes && !TORCH_LINT_ASAN) {
    rlimit Limit{Limits.MemoryBytes, Limits.MemoryBytes};
    (void)::setrlimit(RLIMIT_AS, &Limit);
  }
  std::set_new_handler(outOfMemory);
  llvm::remove_bad_alloc_error_handler();
  llvm::install_bad_alloc_error_handler(badAlloc);
  UnitResult R;
  llvm::thread Parser(std::optional<unsigned>(StackSize),
                      [&] { R = Parse(Index); });
  Parser.join();
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << resultToJSON(R);
  ::_exit(writeAll(ResultFD, OS.str()) ? 0 : 1);
}

struct Child {
  pid_t Pid = -1;
  int FD = -1;
  size_t Index = 0;
  std::string Output;
  Clock::time_point Start;
  bool TimedOut = false;
};

std::string mebibytes(uint64_t Bytes) {
  return std::to_string(Bytes >> 20) + " MiB";
}

UnitResult failed(std::string Reason) {
  UnitResult R;
  R.State = UnitResult::Status::Failed;
  R.Reason = std::move(Reason);
  return R;
}

/// What became of a child whose result pipe is closed.
UnitResult reap(Child &C, const WorkerLimits &Limits) {
  int Status = 0;
  while (::waitpid(C.Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  if (C.TimedOut)
    return failed("exceeded the time limit of " +
                  std::to_string(Limits.TimeoutSeconds) + " s");
  if (WIFSIGNALED(Status)) {
    int Signal = WTERMSIG(Status);
    if (Signal == SIGKILL)
      return failed("killed (signal 9), possibly by the system's "
                    "out-of-memory killer");
    return failed("crashed (signal " + std::to_string(Signal) + ": " +
                  ::strsignal(Signal) + ")");
  }
  int Code = WIFEXITED(Status) ? WEXITSTATUS(Status) : -1;
  if (Code == ExitOutOfMemory)
    return failed(Limits.MemoryBytes ? "exceeded the memory limit of " +
                                           mebibytes(Limits.MemoryBytes)
                                     : std::string("ran out of memory"));
  if (Code == 0)
    if (std::optional<UnitResult> R = resultFromJSON(C.Output))
      return std::move(*R);
  return failed("the worker exited with status " + std::to_string(Code) +
                " without a result");
}

std::optional<Child> spawn(size_t Index, const WorkerLimits &Limits,
                           const ParseFn &Parse, std::string &Error) {
  int Pipe[2];
  if (::pipe2(Pipe, O_CLOEXEC) != 0) {
    Error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return std::nullopt;
  }
  llvm::outs().flush();
  llvm::errs().flush();
  pid_t Parent = ::getpid();
  pid_t Pid = ::fork();
  if (Pid == 0) {
    ::close(Pipe[0]);
    childMain(Pipe[1], Parent, Index, Limits, Parse);
  }
  ::close(Pipe[1]);
  if (Pid < 0) {
    Error =
        std::string("cannot start a worker process: ") + std::strerror(errno);
    ::close(Pipe[0]);
    return std::nullopt;
  }
  Child C;
  C.Pid = Pid;
  C.FD = Pipe[0];
  C.Index = Index;
  C.Start = Clock::now();
  return C;
}

double secondsSince(Clock::time_point Start) {
  return std::chrono::duration<double>(Clock::now() - Start).count();
}
} // namespace

void installInterruptHandler() {
  if (InterruptPipe[0] < 0 && ::pipe2(InterruptPipe, O_CLOEXEC | O_NONBLOCK))
    InterruptPipe[0] = InterruptPipe[1] = -1;
  llvm::sys::SetInterruptFunction(onInterrupt);
}

bool interruptRequested() { return Interrupted.load(); }

void runInWorkers(const std::vector<size_t> &Indices,
                  const WorkerLimits &Limits, const ParseFn &Parse,
                  const FinishedFn &Finished) {
  std::vector<Child> Running;
  size_t Next = 0;
  unsigned Jobs = std::max(1u, Limits.Jobs);
  int PollErrno = 0;
  auto Deadline = [&](const Child &C) {
    return C.Start + std::chrono::seconds(Limits.TimeoutSeconds);
  };
  while (!interruptRequested()) {
    while (Running.size() < Jobs && Next < Indices.size()) {
      size_t Index = Indices[Next++];
      std::string Error;
      if (std::optional<Child> C = spawn(Index, Limits, Parse, Error))
        Running.push_back(std::move(*C));
      else
        Finished(Index, failed(Error));
    }
    if (Running.empty())
      return;

    std::vector<pollfd> FDs;
    FDs.reserve(Running.size() + 1);
    for (const Child &C : Running)
      FDs.push_back({C.FD, POLLIN, 0});
    FDs.push_back({InterruptPipe[0], POLLIN, 0});
    int Timeout = -1;
    if (Limits.TimeoutSeconds) {
      Clock::time_point Now = Clock::now();
      for (const Child &C : Running) {
        if (C.TimedOut)
          continue;
        auto Left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        Deadline(C) - Now)
                        .count();
        int Ms = static_cast<int>(std::max<int64_t>(0, Left) + 1);
        Timeout = Timeout < 0 ? Ms : std::min(Timeout, Ms);
      }
    }
    if (::poll(FDs.data(), FDs.size(), Timeout) < 0 && errno != EINTR) {
      PollErrno = errno;
      break;
    }

    Clock::time_point Now = Clock::now();
    for (size_t I = 0; I < Running.size();) {
      Child &C = Running[I];
      bool Closed = false;
      if (FDs[I].revents & (POLLIN | POLLHUP | POLLERR)) {
        char Buffer[65536];
        ssize_t N = ::read(C.FD, Buffer, sizeof(Buffer));
        if (N > 0)
          C.Output.append(Buffer, N);
        else if (N == 0 || errno != EINTR)
          Closed = true;
      }
      if (!Closed && Limits.TimeoutSeconds && !C.TimedOut &&
          Now >= Deadline(C)) {
        ::kill(C.Pid, SIGKILL);
        C.TimedOut = true;
      }
      if (!Closed) {
        ++I;
        continue;
      }
      ::close(C.FD);
      UnitResult R = reap(C, Limits);
      R.Seconds = secondsSince(C.Start);
      size_t Index = C.Index;
      // FDs stays parallel to Running: remove both entries.
      auto Offset = static_cast<std::ptrdiff_t>(I);
      Running.erase(Running.begin() + Offset);
      FDs.erase(FDs.begin() + Offset);
      Finished(Index, std::move(R));
    }
  }
  for (Child &C : Running)
    ::kill(C.Pid, SIGKILL);
  for (Child &C : Running) {
    ::close(C.FD);
    while (::waitpid(C.Pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (interruptRequested())
    return; // the caller reports nothing
  // poll() failed: no unit may pass for linted.
  std::string Reason =
      std::string("the driver lost its workers: ") + std::strerror(PollErrno);
  for (const Child &C : Running)
    Finished(C.Index, failed(Reason));
  for (; Next < Indices.size(); ++Next)
    Finished(Indices[Next], failed(Reason));
}

} // namespace clang::tidy::torch::lint
