// SPDX-License-Identifier: Apache-2.0
// On-disk results keyed by every input of a unit: file contents, flags,
// configuration, tool.
#ifndef TORCH_LINT_CACHE_H
#define TORCH_LINT_CACHE_H

#include "Finding.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/JSON.h"
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::torch::lint {

/// Feeds `S` to a key's hasher, length first, so that no two sequences of
/// strings feed the same bytes.
void feedKey(llvm::BLAKE3 &H, llvm::StringRef S);

/// The BLAKE3 of a file's contents, in hex; nothing when it cannot be read.
std::optional<std::string> hashFileContents(const std::string &File);

/// The JSON object in a cache file whose "format" is `Format`; nothing when
/// the file is missing, malformed or of another format (a miss).
std::optional<llvm::json::Object> readCacheFile(const std::string &Path,
                                                llvm::StringRef Format);

/// Writes a cache file through a temporary file beside it and a rename, so
/// that concurrent runs sharing the directory never read half of one.
bool writeCacheFile(const std::string &Path, const llvm::json::Value &Root);

class ResultCache {
public:
  /// Disabled when Dir is empty.
  explicit ResultCache(std::string Dir);
  bool enabled() const { return !Dir.empty(); }

  /// The key of a unit, or nothing when an input cannot be read.
  std::optional<std::string>
  key(const std::vector<tooling::CompileCommand> &Commands,
      const std::vector<std::string> &InputFiles,
      llvm::StringRef EffectiveConfig);

  std::optional<std::vector<Finding>> lookup(llvm::StringRef Key);
  void store(llvm::StringRef Key, const std::vector<Finding> &Findings);

private:
  std::optional<std::string> contentHash(const std::string &File);
  std::string pathFor(llvm::StringRef Key) const;

  std::string Dir;
  std::string ToolId;
  std::mutex Mutex;
  llvm::StringMap<std::string>
      FileHashes; // per run: files do not change mid-run
};

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_CACHE_H
