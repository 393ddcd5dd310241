// SPDX-License-Identifier: Apache-2.0
// Fix-its: applying them in place (deduplicated, conflicts refused) and
// exporting them as YAML.
#include "Fixes.h"
#include "Output.h"
#include "clang/Tooling/Core/Diagnostic.h"
#include "clang/Tooling/Core/Replacement.h"
#include "clang/Tooling/DiagnosticsYaml.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"
#include <map>
#include <set>

namespace clang::tidy::torch::lint {
namespace {

struct PlacedEdit {
  const Edit *E;
  size_t Owner; // index into the findings with fixes
};

bool overlaps(const Edit &A, const Edit &B) {
  unsigned AEnd = A.Begin.Offset + A.Length, BEnd = B.Begin.Offset + B.Length;
  if (A.Begin.Offset == B.Begin.Offset)
    return true; // same place, different text: order would be arbitrary
  return A.Begin.Offset < BEnd && B.Begin.Offset < AEnd;
}

std::string describe(const Finding &F, const Edit &E) {
  std::string Text = llvm::StringRef(E.Text).split('\n').first.trim().str();
  std::string What;
  if (E.Length == 0)
    What = "inserting '" + Text + "'";
  else if (E.Text.empty())
    What = "removing " + std::to_string(E.Length) + " characters";
  else
    What = "replacing " + std::to_string(E.Length) + " characters with '" +
           Text + "'";
  return "[" + F.Check + "] at " + displayPath(F.Where.File) + ":" +
         std::to_string(F.Where.Line) + ":" + std::to_string(F.Where.Column) +
         " " + What;
}

llvm::Error writeAtomically(llvm::StringRef Path, llvm::StringRef Contents) {
  llvm::sys::fs::file_status Status;
  bool HaveStatus = !llvm::sys::fs::status(Path, Status);
  llvm::SmallString<256> Temp;
  int FD;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(
          Path + ".torch-lint-%%%%%%", FD, Temp))
    return llvm::createStringError(
        EC, "cannot create a temporary file next to '%s': %s",
        Path.str().c_str(), EC.message().c_str());
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Contents;
    OS.flush();
    if (OS.has_error()) {
      OS.clear_error();
      (void)llvm::sys::fs::remove(Temp); // Best effort; the error is reported.
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "cannot write '%s'", Temp.c_str());
    }
  }
  if (HaveStatus) {
    if (std::error_code EC =
            llvm::sys::fs::setPermissions(Temp, Status.permissions())) {
      (void)llvm::sys::fs::remove(Temp); // Best effort; the error is reported.
      return llvm::createStringError(EC,
                                     "cannot keep the permissions of '%s': %s",
                                     Path.str().c_str(), EC.message().c_str());
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Temp, Path)) {
    (void)llvm::sys::fs::remove(Temp); // Best effort; the error is reported.
    return llvm::createStringError(EC, "cannot replace '%s': %s",
                                   Path.str().c_str(), EC.message().c_str());
  }
  return llvm::Error::success();
}
} // namespace

FixOutcome applyFixes(const std::vector<Finding> &Findings) {
  FixOutcome Out;
  std::vector<const Finding *> Fixable;
  for (const Finding &F : Findings)
    if (!F.Fix.empty() && !F.isCompilerError())
      Fixable.push_back(&F);

  // Distinct edits per file; identical edits from several findings count once.
  std::map<std::string, std::vector<PlacedEdit>> ByFile;
  for (size_t I = 0; I < Fixable.size(); ++I)
    for (const Edit &E : Fixable[I]->Fix)
      ByFile[E.Begin.File].push_back({&E, I});

  std::set<size_t> Refused;
  for (auto &[File, Edits] : ByFile) {
    std::sort(Edits.begin(), Edits.end(),
              [](const PlacedEdit &A, const PlacedEdit &B) {
                return std::tie(A.E->Begin.Offset, A.E->Length, A.E->Text) <
                       std::tie(B.E->Begin.Offset, B.E->Length, B.E->Text);
              });
    for (size_t I = 0; I < Edits.size(); ++I)
      for (size_t J = I + 1; J < Edits.size(); ++J) {
        const Edit &A = *Edits[I].E, &B = *Edits[J].E;
        if (B.Begin.Offset > A.Begin.Offset + A.Length)
          break;
        bool Identical = A.Begin.Offset == B.Begin.Offset &&
                         A.Length == B.Length && A.Text == B.Text;
        if (Identical || Edits[I].Owner == Edits[J].Owner || !overlaps(A, B))
          continue;
        if (Refused.insert(Edits[I].Owner).second |
            Refused.insert(Edits[J].Owner).second)
          Out.Conflicts.push_back(
              "conflicting fixes in " + displayPath(File) + ":" +
              std::to_string(A.Begin.Line) + ": " +
              describe(*Fixable[Edits[I].Owner], A) + " and " +
              describe(*Fixable[Edits[J].Owner], B) + "; neither applied");
      }
  }

  for (auto &[File, Edits] : ByFile) {
    tooling::Replacements Replaces;
    std::set<std::tuple<unsigned, unsigned, std::string>> Seen;
    for (const PlacedEdit &P : Edits) {
      if (Refused.count(P.Owner) ||
          !Seen.insert({P.E->Begin.Offset, P.E->Length, P.E->Text}).second)
        continue;
      if (llvm::Error E = Replaces.add(tooling::Replacement(
              File, P.E->Begin.Offset, P.E->Length, P.E->Text))) {
        Out.Conflicts.push_back("cannot combine the fixes in " +
                                displayPath(File) + ": " +
                                llvm::toString(std::move(E)));
        Replaces = tooling::Replacements();
        break;
      }
    }
    if (Replaces.empty())
      continue;
    auto Buffer = llvm::MemoryBuffer::getFile(File);
    if (!Buffer) {
      Out.WriteErrors.push_back("cannot read '" + displayPath(File) + "'");
      continue;
    }
    llvm::StringRef Code = (*Buffer)->getBuffer();
    auto Fixed = tooling::applyAllReplacements(Code, Replaces);
    if (!Fixed) {
      Out.WriteErrors.push_back(llvm::toString(Fixed.takeError()));
      continue;
    }
    if (*Fixed == Code)
      continue;
    if (llvm::Error E = writeAtomically(File, *Fixed)) {
      Out.WriteErrors.push_back(llvm::toString(std::move(E)));
      continue;
    }
    Out.ChangedFiles.push_back(File);
  }
  return Out;
}

void exportFixes(llvm::raw_ostream &OS, const std::vector<Finding> &Findings) {
  tooling::TranslationUnitDiagnostics TUD;
  for (const Finding &F : Findings) {
    if (F.isCompilerError())
      continue;
    tooling::DiagnosticMessage Message(F.Message);
    Message.FilePath = F.Where.File;
    Message.FileOffset = F.Where.Offset;
    for (const Edit &E : F.Fix) {
      tooling::Replacement R(E.Begin.File, E.Begin.Offset, E.Length, E.Text);
      llvm::consumeError(Message.Fix[E.Begin.File].add(R));
    }
    llvm::SmallVector<tooling::DiagnosticMessage, 1> Notes;
    for (const Note &N : F.Notes) {
      tooling::DiagnosticMessage NM(N.Message);
      NM.FilePath = N.Where.File;
      NM.FileOffset = N.Where.Offset;
      Notes.push_back(std::move(NM));
    }
    TUD.Diagnostics.emplace_back(F.Check, Message, Notes,
                                 F.IsError ? tooling::Diagnostic::Error
                                           : tooling::Diagnostic::Warning,
                                 "");
  }
  llvm::yaml::Output YAML(OS);
  YAML << TUD;
}

} // namespace clang::tidy::torch::lint
