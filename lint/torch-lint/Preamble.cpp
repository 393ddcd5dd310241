// SPDX-License-Identifier: Apache-2.0
// Precompiled preambles kept in the cache directory, so that re-linting a unit
// whose main file changed below its #includes does not parse them again.
#include "Preamble.h"
#include "Cache.h"
#include "utils/LlvmCompat.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/PrecompiledPreamble.h"
#include "clang/Frontend/Utils.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <unistd.h>

namespace clang::tidy::torch::lint {
namespace {

constexpr llvm::StringLiteral Format = "torch-lint-preamble-1";

/// Every file the preamble reads, system headers included.
class AllFiles : public DependencyCollector {
  bool needSystemDependencies() override { return true; }
};

class Callbacks : public PreambleCallbacks {
public:
  void BeforeExecute(CompilerInstance &CI) override {
    Files->attachToPreprocessor(CI.getPreprocessor());
  }
  std::shared_ptr<AllFiles> Files = std::make_shared<AllFiles>();
};

/// Counts what the preamble's build reports (its own count: Build clears the
/// consumer's); prints nothing.
class Counter : public DiagnosticConsumer {
public:
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    Reported += Level >= DiagnosticsEngine::Warning;
  }
  unsigned Reported = 0;
};

/// The flags that decide what the preamble means: the compiler invocation
/// less what names the main file or the outputs, so that units of one
/// directory with the same #include lines share a preamble.
std::vector<std::string> preambleFlags(const CompilerInvocation &CI) {
  CompilerInvocation Copy(CI);
  Copy.getFrontendOpts().Inputs.clear();
  Copy.getFrontendOpts().OutputFile.clear();
  Copy.getCodeGenOpts().MainFileName.clear();
  Copy.getCodeGenOpts().CoverageDataFile.clear();
  Copy.getCodeGenOpts().CoverageNotesFile.clear();
  Copy.getDependencyOutputOpts() = DependencyOutputOptions();
  return Copy.getCC1CommandLine();
}

std::string absolute(llvm::StringRef Path, llvm::StringRef WorkingDir) {
  llvm::SmallString<256> Abs(Path);
  if (!llvm::sys::path::is_absolute(Abs))
    llvm::sys::fs::make_absolute(WorkingDir, Abs);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/false);
  return std::string(Abs);
}

} // namespace

PreambleStore::PreambleStore(llvm::StringRef CacheDir, std::string TempDir)
    : TempDir(std::move(TempDir)) {
  llvm::SmallString<256> P(CacheDir);
  llvm::sys::path::append(P, "preamble");
  Dir = std::string(P);
}

std::string PreambleStore::tempDirFor(llvm::StringRef CacheDir) {
  llvm::SmallString<256> P(CacheDir);
  llvm::sys::path::append(P, "preamble",
                          std::to_string(llvm::sys::Process::getProcessId()) +
                              ".tmp-run");
  return std::string(P);
}

std::string PreambleStore::path(llvm::StringRef Key,
                                llvm::StringRef Ext) const {
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, Key + "." + Ext);
  return std::string(P);
}

std::optional<std::string> PreambleStore::contentHash(const std::string &File) {
  auto It = Hashes.find(File);
  if (It != Hashes.end())
    return It->second;
  std::optional<std::string> Hash = hashFileContents(File);
  if (Hash)
    Hashes[File] = *Hash;
  return Hash;
}

bool PreambleStore::upToDate(const Record &R) {
  return llvm::all_of(R.Files, [&](const auto &File) {
    return contentHash(File.first) == File.second;
  });
}

std::optional<PreambleStore::Record> PreambleStore::read(llvm::StringRef Key) {
  std::optional<llvm::json::Object> Root =
      readCacheFile(path(Key, "json"), Format);
  if (!Root)
    return std::nullopt;
  std::optional<bool> Reusable = Root->getBoolean("reusable");
  const llvm::json::Array *Files = Root->getArray("files");
  if (!Reusable || !Files)
    return std::nullopt;
  Record R;
  R.Reusable = *Reusable;
  for (const llvm::json::Value &Item : *Files) {
    const llvm::json::Array *Pair = Item.getAsArray();
    if (!Pair || Pair->size() != 2)
      return std::nullopt;
    std::optional<llvm::StringRef> File = (*Pair)[0].getAsString();
    std::optional<llvm::StringRef> Hash = (*Pair)[1].getAsString();
    if (!File || !Hash)
      return std::nullopt;
    R.Files.emplace_back(File->str(), Hash->str());
  }
  return R;
}

void PreambleStore::write(llvm::StringRef Key, const Record &R) {
  llvm::json::Array Files;
  for (const auto &[File, Hash] : R.Files)
    Files.push_back(llvm::json::Array{File, Hash});
  llvm::json::Value Root = llvm::json::Object{{"format", Format},
                                              {"reusable", R.Reusable},
                                              {"files", std::move(Files)}};
  // A record that cannot be written is only a rebuild next time.
  (void)writeCacheFile(path(Key, "json"), Root);
}

PreambleUse PreambleStore::prepare(
    CompilerInvocation &Invocation,
    const llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> &VFS,
    const std::shared_ptr<PCHContainerOperations> &PCHContainerOps) {
  FrontendOptions &Frontend = Invocation.getFrontendOpts();
  PreprocessorOptions &PP = Invocation.getPreprocessorOpts();
  // A command that brings its own PCH, forced includes or modules is parsed
  // as it is.
  if (Frontend.Inputs.size() != 1 || !Frontend.Inputs[0].isFile() ||
      !PP.ImplicitPCHInclude.empty() || !PP.Includes.empty() ||
      !PP.MacroIncludes.empty() || PP.PrecompiledPreambleBytes.first != 0 ||
      compat::langOptions(Invocation).Modules)
    return PreambleUse::None;
  llvm::ErrorOr<std::string> WorkingDir = VFS->getCurrentWorkingDirectory();
  if (!WorkingDir)
    return PreambleUse::None;
  const std::string MainFile =
      absolute(Frontend.Inputs[0].getFile(), *WorkingDir);
  auto Buffer = VFS->getBufferForFile(MainFile);
  if (!Buffer)
    return PreambleUse::None;
  const PreambleBounds Bounds =
      ComputePreambleBounds(compat::langOptions(Invocation), **Buffer, 0);
  if (Bounds.Size == 0)
    return PreambleUse::None;

  llvm::BLAKE3 H;
  feedKey(H, Format);
  feedKey(H, getClangFullVersion());
  feedKey(H, (*Buffer)->getBuffer().take_front(Bounds.Size));
  feedKey(H, Bounds.PreambleEndsAtStartOfLine ? "1" : "0");
  // Quoted #includes are looked up next to the main file, relative -I
  // directories in the working directory.
  feedKey(H, llvm::sys::path::parent_path(MainFile));
  feedKey(H, *WorkingDir);
  for (const std::string &Arg : preambleFlags(Invocation))
    feedKey(H, Arg);
  const std::string Key = llvm::toHex(H.final());
  const std::string Pch = path(Key, "pch");

  PreambleUse Use = PreambleUse::Reused;
  std::optional<Record> R = read(Key);
  auto Stale = [&] {
    return !R || !upToDate(*R) || (R->Reusable && !llvm::sys::fs::exists(Pch));
  };
  // One worker builds a preamble while the others that need it wait, then
  // reuse it. The lock goes with its process, however the process ends.
  int LockFD = -1;
  if (Stale() && !llvm::sys::fs::create_directories(Dir) &&
      !llvm::sys::fs::openFileForReadWrite(path(Key, "lock"), LockFD,
                                           llvm::sys::fs::CD_OpenAlways,
                                           llvm::sys::fs::OF_None)) {
    (void)llvm::sys::fs::lockFile(LockFD); // unlocked, it is only slower
    R = read(Key);
  }
  auto Unlock = llvm::make_scope_exit([&] {
    if (LockFD >= 0)
      ::close(LockFD); // which releases the lock
  });
  if (Stale()) {
    Use = PreambleUse::Built;
    if (llvm::sys::fs::create_directories(TempDir))
      return PreambleUse::None;
    Counter Diagnostics;
    IntrusiveRefCntPtr<DiagnosticsEngine> Engine =
        CompilerInstance::createDiagnostics(&Invocation.getDiagnosticOpts(),
                                            &Diagnostics,
                                            /*ShouldOwnClient=*/false);
    // The templates the headers need are instantiated in the PCH, as
    // clang-cl's PCHs do (-fpch-instantiate-templates), not again at the end
    // of every parse on it: that is most of such a parse's time.
    CompilerInvocation BuildInvocation(Invocation);
    compat::langOptions(BuildInvocation).PCHInstantiateTemplates = true;
    Callbacks CB;
    auto Built = compat::buildPreambleIn<PrecompiledPreamble>(
        TempDir, CB, BuildInvocation, Buffer->get(), Bounds, *Engine, VFS,
        PCHContainerOps);
    Record New;
    for (llvm::StringRef File : CB.Files->getDependencies()) {
      std::string Abs = absolute(File, *WorkingDir);
      if (Abs == MainFile)
        continue;
      std::optional<std::string> Hash = contentHash(Abs);
      if (!Hash)
        return PreambleUse::None; // read, then gone: try again next time
      New.Files.emplace_back(std::move(Abs), std::move(*Hash));
    }
    llvm::sort(New.Files);
    New.Files.erase(std::unique(New.Files.begin(), New.Files.end()),
                    New.Files.end());
    // A parse on the PCH would not repeat the preamble's diagnostics.
    New.Reusable = Built && Diagnostics.Reported == 0;
    if (New.Reusable) {
      // Where Build put the PCH: AddImplicitPreamble names it.
      CompilerInvocation Probe(Invocation);
      auto RealFS = llvm::vfs::getRealFileSystem();
      Built->AddImplicitPreamble(Probe, RealFS, Buffer->get());
      const std::string Temp = Probe.getPreprocessorOpts().ImplicitPCHInclude;
      if (Temp.empty() || llvm::sys::fs::rename(Temp, Pch))
        return PreambleUse::None; // Built's destructor removes it
    }
    write(Key, New);
    R = std::move(New);
  }
  if (!R || !R->Reusable)
    return PreambleUse::None;
  PP.ImplicitPCHInclude = Pch;
  PP.PrecompiledPreambleBytes = {Bounds.Size, Bounds.PreambleEndsAtStartOfLine};
  PP.DisablePCHOrModuleValidation = DisableValidationForModuleKind::PCH;
  return Use;
}

} // namespace clang::tidy::torch::lint
