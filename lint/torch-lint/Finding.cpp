// SPDX-License-Identifier: Apache-2.0
// One reported diagnostic with resolved positions, independent of the
// translation unit.
#include "Finding.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <algorithm>
#include <tuple>

namespace clang::tidy::torch::lint {
namespace {

/// Files read once per conversion, with their line starts.
class LineTable {
public:
  void resolve(Position &P) {
    const Entry *E = get(P.File);
    if (!E)
      return;
    auto It = std::upper_bound(E->Starts.begin(), E->Starts.end(), P.Offset);
    unsigned Index = It - E->Starts.begin() - 1;
    P.Line = Index + 1;
    P.Column = P.Offset - E->Starts[Index] + 1;
  }
  std::string lineText(const Position &P) {
    const Entry *E = get(P.File);
    if (!E || P.Line == 0 || P.Line > E->Starts.size())
      return "";
    unsigned Begin = E->Starts[P.Line - 1];
    llvm::StringRef Rest = E->Buffer->getBuffer().substr(Begin);
    return Rest.take_until([](char C) { return C == '\n' || C == '\r'; }).str();
  }

private:
  struct Entry {
    std::unique_ptr<llvm::MemoryBuffer> Buffer;
    std::vector<unsigned> Starts;
  };
  const Entry *get(const std::string &File) {
    if (File.empty())
      return nullptr;
    auto It = Files.find(File);
    if (It == Files.end()) {
      Entry E;
      if (auto Buf = llvm::MemoryBuffer::getFile(File)) {
        E.Buffer = std::move(*Buf);
        llvm::StringRef Text = E.Buffer->getBuffer();
        E.Starts.push_back(0);
        for (size_t I = 0; I < Text.size(); ++I)
          if (Text[I] == '\n')
            E.Starts.push_back(I + 1);
      }
      It = Files.try_emplace(File, std::move(E)).first;
    }
    return It->second.Buffer ? &It->second : nullptr;
  }
  llvm::StringMap<Entry> Files;
};

std::string absolute(llvm::StringRef Path, llvm::StringRef BuildDir) {
  if (Path.empty())
    return "";
  llvm::SmallString<256> Abs(Path);
  if (!llvm::sys::path::is_absolute(Abs) && !BuildDir.empty())
    llvm::sys::fs::make_absolute(BuildDir, Abs);
  // Lexical ".." removal is wrong across symbolic links: ask the file system.
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Abs, Real))
    return std::string(Real);
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/false);
  return std::string(Abs);
}

Position position(const tooling::DiagnosticMessage &M, llvm::StringRef BuildDir,
                  LineTable &T) {
  Position P;
  P.File = absolute(M.FilePath, BuildDir);
  P.Offset = M.FileOffset;
  T.resolve(P);
  return P;
}

void addFix(const tooling::DiagnosticMessage &M, llvm::StringRef BuildDir,
            LineTable &T, std::vector<Edit> &Out) {
  for (const auto &FileFix : M.Fix)
    for (const tooling::Replacement &R : FileFix.second) {
      Edit E;
      E.Begin.File = absolute(R.getFilePath(), BuildDir);
      E.Begin.Offset = R.getOffset();
      E.Length = R.getLength();
      E.Text = R.getReplacementText().str();
      T.resolve(E.Begin);
      Position End = E.Begin;
      End.Offset += E.Length;
      T.resolve(End);
      E.EndLine = End.Line;
      E.EndColumn = End.Column;
      Out.push_back(std::move(E));
    }
  std::sort(Out.begin(), Out.end(), [](const Edit &A, const Edit &B) {
    return std::tie(A.Begin.File, A.Begin.Offset) <
           std::tie(B.Begin.File, B.Begin.Offset);
  });
}

llvm::json::Object positionJSON(const Position &P) {
  return llvm::json::Object{{"file", P.File},
                            {"offset", P.Offset},
                            {"line", P.Line},
                            {"column", P.Column}};
}

bool mapUnsigned(const llvm::json::Value &V, llvm::StringRef Key,
                 unsigned &Out) {
  const llvm::json::Object *O = V.getAsObject();
  std::optional<int64_t> N = O ? O->getInteger(Key) : std::nullopt;
  if (!N || *N < 0)
    return false;
  Out = static_cast<unsigned>(*N);
  return true;
}

bool positionFromJSON(const llvm::json::Value &V, Position &P,
                      llvm::json::Path Path) {
  llvm::json::ObjectMapper O(V, Path);
  return O && O.map("file", P.File) && mapUnsigned(V, "offset", P.Offset) &&
         mapUnsigned(V, "line", P.Line) && mapUnsigned(V, "column", P.Column);
}
} // namespace

std::string Finding::key() const {
  std::string K =
      Check + '\0' + Where.File + '\0' + std::to_string(Where.Offset) + '\0' +
      Message +
      (Suppressed ? std::string(1, '\0') + "suppressed" : std::string());
  for (const Edit &E : Fix)
    K += '\0' + E.Begin.File + ':' + std::to_string(E.Begin.Offset) + ':' +
         std::to_string(E.Length) + ':' + E.Text;
  return K;
}

std::vector<Finding> convertErrors(const std::vector<ClangTidyError> &Errors) {
  LineTable Table;
  std::vector<Finding> Out;
  for (const ClangTidyError &E : Errors) {
    Finding F;
    F.Check = E.DiagnosticName;
    F.IsError = E.DiagLevel == tooling::Diagnostic::Error || E.IsWarningAsError;
    F.WarningAsError = E.IsWarningAsError;
    F.Message = E.Message.Message;
    F.Where = position(E.Message, E.BuildDirectory, Table);
    F.LineText = Table.lineText(F.Where);
    for (const tooling::DiagnosticMessage &N : E.Notes) {
      Note Converted{N.Message, position(N, E.BuildDirectory, Table), ""};
      Converted.LineText = Table.lineText(Converted.Where);
      F.Notes.push_back(std::move(Converted));
    }
    if (!E.Message.Fix.empty()) {
      addFix(E.Message, E.BuildDirectory, Table, F.Fix);
      F.Safety = FixSafety::Safe;
    } else {
      // As clang-tidy --fix-notes: the fix of the only note that has one.
      const tooling::DiagnosticMessage *FixNote = nullptr;
      unsigned WithFix = 0;
      for (const tooling::DiagnosticMessage &N : E.Notes)
        if (!N.Fix.empty()) {
          FixNote = &N;
          ++WithFix;
        }
      if (WithFix == 1) {
        addFix(*FixNote, E.BuildDirectory, Table, F.Fix);
        F.Safety = FixSafety::Unsafe;
        F.FixMessage = FixNote->Message;
      }
    }
    Out.push_back(std::move(F));
  }
  return Out;
}

llvm::json::Value toJSON(const Finding &F) {
  llvm::json::Array Notes, Fix;
  for (const Note &N : F.Notes) {
    llvm::json::Object O = positionJSON(N.Where);
    O["message"] = N.Message;
    O["source"] = N.LineText;
    Notes.push_back(std::move(O));
  }
  for (const Edit &E : F.Fix) {
    llvm::json::Object O = positionJSON(E.Begin);
    O["length"] = E.Length;
    O["end_line"] = E.EndLine;
    O["end_column"] = E.EndColumn;
    O["replacement"] = E.Text;
    Fix.push_back(std::move(O));
  }
  llvm::json::Object O = positionJSON(F.Where);
  O["check"] = F.Check;
  O["severity"] = F.IsError ? "error" : "warning";
  O["warning_as_error"] = F.WarningAsError;
  O["message"] = F.Message;
  O["source"] = F.LineText;
  O["notes"] = std::move(Notes);
  O["fixes"] = std::move(Fix);
  O["fix_safety"] = fixSafetyName(F.Safety);
  if (!F.FixMessage.empty())
    O["fix_message"] = F.FixMessage;
  O["function"] = F.Function;
  O["statement"] = F.Statement;
  if (F.Suppressed)
    O["suppressed"] = llvm::json::Object{{"kind", "inSource"},
                                         {"justification", F.Justification}};
  if (F.Baseline != BaselineState::None)
    O["baseline_state"] = baselineStateName(F.Baseline);
  if (!F.Fingerprint.empty())
    O["fingerprint"] = F.Fingerprint;
  return O;
}

llvm::StringRef baselineStateName(BaselineState S) {
  switch (S) {
  case BaselineState::None:
    return "none";
  case BaselineState::New:
    return "new";
  case BaselineState::Unchanged:
    return "unchanged";
  case BaselineState::Absent:
    return "absent";
  }
  return "none";
}

llvm::StringRef fixSafetyName(FixSafety S) {
  switch (S) {
  case FixSafety::None:
    return "none";
  case FixSafety::Safe:
    return "safe";
  case FixSafety::Unsafe:
    return "unsafe";
  }
  return "none";
}

bool fromJSON(const llvm::json::Value &V, Finding &F, llvm::json::Path P) {
  llvm::json::ObjectMapper O(V, P);
  std::string Severity;
  if (!O || !O.map("check", F.Check) || !O.map("severity", Severity) ||
      !O.map("warning_as_error", F.WarningAsError) ||
      !O.map("message", F.Message) || !O.map("source", F.LineText) ||
      !positionFromJSON(V, F.Where, P))
    return false;
  F.IsError = Severity == "error";
  const llvm::json::Object *Obj = V.getAsObject();
  std::string Safety;
  if (!O.map("fix_safety", Safety) || !O.map("function", F.Function) ||
      !O.map("statement", F.Statement))
    return false;
  F.Safety = FixSafety::None;
  if (Safety == "safe")
    F.Safety = FixSafety::Safe;
  else if (Safety == "unsafe")
    F.Safety = FixSafety::Unsafe;
  if (std::optional<llvm::StringRef> Message = Obj->getString("fix_message"))
    F.FixMessage = Message->str();
  if (const llvm::json::Object *Suppressed = Obj->getObject("suppressed")) {
    F.Suppressed = true;
    if (std::optional<llvm::StringRef> Why =
            Suppressed->getString("justification"))
      F.Justification = Why->str();
  }
  if (const llvm::json::Array *Notes = Obj->getArray("notes"))
    for (const llvm::json::Value &NV : *Notes) {
      Note N;
      llvm::json::ObjectMapper NO(NV, P);
      if (!NO || !NO.map("message", N.Message) ||
          !NO.map("source", N.LineText) || !positionFromJSON(NV, N.Where, P))
        return false;
      F.Notes.push_back(std::move(N));
    }
  if (const llvm::json::Array *Fixes = Obj->getArray("fixes"))
    for (const llvm::json::Value &EV : *Fixes) {
      Edit E;
      llvm::json::ObjectMapper EO(EV, P);
      if (!EO || !mapUnsigned(EV, "length", E.Length) ||
          !mapUnsigned(EV, "end_line", E.EndLine) ||
          !mapUnsigned(EV, "end_column", E.EndColumn) ||
          !EO.map("replacement", E.Text) || !positionFromJSON(EV, E.Begin, P))
        return false;
      F.Fix.push_back(std::move(E));
    }
  return true;
}

void sortAndDedup(std::vector<Finding> &Findings) {
  std::stable_sort(Findings.begin(), Findings.end(),
                   [](const Finding &A, const Finding &B) {
                     return std::tie(A.Where.File, A.Where.Line, A.Where.Column,
                                     A.Check, A.Message) <
                            std::tie(B.Where.File, B.Where.Line, B.Where.Column,
                                     B.Check, B.Message);
                   });
  llvm::StringSet<> Seen;
  std::vector<Finding> Unique;
  for (Finding &F : Findings)
    if (Seen.insert(F.key()).second)
      Unique.push_back(std::move(F));
  Findings = std::move(Unique);
}

} // namespace clang::tidy::torch::lint
