// SPDX-License-Identifier: Apache-2.0
// The torch- checks inside the compiler: `clang++-19 -fplugin=` runs them
// after the main action and reports their findings as compiler diagnostics.

#include "TorchTidyModule.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticIDs.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Tooling/Core/Diagnostic.h"
#include "llvm/Support/PrettyStackTrace.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::torch {
namespace {

/// The plugin's name, as in `-fplugin-arg-torchtidy-checks=...`; the driver
/// splits the name off at its first '-', so it has none.
constexpr llvm::StringLiteral PluginName = "torchtidy";

/// The plugin arguments, in clang-tidy's terms.
struct PluginOptions {
  std::optional<std::string> Checks;
  std::optional<std::string> Config;
};

/// clang-tidy's option sources, as `torch-lint` and `torch-tidy` see them:
/// the `.clang-tidy` files above the file (or `config=`), `checks=` on top,
/// and the `torch-*` checks when nothing says otherwise.
std::unique_ptr<ClangTidyOptionsProvider>
createOptionsProvider(const PluginOptions &Opts,
                      llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
  ClangTidyOptions Defaults = ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,torch-*";
  Defaults.WarningsAsErrors = "";
  Defaults.HeaderFilterRegex = "";
  Defaults.SystemHeaders = false;
  Defaults.User = llvm::sys::Process::GetEnv("USER");
  ClangTidyOptions Overrides;
  // Only the torch- module is linked in; the static analyzer, which clang-tidy
  // would run for clang-analyzer-* globs, has no place inside a compile.
  Overrides.Checks =
      (Opts.Checks ? *Opts.Checks + "," : std::string()) + "-clang-analyzer-*";
  ClangTidyGlobalOptions Global;
  if (Opts.Config) {
    llvm::ErrorOr<ClangTidyOptions> Parsed =
        parseConfiguration(llvm::MemoryBufferRef(*Opts.Config, "config"));
    if (Parsed)
      return std::make_unique<ConfigOptionsProvider>(Global, Defaults, *Parsed,
                                                     Overrides, std::move(FS));
  }
  return std::make_unique<FileOptionsProvider>(Global, Defaults, Overrides,
                                               std::move(FS));
}

/// Runs clang-tidy's consumer for the enabled checks after the compiler's own
/// consumer, then reports what clang-tidy's diagnostic consumer kept (after
/// `NOLINT`, the header filter and `WarningsAsErrors`) through the compiler's
/// diagnostics engine, so that the compiler prints, counts and caches them.
class TidyConsumer : public ASTConsumer {
public:
  TidyConsumer(CompilerInstance &CI, llvm::StringRef File,
               const PluginOptions &Opts)
      : CI(CI), File(File.str()),
        Context(createOptionsProvider(
            Opts, &CI.getFileManager().getVirtualFileSystem())),
        Consumer(Context),
        Engine(new DiagnosticIDs, new DiagnosticOptions, &Consumer,
               /*ShouldOwnClient=*/false),
        Factory(Context) {
    Context.setDiagnosticsEngine(&Engine);
    // The torch- checks make fatal errors ordinary ones so that clang-tidy
    // keeps going past a missing header (checks/TorchCheck.h); inside the
    // compiler, the compile must stop where the compiler stops.
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    const bool FatalsAsError = Diags.getFatalsAsError();
    Checks = Factory.createASTConsumer(CI, File);
    Diags.setFatalsAsError(FatalsAsError);
  }

  void Initialize(ASTContext &Ctx) override { Checks->Initialize(Ctx); }
  bool HandleTopLevelDecl(DeclGroupRef D) override {
    return Checks->HandleTopLevelDecl(D);
  }
  void HandleInterestingDecl(DeclGroupRef D) override {
    Checks->HandleInterestingDecl(D);
  }
  void HandleTopLevelDeclInObjCContainer(DeclGroupRef D) override {
    Checks->HandleTopLevelDeclInObjCContainer(D);
  }
  void HandleInlineFunctionDefinition(FunctionDecl *D) override {
    Checks->HandleInlineFunctionDefinition(D);
  }
  void HandleTagDeclDefinition(TagDecl *D) override {
    Checks->HandleTagDeclDefinition(D);
  }
  void HandleCXXStaticMemberVarInstantiation(VarDecl *D) override {
    Checks->HandleCXXStaticMemberVarInstantiation(D);
  }
  void HandleImplicitImportDecl(ImportDecl *D) override {
    Checks->HandleImplicitImportDecl(D);
  }
  void CompleteTentativeDefinition(VarDecl *D) override {
    Checks->CompleteTentativeDefinition(D);
  }

  void HandleTranslationUnit(ASTContext &Ctx) override {
    // A unit that does not compile fails exactly as it would without the
    // plugin: its AST may be incomplete, so the checks do not look at it.
    // (Warnings promoted by -Werror are no such errors.)
    if (CI.getDiagnostics().hasUncompilableErrorOccurred())
      return;
    {
      llvm::PrettyStackTraceFormat Trace(
          "torch-tidy compiler plugin: running the torch- checks on '%s'",
          File.c_str());
      Checks->HandleTranslationUnit(Ctx);
    }
    for (const ClangTidyError &Error : Consumer.take())
      report(Error);
  }

private:
  SourceLocation getLocation(llvm::StringRef Path, unsigned Offset) const {
    SourceManager &SM = CI.getSourceManager();
    if (Path.empty())
      return {};
    llvm::Expected<FileEntryRef> Entry =
        SM.getFileManager().getFileRef(Path, /*OpenFile=*/false);
    if (!Entry) {
      llvm::consumeError(Entry.takeError());
      return {};
    }
    FileID ID = SM.translateFile(*Entry);
    if (ID.isInvalid())
      ID = SM.getOrCreateFileID(*Entry, SrcMgr::C_User);
    return SM.getLocForStartOfFile(ID).getLocWithOffset(
        static_cast<SourceLocation::IntTy>(Offset));
  }

  CharSourceRange getRange(const tooling::FileByteRange &Range) const {
    SourceLocation Begin = getLocation(Range.FilePath, Range.FileOffset);
    if (Begin.isInvalid())
      return {};
    return CharSourceRange::getCharRange(
        Begin, Begin.getLocWithOffset(
                   static_cast<SourceLocation::IntTy>(Range.Length)));
  }

  void addFixes(DiagnosticBuilder &Diag,
                const tooling::DiagnosticMessage &Message) const {
    for (const auto &FileAndReplacements : Message.Fix) {
      for (const tooling::Replacement &Repl : FileAndReplacements.second) {
        if (!Repl.isApplicable())
          continue;
        SourceLocation Begin =
            getLocation(Repl.getFilePath(), Repl.getOffset());
        if (Begin.isInvalid())
          continue;
        Diag << FixItHint::CreateReplacement(
            CharSourceRange::getCharRange(
                Begin,
                Begin.getLocWithOffset(
                    static_cast<SourceLocation::IntTy>(Repl.getLength()))),
            Repl.getReplacementText());
      }
    }
  }

  /// Reports as clang-tidy's own driver does: "message [check]", with
  /// ",-warnings-as-errors" after the name of a check promoted to an error.
  void report(const ClangTidyError &Error) {
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    auto Level = Error.DiagLevel == ClangTidyError::Error
                     ? DiagnosticIDs::Error
                     : DiagnosticIDs::Warning;
    std::string Name = Error.DiagnosticName;
    if (Error.IsWarningAsError) {
      Name += ",-warnings-as-errors";
      Level = DiagnosticIDs::Error;
    }
    {
      DiagnosticBuilder Diag =
          Diags.Report(
              getLocation(Error.Message.FilePath, Error.Message.FileOffset),
              Diags.getDiagnosticIDs()->getCustomDiagID(Level, "%0 [%1]"))
          << Error.Message.Message << Name;
      for (const tooling::FileByteRange &Range : Error.Message.Ranges)
        Diag << getRange(Range);
      addFixes(Diag, Error.Message);
    }
    for (const tooling::DiagnosticMessage &Note : Error.Notes) {
      DiagnosticBuilder Diag =
          Diags.Report(getLocation(Note.FilePath, Note.FileOffset),
                       Diags.getDiagnosticIDs()->getCustomDiagID(
                           DiagnosticIDs::Note, "%0"))
          << Note.Message;
      for (const tooling::FileByteRange &Range : Note.Ranges)
        Diag << getRange(Range);
      addFixes(Diag, Note);
    }
  }

  CompilerInstance &CI;
  std::string File;
  ClangTidyContext Context;
  ClangTidyDiagnosticConsumer Consumer;
  DiagnosticsEngine Engine;
  ClangTidyASTConsumerFactory Factory;
  // Last: the checks refer to the context and are destroyed first.
  std::unique_ptr<ASTConsumer> Checks;
};

/// A consumer that does nothing, for inputs the checks do not run on.
class NoConsumer : public ASTConsumer {};

class TorchTidyAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef File) override;
  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override;
  ActionType getActionType() override { return AddAfterMainAction; }

private:
  PluginOptions Opts;
};

bool TorchTidyAction::ParseArgs(const CompilerInstance &CI,
                                const std::vector<std::string> &Args) {
  DiagnosticsEngine &Diags = CI.getDiagnostics();
  auto Fail = [&](llvm::StringRef Message) {
    Diags.Report(Diags.getDiagnosticIDs()->getCustomDiagID(
        DiagnosticIDs::Error, "torch-tidy compiler plugin: %0"))
        << Message;
    return false;
  };
  for (llvm::StringRef Arg : Args) {
    auto [Key, Value] = Arg.split('=');
    if (Key == "checks") {
      Opts.Checks = Value.str();
    } else if (Key == "config") {
      std::string First;
      llvm::ErrorOr<ClangTidyOptions> Parsed =
          parseConfigurationWithDiags(llvm::MemoryBufferRef(Value, "config"),
                                      [&First](const llvm::SMDiagnostic &D) {
                                        if (First.empty())
                                          First = D.getMessage().str();
                                      });
      if (!Parsed)
        return Fail("invalid config: " +
                    (First.empty() ? Parsed.getError().message() : First));
      Opts.Config = Value.str();
    } else {
      return Fail(("unknown argument '" + Arg +
                   "' (expected checks=GLOBS or config=YAML)")
                      .str());
    }
  }
  return true;
}

std::unique_ptr<ASTConsumer>
TorchTidyAction::CreateASTConsumer(CompilerInstance &CI, llvm::StringRef File) {
  // Preprocessed input (plain distcc, `ccache` with run_second_cpp=false) has
  // lost its comments, and with them every NOLINT: running the checks on it
  // would report what the user silenced. Say so once instead.
  const FrontendOptions &Frontend = CI.getFrontendOpts();
  if (!Frontend.Inputs.empty() && Frontend.Inputs.front().isPreprocessed()) {
    DiagnosticsEngine &Diags = CI.getDiagnostics();
    Diags.Report(Diags.getDiagnosticIDs()->getCustomDiagID(
        DiagnosticIDs::Warning,
        "torch-tidy compiler plugin: the torch- checks do not run on "
        "preprocessed input '%0', which has lost its NOLINT comments; compile "
        "the source file (with distcc, use pump mode)"))
        << (Frontend.Inputs.front().isFile() ? Frontend.Inputs.front().getFile()
                                             : File);
    return std::make_unique<NoConsumer>();
  }
  return std::make_unique<TidyConsumer>(CI, File, Opts);
}

} // namespace
} // namespace clang::tidy::torch

static clang::FrontendPluginRegistry::Add<clang::tidy::torch::TorchTidyAction>
    X(clang::tidy::torch::PluginName,
      "run the torch- clang-tidy checks during the compile");
