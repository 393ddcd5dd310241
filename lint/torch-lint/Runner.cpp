// SPDX-License-Identifier: Apache-2.0
// Lints translation units in parallel: include scan, skip and cache in
// threads, clang-tidy in worker processes.
#include "Runner.h"
#include "Analysis.h"
#include "Worker.h"
#include "clang-tidy/ClangTidy.h"
#include "utils/LlvmCompat.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/DependencyScanning/DependencyScanningService.h"
#include "clang/Tooling/DependencyScanning/DependencyScanningTool.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/thread.h"
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>

namespace clang::tidy::torch::lint {
namespace ds = tooling::dependencies;
namespace {

int Anchor;

/// The adjustments ClangTool makes before running clang-tidy, so that the
/// include scan sees the command the parse will see.
std::vector<std::string> scanCommandLine(const tooling::CompileCommand &Cmd,
                                         const ClangTidyOptions &Options) {
  tooling::CommandLineArguments Args = Cmd.CommandLine;
  Args = tooling::getClangStripOutputAdjuster()(Args, Cmd.Filename);
  Args = tooling::getClangStripDependencyFileAdjuster()(Args, Cmd.Filename);
  if (Options.ExtraArgsBefore)
    Args.insert(Args.begin() + (Args.empty() ? 0 : 1),
                Options.ExtraArgsBefore->begin(),
                Options.ExtraArgsBefore->end());
  if (Options.ExtraArgs)
    Args.insert(Args.end(), Options.ExtraArgs->begin(),
                Options.ExtraArgs->end());
  bool HasResourceDir = llvm::any_of(
      Args, [](llvm::StringRef A) { return A.starts_with("-resource-dir"); });
  if (!HasResourceDir)
    Args.push_back("-resource-dir=" +
                   CompilerInvocation::GetResourcesPath("clang_tool", &Anchor));
  return Args;
}

/// Whether some included file lies in a torch/, ATen/ or c10/ directory below
/// the part of its path it shares with the main file's directory.
bool reachesLibTorch(llvm::StringRef MainFile,
                     const std::vector<std::string> &Deps) {
  llvm::StringRef MainDir = llvm::sys::path::parent_path(MainFile);
  for (llvm::StringRef Dep : Deps) {
    if (Dep == MainFile)
      continue;
    size_t Common = 0;
    while (Common < Dep.size() && Common < MainDir.size() &&
           Dep[Common] == MainDir[Common])
      ++Common;
    llvm::StringRef Below =
        llvm::sys::path::parent_path(Dep.drop_front(Common));
    for (auto It = llvm::sys::path::begin(Below),
              End = llvm::sys::path::end(Below);
         It != End; ++It)
      if (*It == "torch" || *It == "ATen" || *It == "c10")
        return true;
  }
  return false;
}

/// Converted findings with their enclosing function and statement; where the
/// AST gave none (a diagnostic outside any function), the statement is the
/// finding's source line.
std::vector<Finding> identified(const std::vector<ClangTidyError> &Errors,
                                const UnitAnalysis &Analysis) {
  std::vector<Finding> Findings = convertErrors(Errors);
  for (size_t I = 0; I < Findings.size(); ++I) {
    auto It = Analysis.Identities.find(
        {Errors[I].Message.FilePath, Errors[I].Message.FileOffset});
    if (It != Analysis.Identities.end()) {
      Findings[I].Function = It->second.Function;
      Findings[I].Statement = It->second.Statement;
    }
    if (Findings[I].Statement.empty())
      Findings[I].Statement = collapseWhitespace(Findings[I].LineText);
  }
  return Findings;
}

bool onlyTorchChecks(const ClangTidyOptions &Options) {
  return llvm::all_of(getCheckNames(Options, false), [](llvm::StringRef Name) {
    return Name.starts_with("torch-");
  });
}

/// What the driver decides before a parse: skip, cache hit, or the key under
/// which a parse's findings will be stored.
class Preparer {
public:
  Preparer(ds::DependencyScanningService &Service, const LintOptions &Opts,
           ResultCache &Cache)
      : Scanner(Service, llvm::vfs::createPhysicalFileSystem()), Opts(Opts),
        Cache(Cache) {}

  /// A result for a skipped or cached unit, or nothing when it needs a parse.
  std::optional<UnitResult> prepare(const Unit &U,
                                    std::optional<std::string> &Key) {
    ClangTidyOptions Effective =
        createOptionsProvider(Opts)->getOptions(U.File);
    bool Skippable = Opts.SkipNonTorch && onlyTorchChecks(Effective);
    std::optional<std::vector<std::string>> Deps;
    if (Skippable || Cache.enabled())
      Deps = scan(U, Effective);
    UnitResult R;
    if (Deps && Skippable && !reachesLibTorch(U.File, *Deps)) {
      R.State = UnitResult::Status::Skipped;
      return R;
    }
    if (Deps && Cache.enabled())
      Key = Cache.key(U.Commands, *Deps, configurationAsText(Effective));
    if (Key)
      if (auto Hit = Cache.lookup(*Key)) {
        R.State = UnitResult::Status::Cached;
        R.Findings = std::move(*Hit);
        return R;
      }
    return std::nullopt;
  }

private:
  std::optional<std::vector<std::string>>
  scan(const Unit &U, const ClangTidyOptions &Effective) {
    const tooling::CompileCommand &Cmd = U.Commands.front();
    std::optional<std::vector<std::string>> Files;
    llvm::CrashRecoveryContext CRC;
    CRC.RunSafely([&] {
      auto Deps = compat::fileDependencies(
          Scanner, scanCommandLine(Cmd, Effective), Cmd.Directory);
      if (!Deps) {
        llvm::consumeError(Deps.takeError());
        return;
      }
      std::vector<std::string> Out;
      for (const std::string &Dep : *Deps) {
        llvm::SmallString<256> Abs(Dep);
        if (!llvm::sys::path::is_absolute(Abs))
          llvm::sys::fs::make_absolute(Cmd.Directory, Abs);
        Out.push_back(std::string(Abs));
      }
      Files = std::move(Out);
    });
    return Files;
  }

  ds::DependencyScanningTool Scanner;
  const LintOptions &Opts;
  ResultCache &Cache;
};

/// Parses and lints one unit; runs in a worker process.
UnitResult parse(const Unit &U, const LintOptions &Opts) {
  UnitResult R;
  UnitAnalysis Analysis;
  llvm::CrashRecoveryContext CRC;
  bool Survived = CRC.RunSafely([&] {
    std::vector<tooling::CompileCommand> Commands = U.Commands;
    for (tooling::CompileCommand &Cmd : Commands)
      // Keeps clang from printing "N warnings generated." per unit.
      Cmd.CommandLine = tooling::getInsertArgumentAdjuster(
          "-fno-caret-diagnostics",
          tooling::ArgumentInsertPosition::END)(Cmd.CommandLine, Cmd.Filename);
    FixedCommandsDatabase DB(std::move(Commands));
    ClangTidyContext Context(
        createOptionsProvider(Opts, U.Commands.front().Directory));
    auto FS = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
        llvm::vfs::createPhysicalFileSystem());
    const bool TorchOnly = torchChecksOnly(Context.getOptionsForFile(U.File));
    std::optional<PreambleStore> Preambles;
    if (!Opts.PreambleTempDir.empty())
      Preambles.emplace(Opts.CacheDir, Opts.PreambleTempDir);
    Analysis = analyzeUnit(Context, DB, U.File, FS,
                           Preambles ? &*Preambles : nullptr, TorchOnly);
  });
  if (!Survived) {
    R.State = UnitResult::Status::Failed;
    R.Reason = "the front end crashed";
    // On Unix a crash's return code is 128 plus the signal.
    if (CRC.RetCode > 128)
      R.Reason += " (signal " + std::to_string(CRC.RetCode - 128) + ": " +
                  ::strsignal(CRC.RetCode - 128) + ")";
    return R;
  }
  R.Preamble = Analysis.Preamble;
  R.Findings = identified(Analysis.Errors, Analysis);
  for (Finding &F : identified(Analysis.Suppressed, Analysis)) {
    F.Suppressed = true;
    R.Findings.push_back(std::move(F));
  }
  unsigned CompileErrors = llvm::count_if(
      R.Findings, [](const Finding &F) { return F.isCompilerError(); });
  if (CompileErrors) {
    R.State = UnitResult::Status::Failed;
    R.Reason = std::to_string(CompileErrors) + " compiler error" +
               (CompileErrors == 1 ? "" : "s");
  }
  return R;
}
} // namespace

std::vector<UnitResult> runUnits(const std::vector<Unit> &Units,
                                 const LintOptions &Opts, ResultCache &Cache,
                                 const ProgressFn &Progress) {
  std::vector<UnitResult> Results(Units.size());
  if (Units.empty())
    return Results;
  unsigned Jobs = Opts.Jobs
                      ? Opts.Jobs
                      : llvm::hardware_concurrency().compute_thread_count();
  Jobs = std::max(1u, std::min<unsigned>(Jobs, Units.size()));
  unsigned Done = 0;
  auto Report = [&](size_t I) {
    ++Done;
    if (Progress)
      Progress(Done, Units.size(), Results[I]);
  };

  // In threads: the include scans (sharing one scanning service), skips and
  // cache lookups, which run Clang's robust dependency scanner only.
  std::vector<std::optional<std::string>> Keys(Units.size());
  std::vector<char> NeedsParse(Units.size(), 0);
  {
    ds::DependencyScanningService Service(
        ds::ScanningMode::DependencyDirectivesScan,
        ds::ScanningOutputFormat::Full);
    std::atomic<size_t> Next{0};
    std::mutex ProgressMutex;
    auto Body = [&] {
      Preparer P(Service, Opts, Cache);
      for (size_t I = Next++; I < Units.size() && !interruptRequested();
           I = Next++) {
        auto Start = std::chrono::steady_clock::now();
        std::optional<UnitResult> R = P.prepare(Units[I], Keys[I]);
        if (!R) {
          NeedsParse[I] = 1;
          continue;
        }
        Results[I] = std::move(*R);
        Results[I].File = Units[I].File;
        Results[I].Seconds = std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - Start)
                                 .count();
        std::lock_guard<std::mutex> Lock(ProgressMutex);
        Report(I);
      }
    };
    constexpr unsigned StackSize = 16u << 20;
    std::vector<llvm::thread> Threads;
    Threads.reserve(Jobs);
    for (unsigned T = 0; T < Jobs; ++T)
      Threads.emplace_back(std::optional<unsigned>(StackSize), Body);
    for (llvm::thread &T : Threads)
      T.join();
  }
  if (interruptRequested())
    return Results;

  // In worker processes, now that the driver is single-threaded again: the
  // parses, which run the checks.
  std::vector<size_t> ToParse;
  for (size_t I = 0; I < Units.size(); ++I)
    if (NeedsParse[I])
      ToParse.push_back(I);
  WorkerLimits Limits;
  Limits.Jobs = Jobs;
  Limits.TimeoutSeconds = Opts.UnitTimeout;
  Limits.MemoryBytes = Opts.UnitMemory;
  runInWorkers(
      ToParse, Limits, [&](size_t I) { return parse(Units[I], Opts); },
      [&](size_t I, UnitResult R) {
        R.File = Units[I].File;
        if (R.State == UnitResult::Status::Linted && Keys[I])
          Cache.store(*Keys[I], R.Findings);
        Results[I] = std::move(R);
        Report(I);
      });
  return Results;
}

} // namespace clang::tidy::torch::lint
