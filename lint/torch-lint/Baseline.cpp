// SPDX-License-Identifier: Apache-2.0
// Baselines: the findings a project has accepted for now, identified by what
// survives edits elsewhere in the file (check, file, function, statement).
#include "Baseline.h"
#include "utils/LlvmCompat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <tuple>

namespace clang::tidy::torch::lint {
namespace {
constexpr unsigned FormatVersion = 1;
constexpr llvm::StringLiteral TextHeader = "# torch-lint baseline, format ";

std::string relativeTo(llvm::StringRef File, llvm::StringRef BaseDir) {
  if (!BaseDir.empty() && File.starts_with(BaseDir) &&
      File.size() > BaseDir.size() &&
      llvm::sys::path::is_separator(File[BaseDir.size()]))
    return File.drop_front(BaseDir.size() + 1).str();
  return File.str();
}

llvm::Error baselineError(llvm::StringRef Path, const llvm::Twine &Message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "baseline '" + Path + "' " + Message);
}

llvm::Expected<std::vector<Identity>> parseJson(llvm::StringRef Path,
                                                llvm::StringRef Text) {
  llvm::Expected<llvm::json::Value> Parsed = llvm::json::parse(Text);
  if (!Parsed)
    return baselineError(Path, "is not valid JSON: " +
                                   llvm::toString(Parsed.takeError()));
  const llvm::json::Object *Root = Parsed->getAsObject();
  std::optional<int64_t> Version =
      Root ? Root->getInteger("version") : std::nullopt;
  if (!Version)
    return baselineError(Path, "has no \"version\"");
  if (*Version != FormatVersion)
    return baselineError(Path, "has format version " + llvm::Twine(*Version) +
                                   "; this torch-lint reads version " +
                                   llvm::Twine(FormatVersion));
  const llvm::json::Array *Findings = Root->getArray("findings");
  if (!Findings)
    return baselineError(Path, "has no \"findings\" array");
  std::vector<Identity> Out;
  for (const llvm::json::Value &V : *Findings) {
    Identity Id;
    int64_t Occurrence = 0;
    llvm::json::Path::Root R;
    llvm::json::ObjectMapper O(V, R);
    if (!O || !O.map("check", Id.Check) || !O.map("file", Id.File) ||
        !O.map("function", Id.Function) || !O.map("statement", Id.Statement) ||
        !O.map("occurrence", Occurrence) || Occurrence < 1)
      return baselineError(Path, "has a finding without check, file, "
                                 "function, statement and occurrence");
    Id.Occurrence = static_cast<unsigned>(Occurrence);
    Out.push_back(std::move(Id));
  }
  return Out;
}

llvm::Expected<std::vector<Identity>> parseText(llvm::StringRef Path,
                                                llvm::StringRef Text) {
  llvm::SmallVector<llvm::StringRef> Lines;
  Text.split(Lines, '\n');
  llvm::StringRef First = Lines.empty() ? "" : Lines.front().rtrim('\r');
  unsigned Version = 0;
  if (!First.consume_front(TextHeader) || First.getAsInteger(10, Version))
    return baselineError(Path, "does not start with '" + TextHeader +
                                   "N' (write one with --write-baseline)");
  if (Version != FormatVersion)
    return baselineError(Path, "has format version " + llvm::Twine(Version) +
                                   "; this torch-lint reads version " +
                                   llvm::Twine(FormatVersion));
  std::vector<Identity> Out;
  for (size_t I = 1; I < Lines.size(); ++I) {
    llvm::StringRef Line = Lines[I].rtrim('\r');
    if (Line.empty() || Line.starts_with("#"))
      continue;
    llvm::SmallVector<llvm::StringRef, 5> Fields;
    Line.split(Fields, '\t');
    Identity Id;
    if (Fields.size() != 5 || Fields[4].getAsInteger(10, Id.Occurrence) ||
        Id.Occurrence == 0)
      return baselineError(Path, "line " + llvm::Twine(I + 1) +
                                     ": expected check, file, function, "
                                     "statement and occurrence, separated "
                                     "by tabs");
    Id.Check = Fields[0].str();
    Id.File = Fields[1].str();
    Id.Function = Fields[2].str();
    Id.Statement = Fields[3].str();
    Out.push_back(std::move(Id));
  }
  return Out;
}
} // namespace

std::string Identity::line() const {
  return Check + '\t' + File + '\t' + Function + '\t' + Statement + '\t' +
         std::to_string(Occurrence);
}

std::vector<Identity> identify(const std::vector<Finding> &Findings,
                               llvm::StringRef BaseDir) {
  std::vector<Identity> Out;
  std::map<std::string, unsigned> Seen;
  for (const Finding &F : Findings) {
    Identity Id;
    if (F.isCompilerError()) {
      Out.push_back(std::move(Id));
      continue;
    }
    Id.Check = F.Check;
    Id.File = relativeTo(F.Where.File, BaseDir);
    Id.Function = F.Function;
    // Tabs and newlines are collapsed already; keep the format line-based.
    Id.Statement = F.Statement;
    std::string Key = (F.Suppressed ? "s\t" : "f\t") + Id.line();
    Id.Occurrence = ++Seen[Key];
    Out.push_back(std::move(Id));
  }
  return Out;
}

std::string fingerprint(const Identity &Id) {
  return llvm::utohexstr(compat::stableHash64(Id.line()), /*LowerCase=*/true,
                         /*Width=*/16);
}

std::string baselineDir(llvm::StringRef Path) {
  llvm::SmallString<256> Abs(Path);
  (void)llvm::sys::fs::make_absolute(Abs); // best effort: else relative
  llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
  llvm::StringRef Dir = llvm::sys::path::parent_path(Abs);
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Dir, Real))
    return std::string(Real);
  return Dir.str();
}

llvm::Error writeBaseline(llvm::StringRef Path,
                          const std::vector<Identity> &Entries) {
  std::vector<Identity> Sorted = Entries;
  std::sort(
      Sorted.begin(), Sorted.end(), [](const Identity &A, const Identity &B) {
        return std::tie(A.File, A.Check, A.Function, A.Statement,
                        A.Occurrence) <
               std::tie(B.File, B.Check, B.Function, B.Statement, B.Occurrence);
      });
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  if (EC)
    return llvm::createStringError(EC, "cannot write baseline '%s': %s",
                                   Path.str().c_str(), EC.message().c_str());
  if (Path.ends_with(".json")) {
    llvm::json::Array Findings;
    for (const Identity &Id : Sorted)
      Findings.push_back(llvm::json::Object{{"check", Id.Check},
                                            {"file", Id.File},
                                            {"function", Id.Function},
                                            {"statement", Id.Statement},
                                            {"occurrence", Id.Occurrence}});
    OS << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                     {"format", "torch-lint baseline"},
                                     {"version", FormatVersion},
                                     {"findings", std::move(Findings)}}))
       << "\n";
  } else {
    OS << TextHeader << FormatVersion << "\n"
       << "# Written by torch-lint --write-baseline; read by --baseline. One "
          "accepted finding per line:\n"
       << "# check, file, function, statement (without whitespace), "
          "occurrence; separated by tabs.\n";
    for (const Identity &Id : Sorted)
      OS << Id.line() << "\n";
  }
  OS.close();
  if (OS.has_error()) {
    OS.clear_error();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot write baseline '%s'",
                                   Path.str().c_str());
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<Identity>> readBaseline(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return llvm::createStringError(
        Buffer.getError(), "cannot read baseline '%s': %s", Path.str().c_str(),
        Buffer.getError().message().c_str());
  llvm::StringRef Text = (*Buffer)->getBuffer();
  if (Text.ltrim().starts_with("{"))
    return parseJson(Path, Text);
  return parseText(Path, Text);
}

} // namespace clang::tidy::torch::lint
