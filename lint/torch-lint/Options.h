// SPDX-License-Identifier: Apache-2.0
// torch-lint's command line: parsing, validation and the clang-tidy options
// provider.
#ifndef TORCH_LINT_OPTIONS_H
#define TORCH_LINT_OPTIONS_H

#include "clang-tidy/ClangTidyOptions.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

enum class OutputFormat { Text, Json, Sarif, Github };
enum class ColorMode { Auto, Always, Never };

/// Everything the command line decides, validated.
struct LintOptions {
  std::string BuildPath;       // -p
  std::string CompileCommands; // --compile-commands
  std::vector<std::string> Paths;
  unsigned Jobs = 0; // 0: all cores
  std::optional<std::string> Checks;
  std::optional<std::string> Config;
  std::optional<std::string> HeaderFilter;
  std::optional<std::string> WarningsAsErrors;
  OutputFormat Format = OutputFormat::Text;
  std::string OutputFile;
  std::string ExportFixes;
  bool Fix = false;
  bool FixUnsafe = false;    // also the fixes on notes; implies Fix
  std::string Baseline;      // --baseline
  std::string WriteBaseline; // --write-baseline
  bool IncludeAbsent = false;
  bool ReportUnusedNolint = false;
  std::string Explain;
  std::string DiffBase;
  std::string LineFilter;
  std::string CacheDir;
  bool Preambles = true; // with CacheDir: reuse precompiled preambles
  /// Where workers build preambles: set by the driver for the run (and
  /// removed when it ends), not by the command line; empty when the run
  /// uses no preambles (no cache directory, --no-preamble, LLVM 16).
  std::string PreambleTempDir;
  unsigned ShardIndex = 0; // 0-based
  unsigned ShardCount = 1;
  bool SkipNonTorch = true;
  bool Quiet = false;
  ColorMode Color = ColorMode::Auto;
  bool ListChecks = false;
  unsigned UnitTimeout = 600;       // seconds per unit; 0: none
  uint64_t UnitMemory = 4ull << 30; // address space per unit; 0: none
};

/// Thrown-free usage error: a one-line message for exit code 2.
llvm::Error usageError(const llvm::Twine &Message);

/// Parses argv; prints --help/--version itself (and exits 0).
llvm::Expected<LintOptions> parseCommandLine(int Argc, const char **Argv);

/// A fresh provider that reads .clang-tidy files as clang-tidy does, layered
/// under --config and the command-line overrides. Not thread-safe: make one
/// per thread or per translation unit. Relative file names are resolved
/// against `WorkingDir` (a compile command's directory) when it is given,
/// else against the process's working directory.
std::unique_ptr<ClangTidyOptionsProvider>
createOptionsProvider(const LintOptions &Opts, llvm::StringRef WorkingDir = {});

/// Rejects check globs in --checks and --config that name no check.
llvm::Error validateChecks(const LintOptions &Opts);

/// The torch-lint version line.
std::string versionString();

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_OPTIONS_H
