// SPDX-License-Identifier: Apache-2.0
// torch-clangd: clangd's driver with the torch- checks linked in.

#include "TorchTidyModule.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <cstdlib>
#include <optional>
#include <string>

namespace clang::clangd {
// Declared in clangd's ClangdMain.h, which LLVM does not install.
int clangdMain(int Argc, char *Argv[]);
} // namespace clang::clangd

// clangd 19 runs a clang-tidy check only if its table of measured checks
// (TidyFastChecks.inc) calls it fast, unless the user sets FastCheckFilter.
// The linker (--wrap) routes clangd's calls of isFastTidyCheck() here: the
// torch- checks are main-file checks whose cost bench/clangd_latency.py
// measures, so they count as fast; every other check keeps clangd's answer.
std::optional<bool> clangdIsFastTidyCheck(llvm::StringRef Check) asm(
    "__real__ZN5clang6clangd15isFastTidyCheckEN4llvm9StringRefE");
std::optional<bool> torchIsFastTidyCheck(llvm::StringRef Check) asm(
    "__wrap__ZN5clang6clangd15isFastTidyCheckEN4llvm9StringRefE");

std::optional<bool> torchIsFastTidyCheck(llvm::StringRef Check) {
  if (Check.starts_with("torch-"))
    return true;
  return clangdIsFastTidyCheck(Check);
}

namespace {

/// The names of the registered torch- checks, sorted.
llvm::SmallVector<std::string> torchChecks() {
  clang::tidy::ClangTidyCheckFactories Factories;
  for (const auto &Entry : clang::tidy::ClangTidyModuleRegistry::entries())
    Entry.instantiate()->addCheckFactories(Factories);
  llvm::SmallVector<std::string> Names;
  for (const auto &Factory : Factories)
    if (Factory.getKey().starts_with("torch-"))
      Names.push_back(Factory.getKey().str());
  llvm::sort(Names);
  return Names;
}

void printVersion(llvm::raw_ostream &OS) {
  OS << "torch-clangd " TORCH_TIDY_VERSION
        " (clangd with the torch- checks for LibTorch)\n";
  OS << "torch- checks:";
  for (const std::string &Name : torchChecks())
    OS << ' ' << Name;
  OS << '\n';
}

bool isResourceDirFlag(llvm::StringRef Arg) {
  return Arg.contains("-resource-dir");
}

} // namespace

int main(int Argc, char *Argv[]) {
  llvm::SmallVector<char *> Args(Argv, Argv + Argc);
  bool HasResourceDir = false;
  for (llvm::StringRef Arg : llvm::ArrayRef(Argv, Argc).drop_front()) {
    // clangd installs its own version printer, and LLVM skips the extra version
    // printers when one is installed: say what we are before clangd's lines.
    if (Arg == "--version" || Arg == "-version")
      printVersion(llvm::outs());
    HasResourceDir |= isResourceDirFlag(Arg);
  }
  // clangd derives the resource directory (builtin headers such as
  // <stddef.h>) from its own path, which for us is not LLVM's: default it to
  // the one clangd 19 itself uses. CLANGD_FLAGS may set it too.
  if (const char *EnvFlags = std::getenv("CLANGD_FLAGS"))
    HasResourceDir |= isResourceDirFlag(EnvFlags);
  std::string ResourceDirFlag = "--resource-dir=" TORCH_CLANGD_RESOURCE_DIR;
  if (!HasResourceDir)
    Args.push_back(ResourceDirFlag.data());
  const int ArgCount = static_cast<int>(Args.size());
  Args.push_back(nullptr);
  return clang::clangd::clangdMain(ArgCount, Args.data());
}
