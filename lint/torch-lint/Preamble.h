// SPDX-License-Identifier: Apache-2.0
// Precompiled preambles kept in the cache directory, so that re-linting a unit
// whose main file changed below its #includes does not parse them again.
#ifndef TORCH_LINT_PREAMBLE_H
#define TORCH_LINT_PREAMBLE_H

#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/PCHContainerOperations.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <memory>
#include <optional>
#include <string>

namespace clang::tidy::torch::lint {

/// What the store did for one parse.
enum class PreambleUse {
  None,   // parsed in full: no preamble, or one that cannot be reused
  Built,  // built the unit's preamble, then parsed on it
  Reused, // parsed on a preamble a previous run (or unit) built
};

/// The preambles of `<cache-dir>/preamble/`: one PCH per preamble, as clangd
/// builds it (PrecompiledPreamble), keyed by the preamble's bytes, the
/// compiler flags (less the main file's name and outputs) and the directory
/// the main file is in, so that units with the same #include lines share it.
/// A stored preamble is reused only while every file it read has the
/// contents it had (BLAKE3 of each), and only if building it produced no
/// diagnostic at all: a parse on a PCH does not repeat the preamble's
/// warnings, so a preamble with any is recorded as not reusable and its units
/// are parsed in full. See docs/performance.md.
///
/// Used in worker processes, one unit after another; not thread-safe.
class PreambleStore {
public:
  /// `Dir` is the cache directory. Temporary PCH files go to `TempDir`
  /// (under Dir, one per run), which the driver removes when the run ends,
  /// whatever happened to the workers.
  PreambleStore(llvm::StringRef Dir, std::string TempDir);

  /// Sets `Invocation` up to parse on the stored preamble of its main file,
  /// building and storing it first when there is none or its inputs changed.
  /// Leaves `Invocation` alone and returns None when the unit is to be
  /// parsed in full.
  PreambleUse
  prepare(CompilerInvocation &Invocation,
          const llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> &VFS,
          const std::shared_ptr<PCHContainerOperations> &PCHContainerOps);

  /// The per-run temporary directory under `CacheDir`.
  static std::string tempDirFor(llvm::StringRef CacheDir);

private:
  struct Record {
    bool Reusable = false;
    std::vector<std::pair<std::string, std::string>> Files; // path, hash
  };

  std::optional<std::string> contentHash(const std::string &File);
  bool upToDate(const Record &R);
  std::optional<Record> read(llvm::StringRef Key);
  void write(llvm::StringRef Key, const Record &R);
  std::string path(llvm::StringRef Key, llvm::StringRef Ext) const;

  std::string Dir; // <cache-dir>/preamble
  std::string TempDir;
  llvm::StringMap<std::string> Hashes; // files do not change mid-run
};

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_PREAMBLE_H
