// SPDX-License-Identifier: Apache-2.0
// On-disk results keyed by every input of a unit: file contents, flags,
// configuration, tool.
#include "Cache.h"
#include "Options.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/BLAKE3.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>

namespace clang::tidy::torch::lint {
namespace {
constexpr llvm::StringLiteral Format = "torch-lint-cache-1";

int Anchor;

// The version string alone misses rebuilt development binaries: add the
// executable's size and modification time.
std::string toolIdentity() {
  std::string Id = versionString();
  std::string Exe = llvm::sys::fs::getMainExecutable("torch-lint", &Anchor);
  llvm::sys::fs::file_status Status;
  if (!llvm::sys::fs::status(Exe, Status))
    Id += ";" + std::to_string(Status.getSize()) + ";" +
          std::to_string(
              Status.getLastModificationTime().time_since_epoch().count());
  return Id;
}

} // namespace

void feedKey(llvm::BLAKE3 &H, llvm::StringRef S) {
  uint64_t Size = S.size();
  H.update(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(&Size),
                                   sizeof(Size)));
  H.update(S);
}

std::optional<std::string> hashFileContents(const std::string &File) {
  auto Buffer = llvm::MemoryBuffer::getFile(File, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!Buffer)
    return std::nullopt;
  return llvm::toHex(
      llvm::BLAKE3::hash(llvm::arrayRefFromStringRef((*Buffer)->getBuffer())));
}

ResultCache::ResultCache(std::string Dir) : Dir(std::move(Dir)) {
  if (enabled())
    ToolId = toolIdentity();
}

std::optional<std::string> ResultCache::contentHash(const std::string &File) {
  {
    std::lock_guard<std::mutex> Lock(Mutex);
    auto It = FileHashes.find(File);
    if (It != FileHashes.end())
      return It->second;
  }
  std::optional<std::string> Hash = hashFileContents(File);
  if (!Hash)
    return std::nullopt;
  std::lock_guard<std::mutex> Lock(Mutex);
  FileHashes[File] = *Hash;
  return Hash;
}

std::optional<llvm::json::Object> readCacheFile(const std::string &Path,
                                                llvm::StringRef Format) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return std::nullopt;
  auto Parsed = llvm::json::parse((*Buffer)->getBuffer());
  if (!Parsed) {
    llvm::consumeError(Parsed.takeError());
    return std::nullopt;
  }
  llvm::json::Object *Root = Parsed->getAsObject();
  if (!Root || Root->getString("format") != Format)
    return std::nullopt;
  return std::move(*Root);
}

bool writeCacheFile(const std::string &Path, const llvm::json::Value &Root) {
  llvm::SmallString<256> Temp;
  int FD;
  if (llvm::sys::fs::createUniqueFile(Path + ".tmp-%%%%%%%%", FD, Temp))
    return false;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Root;
    if (OS.has_error()) {
      OS.clear_error();
      (void)llvm::sys::fs::remove(Temp);
      return false;
    }
  }
  if (llvm::sys::fs::rename(Temp, Path)) {
    (void)llvm::sys::fs::remove(Temp);
    return false;
  }
  return true;
}

std::optional<std::string>
ResultCache::key(const std::vector<tooling::CompileCommand> &Commands,
                 const std::vector<std::string> &InputFiles,
                 llvm::StringRef EffectiveConfig) {
  llvm::BLAKE3 H;
  feedKey(H, Format);
  feedKey(H, ToolId);
  feedKey(H, EffectiveConfig);
  for (const tooling::CompileCommand &Cmd : Commands) {
    feedKey(H, Cmd.Directory);
    feedKey(H, Cmd.Filename);
    for (const std::string &Arg : Cmd.CommandLine)
      feedKey(H, Arg);
  }
  std::vector<std::string> Files = InputFiles;
  std::sort(Files.begin(), Files.end());
  Files.erase(std::unique(Files.begin(), Files.end()), Files.end());
  for (const std::string &File : Files) {
    std::optional<std::string> Hash = contentHash(File);
    if (!Hash)
      return std::nullopt;
    feedKey(H, File);
    feedKey(H, *Hash);
  }
  return llvm::toHex(H.final());
}

std::string ResultCache::pathFor(llvm::StringRef Key) const {
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path, Key.take_front(2), Key.drop_front(2) + ".json");
  return std::string(Path);
}

std::optional<std::vector<Finding>> ResultCache::lookup(llvm::StringRef Key) {
  std::optional<llvm::json::Object> Root = readCacheFile(pathFor(Key), Format);
  const llvm::json::Array *Items = Root ? Root->getArray("findings") : nullptr;
  if (!Items)
    return std::nullopt;
  std::vector<Finding> Out;
  llvm::json::Path::Root PathRoot;
  for (const llvm::json::Value &Item : *Items) {
    Finding F;
    if (!fromJSON(Item, F, PathRoot))
      return std::nullopt;
    Out.push_back(std::move(F));
  }
  return Out;
}

void ResultCache::store(llvm::StringRef Key,
                        const std::vector<Finding> &Findings) {
  std::string Path = pathFor(Key);
  if (llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path)))
    return;
  llvm::json::Array Items;
  for (const Finding &F : Findings)
    Items.push_back(toJSON(F));
  llvm::json::Value Root =
      llvm::json::Object{{"format", Format}, {"findings", std::move(Items)}};
  // A cache entry that cannot be stored is only a miss next time.
  (void)writeCacheFile(Path, Root);
}

} // namespace clang::tidy::torch::lint
