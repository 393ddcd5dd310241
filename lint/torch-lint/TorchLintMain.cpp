// SPDX-License-Identifier: Apache-2.0
// torch-lint: lints a project's compilation database with the torch- checks,
// for CI.
#include "Adoption.h"
#include "Baseline.h"
#include "Cache.h"
#include "Database.h"
#include "DiffFilter.h"
#include "Fixes.h"
#include "Options.h"
#include "Output.h"
#include "Preamble.h"
#include "RuleDocs.h"
#include "Runner.h"
#include "TorchTidyModule.h"
#include "Worker.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyForceLinker.h"
#include "utils/LlvmCompat.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <fmt/format.h>

using namespace clang::tidy::torch::lint;

namespace {
enum ExitCode {
  NoFindings = 0,
  Findings = 1,
  SetupError = 2,
  UnitFailed = 3,
  Interrupted = 130
};

int fail(llvm::Error E) {
  llvm::errs() << "torch-lint: error: " << llvm::toString(std::move(E)) << "\n";
  return SetupError;
}

void listChecks(const LintOptions &Opts) {
  llvm::SmallString<256> Probe;
  // Without a current directory only the global configuration applies.
  (void)llvm::sys::fs::current_path(Probe);
  llvm::sys::path::append(Probe, "dummy.cpp");
  auto Options = createOptionsProvider(Opts)->getOptions(Probe);
  std::vector<std::string> Names = clang::tidy::getCheckNames(Options, false);
  size_t Width = 0;
  for (const std::string &Name : Names)
    if (findRuleDoc(Name))
      Width = std::max(Width, Name.size());
  llvm::outs() << "Enabled checks:";
  for (const std::string &Name : Names) {
    llvm::outs() << "\n    " << Name;
    if (const RuleDoc *D = findRuleDoc(Name))
      llvm::outs() << fmt::format("{:<{}}  fix: {:<6}  {}", "",
                                  Width - Name.size(), D->FixSafety, D->Row);
  }
  llvm::outs() << "\n";
}

int explain(llvm::StringRef Check) {
  const RuleDoc *D = findRuleDoc(Check);
  if (!D) {
    std::string Known;
    for (const RuleDoc &Doc : ruleDocs())
      Known += (Known.empty() ? "" : ", ") + std::string(Doc.Check);
    return fail(usageError("unknown check '" + Check +
                           "' for --explain (documented checks: " + Known +
                           ")"));
  }
  llvm::outs() << "# " << D->Check << "\n\n"
               << D->Summary << "\n\n"
               << D->FixSafetyLine << "\n\n"
               << D->Why << "\n\n"
               << D->Example << "\n\n"
               << D->Options << "\n\n"
               << "Documentation: " << TORCH_LINT_DOCS_URL << D->Page << "\n";
  return NoFindings;
}

/// The findings whose fixes --fix applies: the safe ones, and with
/// --fix-unsafe the unsafe ones too.
std::vector<Finding> fixable(const std::vector<Finding> &Findings,
                             bool Unsafe) {
  std::vector<Finding> Out;
  for (const Finding &F : Findings)
    if (F.Safety == FixSafety::Safe ||
        (Unsafe && F.Safety == FixSafety::Unsafe))
      Out.push_back(F);
  return Out;
}

class ProgressLine {
public:
  explicit ProgressLine(bool Enabled)
      : Enabled(Enabled), Start(std::chrono::steady_clock::now()) {}
  void update(unsigned Done, unsigned Total, const UnitResult &R) {
    if (!Enabled)
      return;
    double Elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
            .count();
    std::string Line = fmt::format("[{}/{}] {:.1f}s {}", Done, Total, Elapsed,
                                   displayPath(R.File));
    if (Line.size() > 100)
      Line = Line.substr(0, 97) + "...";
    llvm::errs() << "\r\x1b[K" << Line;
    llvm::errs().flush();
  }
  void clear() const {
    if (Enabled)
      llvm::errs() << "\r\x1b[K";
  }

private:
  bool Enabled;
  std::chrono::steady_clock::time_point Start;
};
} // namespace

int main(int Argc, const char **Argv) {
  llvm::InitLLVM Init(Argc, Argv);
  auto Start = std::chrono::steady_clock::now();
  auto Parsed = parseCommandLine(Argc, Argv);
  if (!Parsed)
    return fail(Parsed.takeError());
  LintOptions &Opts = *Parsed;
  if (!Opts.Explain.empty())
    return explain(Opts.Explain);
  if (llvm::Error E = validateChecks(Opts))
    return fail(std::move(E));
  if (Opts.ListChecks) {
    listChecks(Opts);
    return NoFindings;
  }
  std::optional<std::vector<Identity>> Baseline;
  if (!Opts.Baseline.empty()) {
    auto Read = readBaseline(Opts.Baseline);
    if (!Read)
      return fail(Read.takeError());
    Baseline = std::move(*Read);
  }

  std::optional<LineFilter> Filter;
  if (!Opts.DiffBase.empty() || !Opts.LineFilter.empty()) {
    auto F = Opts.DiffBase.empty() ? LineFilter::fromJson(Opts.LineFilter)
                                   : LineFilter::fromGitDiff(Opts.DiffBase);
    if (!F)
      return fail(F.takeError());
    Filter = std::move(*F);
  }
  auto DB = loadDatabase(Opts);
  if (!DB)
    return fail(DB.takeError());
  auto Units = selectUnits(**DB, Opts);
  if (!Units)
    return fail(Units.takeError());
  if (!Opts.CacheDir.empty())
    if (std::error_code EC = llvm::sys::fs::create_directories(Opts.CacheDir))
      return fail(usageError("cannot create cache directory '" + Opts.CacheDir +
                             "': " + EC.message()));
  // The workers build preambles in a directory of this run's, which goes
  // with the run however it ends (a worker killed mid-build included).
  struct TempDirGuard {
    std::string Dir;
    ~TempDirGuard() {
      if (!Dir.empty())
        (void)llvm::sys::fs::remove_directories(Dir);
    }
  } PreambleTemp;
  if (!Opts.CacheDir.empty() && Opts.Preambles &&
      clang::tidy::torch::compat::PreamblesWork) {
    Opts.PreambleTempDir = PreambleStore::tempDirFor(Opts.CacheDir);
    PreambleTemp.Dir = Opts.PreambleTempDir;
  }

  std::unique_ptr<llvm::raw_fd_ostream> File;
  if (!Opts.OutputFile.empty()) {
    std::error_code EC;
    File = std::make_unique<llvm::raw_fd_ostream>(Opts.OutputFile, EC);
    if (EC)
      return fail(usageError("cannot write '" + Opts.OutputFile +
                             "': " + EC.message()));
  }
  llvm::raw_ostream &OS = File ? *File : llvm::outs();
  bool Color = Opts.Color == ColorMode::Always ||
               (Opts.Color == ColorMode::Auto && !File &&
                llvm::sys::Process::StandardOutIsDisplayed());

  // A unit that crashes the front end must not end the run: its worker process
  // reports the crash (and a crash in the include scan is recovered).
  llvm::CrashRecoveryContext::Enable();
  installInterruptHandler();
  ResultCache Cache(Opts.CacheDir);
  ProgressLine Progress(!Opts.Quiet &&
                        llvm::sys::Process::StandardErrIsDisplayed());
  std::vector<UnitResult> Results =
      runUnits(*Units, Opts, Cache,
               [&](unsigned Done, unsigned Total, const UnitResult &R) {
                 Progress.update(Done, Total, R);
               });
  Progress.clear();
  if (interruptRequested()) {
    llvm::errs() << "torch-lint: interrupted: every worker ended, nothing "
                    "reported or fixed\n";
    return Interrupted;
  }

  Summary S;
  S.Units = Results.size();
  std::vector<Finding> All;
  // --fix applies only what units that finished cleanly found: clang-tidy too
  // refuses fixes computed on a unit with compiler errors.
  llvm::StringSet<> Fixable;
  for (UnitResult &R : Results) {
    if (R.State != UnitResult::Status::Failed)
      for (const Finding &F : R.Findings)
        if (!F.Fix.empty())
          Fixable.insert(F.key());
    switch (R.State) {
    case UnitResult::Status::Linted:
      ++S.Linted;
      S.PreamblesBuilt += R.Preamble == PreambleUse::Built;
      S.PreamblesReused += R.Preamble == PreambleUse::Reused;
      break;
    case UnitResult::Status::Cached:
      ++S.Cached;
      break;
    case UnitResult::Status::Skipped:
      ++S.Skipped;
      break;
    case UnitResult::Status::Failed:
      S.Failed.emplace_back(R.File, R.Reason);
      break;
    }
    for (Finding &F : R.Findings)
      All.push_back(std::move(F));
  }
  // Unused NOLINTs are reported for units that finished only: their
  // removals may be applied.
  if (Opts.ReportUnusedNolint)
    for (Finding &F : unusedNolints(All, *Units, Results, Opts)) {
      if (!F.Fix.empty())
        Fixable.insert(F.key());
      All.push_back(std::move(F));
    }
  sortAndDedup(All);
  annotateSuppressions(All);

  // Identities and the baseline come before the line filter, so that a
  // baselined finding outside the changed lines is not counted as gone.
  // Paths in a baseline are relative to its directory; without one, to the
  // working directory.
  std::string BaseDir = baselineDir("dummy"); // that of a file in the cwd
  if (!Opts.Baseline.empty())
    BaseDir = baselineDir(Opts.Baseline);
  else if (!Opts.WriteBaseline.empty())
    BaseDir = baselineDir(Opts.WriteBaseline);
  std::vector<Identity> Ids = identify(All, BaseDir);
  std::vector<Finding> Gone = applyBaseline(
      All, Baseline ? &*Baseline : nullptr, Ids, BaseDir, Results, S);
  bool BaselineFailed = false;
  if (!Opts.WriteBaseline.empty()) {
    std::vector<Identity> Accepted;
    for (size_t I = 0; I < All.size(); ++I)
      if (!All[I].isCompilerError() && !All[I].Suppressed)
        Accepted.push_back(Ids[I]);
    if (llvm::Error E = writeBaseline(Opts.WriteBaseline, Accepted)) {
      llvm::errs() << "torch-lint: error: " << llvm::toString(std::move(E))
                   << "\n";
      BaselineFailed = true;
    } else {
      S.BaselineWritten = displayPath(Opts.WriteBaseline);
      S.BaselineWrittenCount = Accepted.size();
    }
  }
  if (Opts.IncludeAbsent)
    for (Finding &F : Gone)
      All.push_back(std::move(F));

  if (Filter) {
    std::vector<Finding> Kept;
    for (Finding &F : All) {
      if (F.isCompilerError() || F.Baseline == BaselineState::Absent ||
          Filter->accepts(F))
        Kept.push_back(std::move(F));
      else if (isReported(F))
        ++S.OutsideChangedLines;
    }
    All = std::move(Kept);
  }
  // Text and GitHub annotations show what fails the run; JSON and SARIF
  // carry everything, marked.
  std::vector<Finding> Shown;
  for (const Finding &F : All) {
    if (F.Suppressed)
      ++S.Suppressed;
    if (isReported(F)) {
      ++S.Findings;
      ++S.PerCheck[F.Check];
    }
    if (F.isCompilerError() || isReported(F))
      Shown.push_back(F);
  }

  S.Seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
          .count();
  switch (Opts.Format) {
  case OutputFormat::Text:
    printText(OS, Shown, Color);
    break;
  case OutputFormat::Json:
    printJson(OS, All);
    break;
  case OutputFormat::Sarif:
    printSarif(OS, All, S);
    break;
  case OutputFormat::Github:
    printGithub(OS, Shown);
    break;
  }
  OS.flush();

  if (!Opts.ExportFixes.empty()) {
    std::error_code EC;
    llvm::raw_fd_ostream YAML(Opts.ExportFixes, EC);
    if (EC)
      return fail(usageError("cannot write '" + Opts.ExportFixes +
                             "': " + EC.message()));
    exportFixes(YAML, fixable(Shown, Opts.FixUnsafe));
  }
  bool FixFailed = false;
  if (Opts.Fix && !interruptRequested()) {
    std::vector<Finding> ToFix;
    unsigned Withheld = 0;
    for (Finding &F : fixable(Shown, Opts.FixUnsafe)) {
      if (F.Fix.empty())
        continue;
      if (Fixable.contains(F.key()))
        ToFix.push_back(std::move(F));
      else
        ++Withheld;
    }
    if (Withheld)
      llvm::errs() << "torch-lint: warning: " << Withheld << " fix"
                   << (Withheld == 1 ? "" : "es")
                   << " from failed units not applied\n";
    size_t UnsafeLeft =
        Opts.FixUnsafe ? 0 : llvm::count_if(Shown, [](const Finding &F) {
          return F.Safety == FixSafety::Unsafe;
        });
    FixOutcome Fixed = applyFixes(ToFix);
    for (const std::string &Message : Fixed.Conflicts)
      llvm::errs() << "torch-lint: warning: " << Message << "\n";
    for (const std::string &Message : Fixed.WriteErrors)
      llvm::errs() << "torch-lint: error: " << Message << "\n";
    FixFailed = !Fixed.WriteErrors.empty();
    llvm::errs() << "torch-lint: fixed " << Fixed.ChangedFiles.size() << " file"
                 << (Fixed.ChangedFiles.size() == 1 ? "" : "s") << "\n";
    for (const std::string &Changed : Fixed.ChangedFiles)
      llvm::errs() << "  " << displayPath(Changed) << "\n";
    if (UnsafeLeft)
      llvm::errs() << "torch-lint: " << UnsafeLeft << " unsafe fix"
                   << (UnsafeLeft == 1 ? "" : "es")
                   << " not applied (they change what trains or what is "
                      "computed; review them, then --fix-unsafe)\n";
  }
  if (!Opts.Quiet) {
    bool SummaryToOutput = Opts.Format == OutputFormat::Text;
    printSummary(SummaryToOutput ? OS : llvm::errs(), S,
                 SummaryToOutput ? Color
                                 : llvm::sys::Process::StandardErrHasColors());
  }
  OS.flush();
  if (interruptRequested())
    return Interrupted;
  if (!S.Failed.empty())
    return UnitFailed;
  if (FixFailed || BaselineFailed)
    return SetupError;
  // Writing a baseline accepts the findings it records.
  if (!Opts.WriteBaseline.empty())
    return NoFindings;
  return S.Findings ? Findings : NoFindings;
}
