// SPDX-License-Identifier: Apache-2.0
// Machine output with llvm::json: a JSON array, SARIF 2.1.0 and GitHub workflow
// commands.
#include "Options.h"
#include "Output.h"
#include "RuleDocs.h"
#include "utils/LlvmCompat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include <map>

namespace clang::tidy::torch::lint {
namespace {

std::string ruleDescription(llvm::StringRef Check) {
  if (const RuleDoc *D = findRuleDoc(Check))
    return D->Row;
  if (Check == UnusedNolintCheck)
    return "NOLINT comment naming torch- checks that suppresses nothing";
  if (Check.starts_with("clang-diagnostic-"))
    return "Clang compiler diagnostic";
  return ("clang-tidy check " + Check).str();
}

std::string ruleHelp(llvm::StringRef Check) {
  if (const RuleDoc *D = findRuleDoc(Check))
    return std::string(TORCH_LINT_DOCS_URL) + D->Page;
  if (Check == UnusedNolintCheck)
    return std::string(TORCH_LINT_DOCS_URL) + "../ci.md";
  if (Check.starts_with("clang-diagnostic-"))
    return "https://clang.llvm.org/docs/DiagnosticsReference.html";
  if (Check.consume_front("clang-analyzer-"))
    return ("https://clang.llvm.org/extra/clang-tidy/checks/clang-analyzer/" +
            Check + ".html")
        .str();
  auto [Module, Name] = Check.split('-');
  return ("https://clang.llvm.org/extra/clang-tidy/checks/" + Module + "/" +
          Name + ".html")
      .str();
}

std::string fileUri(llvm::StringRef Path) {
  std::string Out;
  for (char C : Path) {
    if (llvm::isAlnum(C) || llvm::StringRef("/-_.~").contains(C))
      Out += C;
    else
      Out += llvm::formatv("%{0:X2}", static_cast<unsigned char>(C)).str();
  }
  return Out;
}

std::string cwdDir() {
  llvm::SmallString<256> Cwd;
  if (llvm::sys::fs::current_path(Cwd))
    return "";
  return std::string(Cwd) + "/";
}

llvm::json::Object artifact(llvm::StringRef File) {
  std::string Shown = displayPath(File);
  if (Shown != File)
    return llvm::json::Object{{"uri", fileUri(Shown)},
                              {"uriBaseId", "SRCROOT"}};
  return llvm::json::Object{{"uri", "file://" + fileUri(File)}};
}

llvm::json::Object physical(const Position &P) {
  llvm::json::Object Region{{"startLine", std::max(1u, P.Line)}};
  if (P.Column)
    Region["startColumn"] = P.Column;
  return llvm::json::Object{{"artifactLocation", artifact(P.File)},
                            {"region", std::move(Region)}};
}

llvm::json::Object sarifFix(const Finding &F) {
  std::map<std::string, llvm::json::Array> ByFile;
  for (const Edit &E : F.Fix) {
    llvm::json::Object Deleted{
        {"startLine", E.Begin.Line},    {"startColumn", E.Begin.Column},
        {"endLine", E.EndLine},         {"endColumn", E.EndColumn},
        {"charOffset", E.Begin.Offset}, {"charLength", E.Length}};
    ByFile[E.Begin.File].push_back(llvm::json::Object{
        {"deletedRegion", std::move(Deleted)},
        {"insertedContent", llvm::json::Object{{"text", E.Text}}}});
  }
  llvm::json::Array Changes;
  for (auto &[File, Replacements] : ByFile)
    Changes.push_back(
        llvm::json::Object{{"artifactLocation", artifact(File)},
                           {"replacements", std::move(Replacements)}});
  std::string Description =
      F.Safety == FixSafety::Unsafe
          ? "unsafe fix (changes what is computed; --fix-unsafe): " +
                F.FixMessage
          : std::string("safe fix (--fix): apply the fix-it");
  return llvm::json::Object{
      {"description", llvm::json::Object{{"text", Description}}},
      {"artifactChanges", std::move(Changes)},
      {"properties", llvm::json::Object{{"safety", fixSafetyName(F.Safety)}}}};
}

// Workflow command escaping: data escapes %, CR, LF; properties also : and ,.
std::string escapeData(llvm::StringRef S) {
  std::string Out;
  for (char C : S) {
    switch (C) {
    case '%':
      Out += "%25";
      break;
    case '\r':
      Out += "%0D";
      break;
    case '\n':
      Out += "%0A";
      break;
    default:
      Out += C;
    }
  }
  return Out;
}
std::string escapeProperty(llvm::StringRef S) {
  std::string Out;
  for (char C : escapeData(S)) {
    if (C == ':')
      Out += "%3A";
    else if (C == ',')
      Out += "%2C";
    else
      Out += C;
  }
  return Out;
}
} // namespace

void printJson(llvm::raw_ostream &OS, const std::vector<Finding> &Findings) {
  llvm::json::Array Items;
  for (const Finding &F : Findings)
    Items.push_back(toJSON(F));
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Items))) << "\n";
}

void printSarif(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
                const Summary &S) {
  std::map<std::string, unsigned> RuleIndex;
  for (const Finding &F : Findings)
    RuleIndex.emplace(F.Check, 0);
  llvm::json::Array Rules;
  unsigned Index = 0;
  for (auto &[Check, Idx] : RuleIndex) {
    Idx = Index++;
    std::string Description = ruleDescription(Check);
    Rules.push_back(llvm::json::Object{
        {"id", Check},
        {"shortDescription", llvm::json::Object{{"text", Description}}},
        {"fullDescription", llvm::json::Object{{"text", Description}}},
        {"helpUri", ruleHelp(Check)},
        {"help", llvm::json::Object{{"text", "See " + ruleHelp(Check)}}}});
  }
  llvm::json::Array Results;
  for (const Finding &F : Findings) {
    llvm::json::Object Result{
        {"ruleId", F.Check},
        {"ruleIndex", RuleIndex[F.Check]},
        {"level", F.IsError ? "error" : "warning"},
        {"message", llvm::json::Object{{"text", F.Message}}},
    };
    if (!F.Where.File.empty())
      Result["locations"] = llvm::json::Array{llvm::json::Object{
          {"physicalLocation",
           F.Where.Line ? physical(F.Where)
                        : llvm::json::Object{
                              {"artifactLocation", artifact(F.Where.File)}}}}};
    llvm::json::Array Related;
    unsigned Id = 0;
    for (const Note &N : F.Notes)
      if (!N.Where.File.empty())
        Related.push_back(llvm::json::Object{
            {"id", Id++},
            {"message", llvm::json::Object{{"text", N.Message}}},
            {"physicalLocation", physical(N.Where)}});
    if (!Related.empty())
      Result["relatedLocations"] = std::move(Related);
    if (!F.Fix.empty())
      Result["fixes"] = llvm::json::Array{sarifFix(F)};
    if (!F.Fingerprint.empty())
      Result["partialFingerprints"] =
          llvm::json::Object{{FingerprintKey, F.Fingerprint}};
    if (F.Baseline != BaselineState::None)
      Result["baselineState"] = baselineStateName(F.Baseline);
    if (F.Suppressed) {
      llvm::json::Object Suppression{{"kind", "inSource"}};
      if (!F.Justification.empty())
        Suppression["justification"] = F.Justification;
      Result["suppressions"] = llvm::json::Array{std::move(Suppression)};
    }
    if (!F.Function.empty())
      Result["properties"] = llvm::json::Object{{"function", F.Function}};
    Results.push_back(std::move(Result));
  }
  llvm::json::Array Notifications;
  for (const auto &[File, Reason] : S.Failed)
    Notifications.push_back(llvm::json::Object{
        {"level", "error"},
        {"message",
         llvm::json::Object{{"text", displayPath(File) + ": " + Reason}}},
        {"locations",
         llvm::json::Array{llvm::json::Object{
             {"physicalLocation",
              llvm::json::Object{{"artifactLocation", artifact(File)}}}}}}});
  llvm::json::Object Driver{
      {"name", "torch-lint"},
      {"version", TORCH_TIDY_VERSION},
      {"semanticVersion", TORCH_TIDY_VERSION},
      {"fullName", versionString()},
      {"properties",
       llvm::json::Object{{"llvmVersion", compat::llvmVersion()}}},
      {"informationUri", TORCH_LINT_DOCS_URL},
      {"rules", std::move(Rules)}};
  llvm::json::Object Invocation{
      {"executionSuccessful", S.Failed.empty()},
      {"toolExecutionNotifications", std::move(Notifications)}};
  llvm::json::Object Run{
      {"tool", llvm::json::Object{{"driver", std::move(Driver)}}},
      {"originalUriBaseIds",
       llvm::json::Object{
           {"SRCROOT",
            llvm::json::Object{{"uri", "file://" + fileUri(cwdDir())}}}}},
      {"invocations", llvm::json::Array{std::move(Invocation)}},
      {"results", std::move(Results)}};
  llvm::json::Object Log{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(Run)}}};
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(Log))) << "\n";
}

void printGithub(llvm::raw_ostream &OS, const std::vector<Finding> &Findings) {
  for (const Finding &F : Findings) {
    std::string Message = F.Message;
    for (const Note &N : F.Notes)
      Message +=
          "\nnote: " +
          (N.Where.File.empty() ? std::string()
                                : displayPath(N.Where.File) + ":" +
                                      std::to_string(N.Where.Line) + ": ") +
          N.Message;
    OS << "::" << (F.IsError ? "error" : "warning");
    if (!F.Where.File.empty())
      OS << " file=" << escapeProperty(displayPath(F.Where.File))
         << ",line=" << F.Where.Line << ",col=" << F.Where.Column << ",";
    else
      OS << " ";
    OS << "title=" << escapeProperty(F.Check) << "::" << escapeData(Message)
       << "\n";
  }
}

} // namespace clang::tidy::torch::lint
