// SPDX-License-Identifier: Apache-2.0
// The compilation database: loading, choosing the units under the given paths,
// sharding.
#include "Database.h"
#include "clang/Tooling/JSONCompilationDatabase.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>

namespace clang::tidy::torch::lint {
namespace {

std::string normalized(llvm::StringRef Path, llvm::StringRef Base = "") {
  llvm::SmallString<256> Abs(Path);
  if (!llvm::sys::path::is_absolute(Abs)) {
    // Without a current directory the path stays relative, as given.
    if (Base.empty())
      (void)llvm::sys::fs::make_absolute(Abs);
    else
      llvm::sys::fs::make_absolute(Base, Abs);
  }
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Abs, Real))
    return std::string(Real);
  return std::string(Abs);
}

bool isUnder(llvm::StringRef File, llvm::StringRef Dir) {
  if (File == Dir)
    return true;
  return File.starts_with(Dir) && File.size() > Dir.size() &&
         llvm::sys::path::is_separator(File[Dir.size()]);
}
} // namespace

// The JSON loader reports syntax errors on stderr over several lines: check
// the syntax first for a one-line message.
llvm::Error checkJson(llvm::StringRef File) {
  auto Buffer = llvm::MemoryBuffer::getFile(File);
  if (!Buffer)
    return usageError("cannot read compilation database '" + File +
                      "': " + Buffer.getError().message());
  auto Parsed = llvm::json::parse((*Buffer)->getBuffer());
  if (!Parsed)
    return usageError(
        "compilation database '" + File +
        "' is not valid JSON: " + llvm::toString(Parsed.takeError()));
  if (!Parsed->getAsArray())
    return usageError("compilation database '" + File +
                      "' is not a JSON array");
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<tooling::CompilationDatabase>>
loadDatabase(const LintOptions &Opts) {
  std::string Error;
  if (!Opts.CompileCommands.empty()) {
    if (!llvm::sys::fs::exists(Opts.CompileCommands))
      return usageError("compilation database '" + Opts.CompileCommands +
                        "' does not exist");
    if (llvm::Error E = checkJson(Opts.CompileCommands))
      return std::move(E);
    auto DB = tooling::JSONCompilationDatabase::loadFromFile(
        Opts.CompileCommands, Error,
        tooling::JSONCommandLineSyntax::AutoDetect);
    if (!DB)
      return usageError("cannot read compilation database '" +
                        Opts.CompileCommands +
                        "': " + llvm::StringRef(Error).trim());
    return std::unique_ptr<tooling::CompilationDatabase>(std::move(DB));
  }
  if (!Opts.BuildPath.empty()) {
    llvm::SmallString<256> File(Opts.BuildPath);
    llvm::sys::path::append(File, "compile_commands.json");
    if (!llvm::sys::fs::exists(File))
      return usageError(
          "no compile_commands.json in '" + Opts.BuildPath +
          "' (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)");
    if (llvm::Error E = checkJson(File))
      return std::move(E);
    auto DB = tooling::JSONCompilationDatabase::loadFromFile(
        File, Error, tooling::JSONCommandLineSyntax::AutoDetect);
    if (!DB)
      return usageError("cannot read compilation database '" + File.str() +
                        "': " + llvm::StringRef(Error).trim());
    return std::unique_ptr<tooling::CompilationDatabase>(std::move(DB));
  }
  std::string Start =
      Opts.Paths.empty() ? normalized(".") : normalized(Opts.Paths.front());
  if (auto DB = tooling::CompilationDatabase::autoDetectFromDirectory(
          llvm::sys::fs::is_directory(Start)
              ? Start
              : llvm::sys::path::parent_path(Start).str(),
          Error))
    return std::move(DB);
  return usageError("no compilation database found from '" + Start +
                    "' upwards (pass -p BUILD_DIR or --compile-commands FILE)");
}

llvm::Expected<std::vector<Unit>>
selectUnits(const tooling::CompilationDatabase &DB, const LintOptions &Opts) {
  llvm::StringMap<Unit> ByFile;
  for (tooling::CompileCommand &Cmd : DB.getAllCompileCommands()) {
    std::string File = normalized(Cmd.Filename, Cmd.Directory);
    Unit &U = ByFile[File];
    U.File = File;
    U.Commands.push_back(std::move(Cmd));
  }
  std::vector<std::string> Wanted;
  for (const std::string &Path : Opts.Paths) {
    if (!llvm::sys::fs::exists(Path))
      return usageError("path '" + Path + "' does not exist");
    Wanted.push_back(normalized(Path));
  }
  std::vector<Unit> Units;
  std::vector<bool> Used(Wanted.size());
  for (auto &Entry : ByFile) {
    bool Keep = Wanted.empty();
    for (size_t I = 0; I < Wanted.size(); ++I)
      if (isUnder(Entry.getKey(), Wanted[I]))
        Keep = Used[I] = true;
    if (Keep)
      Units.push_back(std::move(Entry.getValue()));
  }
  for (size_t I = 0; I < Wanted.size(); ++I)
    if (!Used[I])
      return usageError("'" + Opts.Paths[I] +
                        "' matches no unit of the compilation database");
  std::sort(Units.begin(), Units.end(),
            [](const Unit &A, const Unit &B) { return A.File < B.File; });
  if (Opts.ShardCount > 1) {
    std::vector<Unit> Mine;
    for (size_t I = 0; I < Units.size(); ++I)
      if (I % Opts.ShardCount == Opts.ShardIndex)
        Mine.push_back(std::move(Units[I]));
    Units = std::move(Mine);
  }
  return Units;
}

} // namespace clang::tidy::torch::lint
