// SPDX-License-Identifier: Apache-2.0
// Changed-lines-only reporting: ranges from `git diff -U0 REV` or clang-tidy's
// --line-filter JSON.
#include "DiffFilter.h"
#include "Options.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include <array>

namespace clang::tidy::torch::lint {
namespace {

llvm::Expected<std::string> git(llvm::ArrayRef<llvm::StringRef> Args) {
  auto Git = llvm::sys::findProgramByName("git");
  if (!Git)
    return usageError("--diff-base needs git on PATH");
  llvm::SmallString<128> OutFile;
  llvm::SmallString<128> ErrFile;
  if (std::error_code EC =
          llvm::sys::fs::createTemporaryFile("torch-lint-git", "out", OutFile))
    return usageError("cannot create a temporary file: " + EC.message());
  if (std::error_code EC = llvm::sys::fs::createTemporaryFile("torch-lint-git",
                                                              "err", ErrFile)) {
    (void)llvm::sys::fs::remove(OutFile); // Best effort.
    return usageError("cannot create a temporary file: " + EC.message());
  }
  std::vector<llvm::StringRef> Argv{*Git};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  const std::array<std::optional<llvm::StringRef>, 3> Redirects = {
      std::nullopt, OutFile.str(), ErrFile.str()};
  int RC = llvm::sys::ExecuteAndWait(*Git, Argv, std::nullopt, Redirects);
  auto Out = llvm::MemoryBuffer::getFile(OutFile);
  auto Err = llvm::MemoryBuffer::getFile(ErrFile);
  (void)llvm::sys::fs::remove(OutFile); // Best effort: temporary files.
  (void)llvm::sys::fs::remove(ErrFile);
  if (RC != 0) {
    std::string Message =
        Err ? (*Err)->getBuffer().split('\n').first.trim().str() : "";
    return usageError("git " + Args.front() + " failed" +
                      (Message.empty() ? std::string() : ": " + Message));
  }
  return Out ? (*Out)->getBuffer().str() : std::string();
}
} // namespace

llvm::Expected<LineFilter> LineFilter::fromGitDiff(llvm::StringRef Rev) {
  auto Top = git({"rev-parse", "--show-toplevel"});
  if (!Top)
    return Top.takeError();
  std::string Root = llvm::StringRef(*Top).trim().str();
  auto Diff = git(
      {"-C", Root, "diff", "-U0", "--no-color", "--no-ext-diff", Rev, "--"});
  if (!Diff)
    return usageError("cannot diff against '" + Rev +
                      "': " + llvm::toString(Diff.takeError()));
  LineFilter Filter;
  FileLines *Current = nullptr;
  llvm::SmallVector<llvm::StringRef> Lines;
  llvm::StringRef(*Diff).split(Lines, '\n');
  for (llvm::StringRef Line : Lines) {
    if (Line.consume_front("+++ ")) {
      Current = nullptr;
      if (Line.consume_front("b/")) {
        llvm::SmallString<256> Path(Root);
        llvm::sys::path::append(Path, Line);
        Filter.Files.push_back({std::string(Path), false, {}});
        Current = &Filter.Files.back();
      }
      continue;
    }
    if (!Current || !Line.consume_front("@@ "))
      continue;
    // @@ -a,b +c,d @@: lines c .. c+d-1 are new (d defaults to 1).
    llvm::StringRef Plus = Line.split(' ').second.split(' ').first;
    if (!Plus.consume_front("+"))
      continue;
    auto [StartText, CountText] = Plus.split(',');
    unsigned Start = 0, Count = 1;
    if (StartText.getAsInteger(10, Start) ||
        (!CountText.empty() && CountText.getAsInteger(10, Count)))
      continue;
    if (Count)
      Current->Ranges.emplace_back(Start, Start + Count - 1);
  }
  auto Untracked = git({"-C", Root, "ls-files", "--others",
                        "--exclude-standard", "--full-name"});
  if (!Untracked)
    return Untracked.takeError();
  llvm::SmallVector<llvm::StringRef> Names;
  llvm::StringRef(*Untracked).split(Names, '\n', -1, false);
  for (llvm::StringRef Name : Names) {
    llvm::SmallString<256> Path(Root);
    llvm::sys::path::append(Path, Name);
    Filter.Files.push_back({std::string(Path), true, {}});
  }
  for (FileLines &F : Filter.Files) {
    llvm::SmallString<256> Real;
    if (!llvm::sys::fs::real_path(F.Name, Real))
      F.Name = std::string(Real);
  }
  return Filter;
}

llvm::Expected<LineFilter> LineFilter::fromJson(llvm::StringRef Json) {
  auto Parsed = llvm::json::parse(Json);
  if (!Parsed)
    return usageError("invalid --line-filter: " +
                      llvm::toString(Parsed.takeError()));
  const llvm::json::Array *Items = Parsed->getAsArray();
  if (!Items)
    return usageError("invalid --line-filter: expected a JSON array");
  LineFilter Filter;
  Filter.Suffix = true;
  for (const llvm::json::Value &Item : *Items) {
    const llvm::json::Object *O = Item.getAsObject();
    std::optional<llvm::StringRef> Name =
        O ? O->getString("name") : std::nullopt;
    if (!Name)
      return usageError("invalid --line-filter: every entry needs a \"name\"");
    FileLines F{Name->str(), true, {}};
    if (const llvm::json::Array *Ranges = O->getArray("lines")) {
      F.AllLines = false;
      for (const llvm::json::Value &R : *Ranges) {
        const llvm::json::Array *Pair = R.getAsArray();
        const std::optional<int64_t> First = Pair && Pair->size() == 2
                                                 ? (*Pair)[0].getAsInteger()
                                                 : std::nullopt;
        const std::optional<int64_t> Last = Pair && Pair->size() == 2
                                                ? (*Pair)[1].getAsInteger()
                                                : std::nullopt;
        if (!First || !Last)
          return usageError(
              "invalid --line-filter: \"lines\" holds [first, last] pairs");
        F.Ranges.emplace_back(static_cast<unsigned>(*First),
                              static_cast<unsigned>(*Last));
      }
    }
    Filter.Files.push_back(std::move(F));
  }
  return Filter;
}

bool LineFilter::accepts(const Finding &F) const {
  for (const FileLines &Lines : Files) {
    bool Matches = Suffix ? llvm::StringRef(F.Where.File).ends_with(Lines.Name)
                          : F.Where.File == Lines.Name;
    if (!Matches)
      continue;
    if (Lines.AllLines)
      return true;
    for (const auto &[First, Last] : Lines.Ranges)
      if (F.Where.Line >= First && F.Where.Line <= Last)
        return true;
  }
  return false;
}

} // namespace clang::tidy::torch::lint
