// SPDX-License-Identifier: Apache-2.0
// torch-lint's command line: parsing, validation and the clang-tidy options
// provider.
#include "Options.h"
#include "Nolint.h"
#include "clang-tidy/ClangTidy.h"
#include "utils/LlvmCompat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace clang::tidy::torch::lint {
namespace cl = llvm::cl;

namespace {
cl::OptionCategory Category("torch-lint options");

cl::opt<std::string>
    BuildPath("p", cl::desc("Build directory holding compile_commands.json"),
              cl::value_desc("build-dir"), cl::cat(Category));
cl::opt<std::string>
    CompileCommands("compile-commands",
                    cl::desc("Path of the compilation database to read"),
                    cl::value_desc("file"), cl::cat(Category));
cl::list<std::string>
    Paths(cl::Positional,
          cl::desc("[<path> ...] (files or directories; default: every unit)"),
          cl::cat(Category));
cl::opt<std::string>
    Jobs("j",
         cl::desc("Translation units linted in parallel (default: all cores)"),
         cl::value_desc("N"), cl::Prefix, cl::cat(Category));
cl::opt<std::string> Checks("checks",
                            cl::desc("Check globs, as in clang-tidy --checks"),
                            cl::cat(Category));
cl::opt<std::string>
    Config("config", cl::desc("YAML configuration, as in clang-tidy --config"),
           cl::cat(Category));
cl::opt<std::string> HeaderFilter(
    "header-filter",
    cl::desc("Regex of headers whose findings are shown, as in clang-tidy"),
    cl::cat(Category));
cl::opt<std::string>
    WarningsAsErrors("warnings-as-errors",
                     cl::desc("Check globs whose findings become errors"),
                     cl::cat(Category));
// Parsed by hand: llvm::cl prints bad enum values itself, on several lines.
cl::opt<std::string>
    Format("format",
           cl::desc("Output format: text (default), json, sarif or github"),
           cl::value_desc("format"), cl::init("text"), cl::cat(Category));
cl::opt<std::string>
    OutputFile("output",
               cl::desc("Write the report to <file> instead of stdout"),
               cl::value_desc("file"), cl::cat(Category));
cl::opt<std::string>
    ExportFixes("export-fixes",
                cl::desc("Write fixes as YAML for clang-apply-replacements"),
                cl::value_desc("file"), cl::cat(Category));
cl::opt<bool> Fix("fix",
                  cl::desc("Apply the safe fix-its in place (those that only "
                           "remove the bug)"),
                  cl::cat(Category));
cl::opt<bool> FixUnsafe(
    "fix-unsafe",
    cl::desc("Apply the unsafe fix-its too (attached to notes: they change "
             "what trains or what is computed); implies --fix"),
    cl::cat(Category));
cl::opt<std::string> Baseline(
    "baseline",
    cl::desc("Report and fail only on findings not recorded in <file>"),
    cl::value_desc("file"), cl::cat(Category));
cl::opt<std::string> WriteBaseline(
    "write-baseline",
    cl::desc("Record the findings in <file> (text, or JSON for *.json)"),
    cl::value_desc("file"), cl::cat(Category));
cl::opt<bool> IncludeAbsent(
    "include-absent",
    cl::desc("With --baseline, list baselined findings that are gone in JSON "
             "and SARIF (baselineState absent)"),
    cl::cat(Category));
cl::opt<bool> ReportUnusedNolint(
    "report-unused-nolint",
    cl::desc("Report NOLINT comments naming torch- checks that suppress "
             "nothing (torch-lint-unused-nolint)"),
    cl::cat(Category));
cl::opt<std::string> Explain(
    "explain",
    cl::desc("Explain a torch- check: what, why, example, fix safety, options"),
    cl::value_desc("check"), cl::cat(Category));
cl::opt<std::string>
    DiffBase("diff-base",
             cl::desc("Report findings only on lines changed since git <rev>"),
             cl::value_desc("rev"), cl::cat(Category));
cl::opt<std::string>
    LineFilter("line-filter",
               cl::desc("Line ranges to report, JSON as in clang-tidy"),
               cl::cat(Category));
cl::opt<std::string> CacheDir(
    "cache-dir",
    cl::desc("Reuse results stored in <dir> (default: $TORCH_LINT_CACHE_DIR)"),
    cl::value_desc("dir"), cl::cat(Category));
cl::opt<bool> NoPreamble(
    "no-preamble",
    cl::desc("With a cache directory, parse every unit in full instead of on "
             "a stored precompiled preamble"),
    cl::cat(Category));
cl::opt<std::string> Shard("shard",
                           cl::desc("Lint the K-th of N deterministic parts"),
                           cl::value_desc("K/N"), cl::cat(Category));
cl::opt<bool>
    NoSkip("no-skip",
           cl::desc("Also lint units whose includes never reach LibTorch"),
           cl::cat(Category));
cl::opt<bool> Quiet("quiet", cl::desc("No progress and no summary"),
                    cl::cat(Category));
cl::opt<bool>
    UseColor("use-color",
             cl::desc("Colour text output (default: only on a terminal), as in "
                      "clang-tidy"),
             cl::cat(Category));
cl::opt<bool> ListChecks("list-checks",
                         cl::desc("List the enabled checks and exit"),
                         cl::cat(Category));

cl::opt<std::string> UnitTimeout(
    "unit-timeout",
    cl::desc("Wall-time limit of one unit's parse, in seconds; 0: none "
             "(default: 600)"),
    cl::value_desc("seconds"), cl::cat(Category));
cl::opt<std::string> UnitMemory(
    "unit-memory",
    cl::desc("Address-space limit of one unit's worker process, such as 512M "
             "or 4G; 0: none (default: 4G)"),
    cl::value_desc("size"), cl::cat(Category));

cl::extrahelp Examples(R"(
Examples:
  torch-lint -p build                      lint every unit of build/compile_commands.json
  torch-lint -p build src/train.cpp src/models
  torch-lint -p build --format=sarif --output=torch-lint.sarif
  torch-lint -p build --diff-base=origin/main --format=github
  torch-lint -p build --fix                apply the safe fix-its in place
  torch-lint -p build --write-baseline=torch-lint.baseline
  torch-lint -p build --baseline=torch-lint.baseline   fail only on new findings
  torch-lint --explain=torch-missing-zero-grad
  torch-lint -p build --cache-dir=.cache/torch-lint -j8
  torch-lint -p build --shard=2/4          the second of four CI jobs

Configuration comes from .clang-tidy files as in clang-tidy; without one, the
torch-* checks run. Exit codes: 0 no findings, 1 findings, 2 usage or setup
error, 3 a translation unit failed to parse, crashed, or exceeded
--unit-timeout or --unit-memory (the others still run), 130 interrupted.
)");

bool hasWildcard(llvm::StringRef Glob) { return Glob.contains('*'); }

llvm::Error checkGlobs(llvm::StringRef List, llvm::StringRef Origin,
                       const llvm::StringSet<> &Known) {
  llvm::SmallVector<llvm::StringRef> Globs;
  List.split(Globs, ',', -1, false);
  for (llvm::StringRef Glob : Globs) {
    Glob = Glob.trim();
    if (Glob.empty() || Glob.starts_with("-") ||
        Glob.starts_with("clang-diagnostic-"))
      continue;
    bool Found = false;
    if (hasWildcard(Glob)) {
      Found = llvm::any_of(Known, [&](const auto &Entry) {
        return globMatches(Glob, Entry.getKey());
      });
    } else {
      Found = Known.contains(Glob);
    }
    if (!Found)
      return usageError(
          (hasWildcard(Glob) ? "check glob '" : "unknown check '") + Glob +
          "' in " + Origin + (hasWildcard(Glob) ? " matches no check" : "") +
          " (see --list-checks with --checks='*')");
  }
  return llvm::Error::success();
}

llvm::Error parseShard(llvm::StringRef Spec, LintOptions &Opts) {
  auto [K, N] = Spec.split('/');
  unsigned Index = 0, Count = 0;
  if (K.getAsInteger(10, Index) || N.getAsInteger(10, Count) || Count == 0 ||
      Index == 0 || Index > Count)
    return usageError("--shard expects K/N with 1 <= K <= N, got '" + Spec +
                      "'");
  Opts.ShardIndex = Index - 1;
  Opts.ShardCount = Count;
  return llvm::Error::success();
}

llvm::Error parseMemory(llvm::StringRef Spec, LintOptions &Opts) {
  uint64_t Amount = 0;
  llvm::StringRef Digits = Spec.rtrim("KMGkmg");
  llvm::StringRef Suffix = Spec.drop_front(Digits.size());
  unsigned Shift = 0;
  if (Suffix.equals_insensitive("K"))
    Shift = 10;
  else if (Suffix.equals_insensitive("M"))
    Shift = 20;
  else if (Suffix.equals_insensitive("G"))
    Shift = 30;
  bool Valid = !Digits.getAsInteger(10, Amount) &&
               (Shift || (Suffix.empty() && Amount == 0)) &&
               Amount <= (UINT64_MAX >> Shift);
  if (!Valid)
    return usageError("--unit-memory expects a size such as 512M or 4G (0: "
                      "no limit), got '" +
                      Spec + "'");
  Opts.UnitMemory = Amount << Shift;
  return llvm::Error::success();
}

// llvm::cl reports "prog: Unknown command line argument '-x'.  Try: ..."; keep
// one line in our own words.
std::string oneLine(llvm::StringRef Message) {
  llvm::StringRef First = Message.split('\n').first.trim();
  if (First.consume_front("torch-lint:"))
    First = First.trim();
  if (size_t Try = First.find("  Try:"); Try != llvm::StringRef::npos)
    First = First.take_front(Try);
  First = First.rtrim('.');
  std::string Line = First.str();
  if (!Line.empty())
    Line[0] = llvm::toLower(Line[0]);
  return Line + " (try --help)";
}
} // namespace

llvm::Error usageError(const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Message);
}

std::string versionString() {
  return "torch-lint " TORCH_TIDY_VERSION " (torch-tidy checks on clang-tidy " +
         compat::llvmVersion() + ")";
}

llvm::Expected<LintOptions> parseCommandLine(int Argc, const char **Argv) {
  cl::HideUnrelatedOptions(Category);
  cl::SetVersionPrinter(
      [](llvm::raw_ostream &OS) { OS << versionString() << "\n"; });
  std::string Errors;
  llvm::raw_string_ostream ErrStream(Errors);
  if (!cl::ParseCommandLineOptions(Argc, Argv,
                                   "torch-lint: the torch-tidy checks over a "
                                   "whole project, for CI and pre-commit\n",
                                   &ErrStream))
    return usageError(oneLine(ErrStream.str()));

  LintOptions Opts;
  Opts.BuildPath = BuildPath;
  Opts.CompileCommands = CompileCommands;
  Opts.Paths.assign(Paths.begin(), Paths.end());
  if (Jobs.getNumOccurrences() &&
      (llvm::StringRef(Jobs).getAsInteger(10, Opts.Jobs) || Opts.Jobs == 0))
    return usageError("-j expects a positive number, got '" + Jobs + "'");
  if (Checks.getNumOccurrences())
    Opts.Checks = Checks;
  if (Config.getNumOccurrences())
    Opts.Config = Config;
  if (HeaderFilter.getNumOccurrences()) {
    Opts.HeaderFilter = HeaderFilter;
    std::string RegexError;
    if (!llvm::Regex(HeaderFilter).isValid(RegexError))
      return usageError("invalid --header-filter regex '" + HeaderFilter +
                        "': " + RegexError);
  }
  if (WarningsAsErrors.getNumOccurrences())
    Opts.WarningsAsErrors = WarningsAsErrors;
  if (Format == "text")
    Opts.Format = OutputFormat::Text;
  else if (Format == "json")
    Opts.Format = OutputFormat::Json;
  else if (Format == "sarif")
    Opts.Format = OutputFormat::Sarif;
  else if (Format == "github")
    Opts.Format = OutputFormat::Github;
  else
    return usageError("unknown --format '" + Format +
                      "' (expected text, json, sarif or github)");
  Opts.OutputFile = OutputFile;
  Opts.ExportFixes = ExportFixes;
  Opts.Fix = Fix || FixUnsafe;
  Opts.FixUnsafe = FixUnsafe;
  Opts.Baseline = Baseline;
  Opts.WriteBaseline = WriteBaseline;
  Opts.IncludeAbsent = IncludeAbsent;
  Opts.ReportUnusedNolint = ReportUnusedNolint;
  Opts.Explain = Explain;
  if (Opts.IncludeAbsent && Opts.Baseline.empty())
    return usageError("--include-absent needs --baseline");
  Opts.DiffBase = DiffBase;
  Opts.LineFilter = LineFilter;
  Opts.CacheDir = CacheDir;
  if (!CacheDir.getNumOccurrences())
    if (std::optional<std::string> Env =
            llvm::sys::Process::GetEnv("TORCH_LINT_CACHE_DIR"))
      Opts.CacheDir = *Env;
  Opts.Preambles = !NoPreamble;
  if (Shard.getNumOccurrences())
    if (llvm::Error E = parseShard(Shard, Opts))
      return std::move(E);
  Opts.SkipNonTorch = !NoSkip;
  Opts.Quiet = Quiet;
  if (UseColor.getNumOccurrences())
    Opts.Color = UseColor ? ColorMode::Always : ColorMode::Never;
  Opts.ListChecks = ListChecks;
  if (UnitTimeout.getNumOccurrences() &&
      llvm::StringRef(UnitTimeout).getAsInteger(10, Opts.UnitTimeout))
    return usageError("--unit-timeout expects a number of seconds (0: no "
                      "limit), got '" +
                      UnitTimeout + "'");
  if (UnitMemory.getNumOccurrences())
    if (llvm::Error E = parseMemory(UnitMemory, Opts))
      return std::move(E);
  if (!Opts.BuildPath.empty() && !Opts.CompileCommands.empty())
    return usageError("-p and --compile-commands are exclusive");
  if (!Opts.DiffBase.empty() && !Opts.LineFilter.empty())
    return usageError("--diff-base and --line-filter are exclusive");
  if (Opts.Config) {
    std::string First;
    auto Parsed = parseConfigurationWithDiags(
        llvm::MemoryBufferRef(*Opts.Config, "--config"),
        [&](const llvm::SMDiagnostic &D) {
          if (First.empty())
            First = ("column " + llvm::Twine(D.getColumnNo() + 1) + ": " +
                     D.getMessage())
                        .str();
        });
    if (!Parsed)
      return usageError("invalid --config: " +
                        (First.empty() ? Parsed.getError().message() : First));
  }
  return Opts;
}

std::unique_ptr<ClangTidyOptionsProvider>
createOptionsProvider(const LintOptions &Opts, llvm::StringRef WorkingDir) {
  ClangTidyGlobalOptions Global;
  ClangTidyOptions Defaults;
  Defaults.Checks = "-*,torch-*";
  Defaults.WarningsAsErrors = "";
  Defaults.HeaderFilterRegex = Opts.HeaderFilter.value_or("");
  Defaults.SystemHeaders = false;
  Defaults.User = llvm::sys::Process::GetEnv("USER");
  ClangTidyOptions Overrides;
  if (Opts.Checks)
    Overrides.Checks = *Opts.Checks;
  if (Opts.HeaderFilter)
    Overrides.HeaderFilterRegex = *Opts.HeaderFilter;
  if (Opts.WarningsAsErrors)
    Overrides.WarningsAsErrors = *Opts.WarningsAsErrors;
  auto FS = llvm::vfs::createPhysicalFileSystem();
  // clang-tidy asks for the options of the file as the compile command names
  // it, often relative to the command's directory: the .clang-tidy files that
  // apply are those above that file, not above torch-lint's directory.
  if (!WorkingDir.empty())
    (void)FS->setCurrentWorkingDirectory(WorkingDir); // best effort
  if (Opts.Config) {
    auto Parsed =
        parseConfiguration(llvm::MemoryBufferRef(*Opts.Config, "--config"));
    if (Parsed)
      return std::make_unique<ConfigOptionsProvider>(
          Global, ClangTidyOptions::getDefaults().merge(Defaults, 0), *Parsed,
          Overrides, std::move(FS));
  }
  return std::make_unique<FileOptionsProvider>(Global, Defaults, Overrides,
                                               std::move(FS));
}

llvm::Error validateChecks(const LintOptions &Opts) {
  NamesAndOptions All =
      getAllChecksAndOptions(/*AllowEnablingAnalyzerAlphaCheckers=*/false);
  if (Opts.Checks)
    if (llvm::Error E = checkGlobs(*Opts.Checks, "--checks", All.Names))
      return E;
  if (Opts.Config) {
    auto Parsed =
        parseConfiguration(llvm::MemoryBufferRef(*Opts.Config, "--config"));
    if (Parsed)
      if (const std::optional<std::string> &Checks = Parsed->Checks)
        if (llvm::Error E = checkGlobs(*Checks, "--config", All.Names))
          return E;
  }
  return llvm::Error::success();
}

} // namespace clang::tidy::torch::lint
