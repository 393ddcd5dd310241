// SPDX-License-Identifier: Apache-2.0
// Every difference between the LLVM majors torch-tidy builds against (19 and
// 16) lives here: nothing else in the project tests LLVM_VERSION_MAJOR
// (test/meta/llvm-compat.test holds it so). Each shim names the major that
// introduced what it replaces, so that it can go when that major is the oldest.
#ifndef TORCH_TIDY_CHECKS_UTILS_LLVMCOMPAT_H
#define TORCH_TIDY_CHECKS_UTILS_LLVMCOMPAT_H

#include "clang/ASTMatchers/ASTMatchers.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/xxhash.h"
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::torch::compat {

/// The major this build links, for version strings ("LLVM 19.1.7").
inline std::string llvmVersion() {
  return std::to_string(LLVM_VERSION_MAJOR) + "." +
         std::to_string(LLVM_VERSION_MINOR) + "." +
         std::to_string(LLVM_VERSION_PATCH);
}

/// llvm::is_contained over a braced list of names (its initializer_list
/// overload is LLVM 17's).
inline bool isOneOf(llvm::StringRef Name,
                    std::initializer_list<llvm::StringRef> Names) {
  return std::find(Names.begin(), Names.end(), Name) != Names.end();
}

/// llvm::erase(Container, Value) (LLVM 17; 16 calls it erase_value).
template <typename Container, typename Value>
void eraseValue(Container &C, const Value &V) {
#if LLVM_VERSION_MAJOR >= 17
  llvm::erase(C, V);
#else
  llvm::erase_value(C, V);
#endif
}

/// llvm::isUpper and llvm::isLower (LLVM 17), ASCII only as theirs.
inline bool isUpper(char C) { return C >= 'A' && C <= 'Z'; }
inline bool isLower(char C) { return C >= 'a' && C <= 'z'; }

/// A 64-bit hash of `Data` that is the same on every major and every run:
/// xxHash64, which both majors have (xxh3_64bits is LLVM 17's).
inline std::uint64_t stableHash64(llvm::StringRef Data) {
  return llvm::xxHash64(Data);
}

/// The ast_matchers::argumentCountAtLeast of LLVM 17, as it behaves under the
/// AsIs traversal every torch- check uses: default arguments count.
#if LLVM_VERSION_MAJOR >= 17
using clang::ast_matchers::argumentCountAtLeast;
#else
AST_POLYMORPHIC_MATCHER_P(
    argumentCountAtLeast,
    AST_POLYMORPHIC_SUPPORTED_TYPES(clang::CallExpr, clang::CXXConstructExpr,
                                    clang::CXXUnresolvedConstructExpr,
                                    clang::ObjCMessageExpr),
    unsigned, N) {
  return Node.getNumArgs() >= N;
}
#endif

/// The files a unit reads (its main file and every header), from Clang's
/// dependency scanner: `Scanner` is a tooling::dependencies::
/// DependencyScanningTool (a template, so that the checks need not include
/// it). LLVM 17 renamed getFullDependencies and flattened its result.
template <typename ScanningTool>
llvm::Expected<std::vector<std::string>>
fileDependencies(ScanningTool &Scanner,
                 const std::vector<std::string> &CommandLine,
                 llvm::StringRef Directory) {
  // No Clang modules: no module ever needs an output path.
  auto NoModuleOutput = [](const auto &, auto) { return std::string(); };
#if LLVM_VERSION_MAJOR >= 17
  auto Deps = Scanner.getTranslationUnitDependencies(CommandLine, Directory, {},
                                                     NoModuleOutput);
  if (!Deps)
    return Deps.takeError();
  return std::move(Deps->FileDeps);
#else
  auto Deps =
      Scanner.getFullDependencies(CommandLine, Directory, {}, NoModuleOutput);
  if (!Deps)
    return Deps.takeError();
  return std::move(Deps->FullDeps.FileDeps);
#endif
}

/// Whether torch-lint parses units on stored precompiled preambles. On LLVM
/// 16 a parse on one loses torch- findings (test/lint/preamble.test and
/// cache.test fail there; not yet understood), so 16 parses every unit in
/// full.
inline constexpr bool PreamblesWork = LLVM_VERSION_MAJOR >= 17;

/// CompilerInvocation::getLangOpts() as a reference (LLVM 17; 16 returns a
/// pointer). A template, so that the checks need not include it.
template <typename Invocation> auto &langOptions(Invocation &CI) {
#if LLVM_VERSION_MAJOR >= 17
  return CI.getLangOpts();
#else
  return *CI.getLangOpts();
#endif
}

/// PrecompiledPreamble::Build (`Preamble`, a template so that the checks need
/// not include it) storing its temporary PCH file in `StorageDir`: LLVM 17
/// takes the directory as an argument; 16 puts the file in the system's
/// temporary directory, which it reads from TMPDIR on each call.
/// `BuildArgs` are Build's arguments before StoreInMemory.
template <typename Preamble, typename Callbacks, typename... Args>
auto buildPreambleIn(llvm::StringRef StorageDir, Callbacks &CB,
                     Args &&...BuildArgs) {
#if LLVM_VERSION_MAJOR >= 17
  return Preamble::Build(std::forward<Args>(BuildArgs)...,
                         /*StoreInMemory=*/false, StorageDir, CB);
#else
  const char *Old = std::getenv("TMPDIR");
  const std::string Saved = Old ? Old : "";
  ::setenv("TMPDIR", StorageDir.str().c_str(), /*overwrite=*/1);
  auto Result = Preamble::Build(std::forward<Args>(BuildArgs)...,
                                /*StoreInMemory=*/false, CB);
  if (Old)
    ::setenv("TMPDIR", Saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  return Result;
#endif
}

} // namespace clang::tidy::torch::compat

#endif // TORCH_TIDY_CHECKS_UTILS_LLVMCOMPAT_H
