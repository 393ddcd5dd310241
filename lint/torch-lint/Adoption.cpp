// SPDX-License-Identifier: Apache-2.0
// What a project adopting torch-lint needs after the units ran: NOLINT
// justifications, unused NOLINTs, identities and the baseline.
#include "Adoption.h"
#include "Analysis.h"
#include "Nolint.h"
#include "clang-tidy/ClangTidy.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <map>

namespace clang::tidy::torch::lint {
namespace {

/// A file's text, its line starts and its NOLINT directives, read once.
struct SourceFile {
  std::unique_ptr<llvm::MemoryBuffer> Buffer;
  std::vector<unsigned> Starts;
  std::vector<NolintDirective> Directives;

  Position at(llvm::StringRef File, unsigned Offset) const {
    Position P;
    P.File = File.str();
    P.Offset = Offset;
    auto It = std::upper_bound(Starts.begin(), Starts.end(), Offset);
    unsigned Index = It - Starts.begin() - 1;
    P.Line = Index + 1;
    P.Column = Offset - Starts[Index] + 1;
    return P;
  }
  std::string lineText(unsigned Line) const {
    if (Line == 0 || Line > Starts.size())
      return "";
    llvm::StringRef Rest = Buffer->getBuffer().substr(Starts[Line - 1]);
    return Rest.take_until([](char C) { return C == '\n' || C == '\r'; }).str();
  }
};

class SourceFiles {
public:
  const SourceFile *get(const std::string &Path) {
    auto It = Files.find(Path);
    if (It == Files.end()) {
      SourceFile F;
      if (auto Buf = llvm::MemoryBuffer::getFile(Path)) {
        F.Buffer = std::move(*Buf);
        llvm::StringRef Text = F.Buffer->getBuffer();
        F.Starts.push_back(0);
        for (size_t I = 0; I < Text.size(); ++I)
          if (Text[I] == '\n')
            F.Starts.push_back(I + 1);
        F.Directives = parseNolints(Text);
      }
      It = Files.try_emplace(Path, std::move(F)).first;
    }
    return It->second.Buffer ? &It->second : nullptr;
  }

private:
  std::map<std::string, SourceFile> Files;
};

std::string realPath(llvm::StringRef Path) {
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Path, Real))
    return std::string(Real);
  return Path.str();
}

Edit removal(const SourceFile &Source, const std::string &File,
             const NolintDirective &D) {
  Edit E;
  E.Begin = Source.at(File, D.RemoveOffset);
  E.Length = D.RemoveLength;
  Position End = Source.at(File, D.RemoveOffset + D.RemoveLength);
  E.EndLine = End.Line;
  E.EndColumn = End.Column;
  return E;
}
} // namespace

void annotateSuppressions(std::vector<Finding> &Findings) {
  SourceFiles Files;
  for (Finding &F : Findings) {
    if (!F.Suppressed)
      continue;
    const SourceFile *Source = Files.get(F.Where.File);
    if (!Source)
      continue;
    if (const NolintDirective *D =
            suppressingDirective(Source->Directives, F.Where.Line, F.Check))
      F.Justification = D->Justification;
  }
}

std::vector<Finding> unusedNolints(const std::vector<Finding> &Findings,
                                   const std::vector<Unit> &Units,
                                   const std::vector<UnitResult> &Results,
                                   const LintOptions &Opts) {
  std::map<std::string, std::vector<const Finding *>> SuppressedIn;
  for (const Finding &F : Findings)
    if (F.Suppressed)
      SuppressedIn[F.Where.File].push_back(&F);
  SourceFiles Files;
  llvm::StringSet<> Done;
  std::vector<Finding> Out;
  for (size_t I = 0; I < Units.size() && I < Results.size(); ++I) {
    if (Results[I].State == UnitResult::Status::Failed ||
        Results[I].State == UnitResult::Status::Skipped)
      continue;
    std::string File = realPath(Units[I].File);
    if (!Done.insert(File).second)
      continue;
    const SourceFile *Source = Files.get(File);
    if (!Source || Source->Directives.empty())
      continue;
    std::vector<std::string> Enabled = getCheckNames(
        createOptionsProvider(Opts, Units[I].Commands.front().Directory)
            ->getOptions(Units[I].File),
        /*AllowEnablingAnalyzerAlphaCheckers=*/false);
    const std::vector<NolintDirective> &Directives = Source->Directives;
    std::vector<bool> Used(Directives.size());
    for (const Finding *F : SuppressedIn[File])
      if (const NolintDirective *D =
              suppressingDirective(Directives, F->Where.Line, F->Check))
        Used[D - Directives.data()] = true;
    for (size_t J = 0; J < Directives.size(); ++J) {
      const NolintDirective &D = Directives[J];
      if (Used[J] || D.Type == NolintDirective::Kind::End ||
          !D.namesOnlyTorchChecks() ||
          llvm::none_of(Enabled,
                        [&](const std::string &Name) { return D.names(Name); }))
        continue;
      const NolintDirective *End = nullptr;
      if (D.Type == NolintDirective::Kind::Begin) {
        if (D.Partner < 0)
          continue; // an unmatched NOLINTBEGIN is clang-tidy's error already
        End = &Directives[D.Partner];
      }
      Finding F;
      F.Check = UnusedNolintCheck.str();
      F.Message = "'" + D.Spelling + "'" +
                  (End ? " and its '" + End->Spelling + "'" : std::string()) +
                  " suppress" + (End ? "" : "es") + " no finding";
      F.Where = Source->at(File, D.Offset);
      F.LineText = Source->lineText(D.Line);
      F.Fix.push_back(removal(*Source, File, D));
      if (End)
        F.Fix.push_back(removal(*Source, File, *End));
      F.Safety = FixSafety::Safe;
      F.Statement = collapseWhitespace(D.Spelling);
      Out.push_back(std::move(F));
    }
  }
  return Out;
}

std::vector<Finding> applyBaseline(std::vector<Finding> &Findings,
                                   const std::vector<Identity> *Baseline,
                                   const std::vector<Identity> &Ids,
                                   llvm::StringRef BaseDir,
                                   const std::vector<UnitResult> &Results,
                                   Summary &S) {
  for (size_t I = 0; I < Findings.size(); ++I)
    if (!Findings[I].isCompilerError())
      Findings[I].Fingerprint = fingerprint(Ids[I]);
  std::vector<Finding> Gone;
  if (!Baseline)
    return Gone;
  S.HaveBaseline = true;
  std::map<std::string, std::vector<const Identity *>> Remaining;
  for (const Identity &Id : *Baseline)
    Remaining[Id.line()].push_back(&Id);
  llvm::StringSet<> Linted;
  for (size_t I = 0; I < Findings.size(); ++I) {
    Finding &F = Findings[I];
    if (F.isCompilerError() || F.Suppressed)
      continue;
    Linted.insert(F.Where.File);
    auto It = Remaining.find(Ids[I].line());
    if (It != Remaining.end() && !It->second.empty()) {
      It->second.pop_back();
      F.Baseline = BaselineState::Unchanged;
      ++S.Baselined;
    } else {
      F.Baseline = BaselineState::New;
    }
  }
  for (const UnitResult &R : Results)
    if (R.State != UnitResult::Status::Failed)
      Linted.insert(realPath(R.File));
  for (auto &[Line, Entries] : Remaining)
    for (const Identity *Id : Entries) {
      std::string Abs = llvm::sys::path::is_absolute(Id->File)
                            ? Id->File
                            : (BaseDir + "/" + Id->File).str();
      if (!Linted.contains(Abs))
        continue;
      ++S.BaselineGone;
      Finding F;
      F.Check = Id->Check;
      F.Message = "baselined finding is gone" +
                  (Id->Function.empty() ? std::string()
                                        : " from '" + Id->Function + "'") +
                  ": " + Id->Statement;
      F.Where.File = Abs;
      F.Function = Id->Function;
      F.Statement = Id->Statement;
      F.Baseline = BaselineState::Absent;
      F.Fingerprint = fingerprint(*Id);
      Gone.push_back(std::move(F));
    }
  return Gone;
}

} // namespace clang::tidy::torch::lint
