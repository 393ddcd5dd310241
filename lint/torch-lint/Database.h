// SPDX-License-Identifier: Apache-2.0
// The compilation database: loading, choosing the units under the given paths,
// sharding.
#ifndef TORCH_LINT_DATABASE_H
#define TORCH_LINT_DATABASE_H

#include "Options.h"
#include "clang/Tooling/CompilationDatabase.h"
#include <memory>
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

/// One translation unit to lint: its main file and every command that builds
/// it.
struct Unit {
  std::string File;
  std::vector<tooling::CompileCommand> Commands;
};

/// Loads the database named by -p/--compile-commands, or found from the first
/// path (or the working directory) upwards.
llvm::Expected<std::unique_ptr<tooling::CompilationDatabase>>
loadDatabase(const LintOptions &Opts);

/// The units under Opts.Paths (all when none), sorted by file, then this
/// shard's part.
llvm::Expected<std::vector<Unit>>
selectUnits(const tooling::CompilationDatabase &DB, const LintOptions &Opts);

/// Serves exactly the given commands, whatever file is asked for.
class FixedCommandsDatabase : public tooling::CompilationDatabase {
public:
  explicit FixedCommandsDatabase(std::vector<tooling::CompileCommand> Commands)
      : Commands(std::move(Commands)) {}
  std::vector<tooling::CompileCommand>
  getCompileCommands(llvm::StringRef /*FilePath*/) const override {
    return Commands;
  }

private:
  std::vector<tooling::CompileCommand> Commands;
};

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_DATABASE_H
