// SPDX-License-Identifier: Apache-2.0
// Runs clang-tidy on one translation unit and keeps what runClangTidy drops:
// the findings NOLINT suppressed, and where each finding sits in the code.
#include "Analysis.h"
#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyModule.h"
#include "utils/AstWalk.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Frontend/MultiplexConsumer.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Regex.h"

namespace clang::tidy::torch::lint {
namespace {

/// Finds the innermost named function and full statement around a location.
class Locator : public RecursiveASTVisitor<Locator> {
public:
  Locator(const SourceManager &SM, const LangOptions &LangOpts,
          SourceLocation Loc)
      : SM(SM), LangOpts(LangOpts), Loc(Loc) {}

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && !contains(D->getSourceRange()))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool TraverseStmt(Stmt *S) {
    if (S && !contains(S->getSourceRange()))
      return true;
    return RecursiveASTVisitor::TraverseStmt(S);
  }
  bool VisitFunctionDecl(FunctionDecl *F) {
    const auto *Method = dyn_cast<CXXMethodDecl>(F);
    if (F->doesThisDeclarationHaveABody() &&
        !(Method && Method->getParent()->isLambda()))
      Function = F;
    return true;
  }
  bool VisitCompoundStmt(CompoundStmt *C) {
    for (Stmt *Child : C->body())
      if (contains(Child->getSourceRange()))
        Statement = Child;
    return true;
  }

  CodeIdentity identity() const {
    CodeIdentity Id;
    if (Function)
      Id.Function = Function->getQualifiedNameAsString();
    if (Statement)
      Id.Statement = collapseWhitespace(statementText(Statement));
    return Id;
  }

private:
  bool contains(SourceRange R) const {
    if (R.isInvalid())
      return false;
    SourceLocation Begin = SM.getFileLoc(R.getBegin());
    SourceLocation End =
        Lexer::getLocForEndOfToken(SM.getFileLoc(R.getEnd()), 0, SM, LangOpts);
    if (End.isInvalid())
      End = SM.getFileLoc(R.getEnd());
    return SM.isPointWithin(Loc, Begin, End);
  }

  /// The statement, or the head of a loop or branch whose body does not hold
  /// the location (so that editing the body keeps the identity).
  std::string statementText(const Stmt *S) const {
    const Stmt *Body = nullptr;
    if (const auto *For = dyn_cast<ForStmt>(S))
      Body = For->getBody();
    else if (const auto *Range = dyn_cast<CXXForRangeStmt>(S))
      Body = Range->getBody();
    else if (const auto *While = dyn_cast<WhileStmt>(S))
      Body = While->getBody();
    else if (const auto *If = dyn_cast<IfStmt>(S))
      Body = If->getThen();
    else if (const auto *Switch = dyn_cast<SwitchStmt>(S))
      Body = Switch->getBody();
    SourceLocation Begin = SM.getFileLoc(S->getBeginLoc());
    CharSourceRange Range =
        CharSourceRange::getTokenRange(Begin, SM.getFileLoc(S->getEndLoc()));
    if (Body)
      Range = CharSourceRange::getCharRange(Begin,
                                            SM.getFileLoc(Body->getBeginLoc()));
    bool Invalid = false;
    llvm::StringRef Text = Lexer::getSourceText(Range, SM, LangOpts, &Invalid);
    return Invalid ? std::string() : Text.str();
  }

  const SourceManager &SM;
  const LangOptions &LangOpts;
  SourceLocation Loc;
  const FunctionDecl *Function = nullptr;
  const Stmt *Statement = nullptr;
};

struct Recorded {
  std::vector<SourceLocation> Pending; // warnings still to identify
  UnitAnalysis *Out = nullptr;
  PreambleStore *Preambles = nullptr;
  bool LimitScope = false;
};

/// clang-tidy's consumer, plus a record of every warning's location and of
/// the warnings that a NOLINT suppresses.
class RecordingConsumer : public ClangTidyDiagnosticConsumer {
public:
  RecordingConsumer(ClangTidyContext &Context, Recorded &State)
      : ClangTidyDiagnosticConsumer(Context), Context(Context), State(State) {}

  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    llvm::SmallVector<tooling::Diagnostic, 1> NolintErrors;
    if (Level == DiagnosticsEngine::Warning && Info.getLocation().isValid() &&
        Info.hasSourceManager())
      record(Level, Info, NolintErrors);
    ClangTidyDiagnosticConsumer::HandleDiagnostic(Level, Info);
    // The first look at a file's NOLINTs reports its malformed ones (an
    // unmatched NOLINTBEGIN); when that look was ours, report them as the base
    // would have, once it is done with Info.
    for (const tooling::Diagnostic &Error : NolintErrors)
      Context.diag(Error);
  }

private:
  void record(DiagnosticsEngine::Level Level, const Diagnostic &Info,
              llvm::SmallVectorImpl<tooling::Diagnostic> &NolintErrors) {
    std::string Check = Context.getCheckName(Info.getID());
    if (Check.empty() ||
        llvm::StringRef(Check).starts_with("clang-diagnostic-"))
      return;
    const SourceManager &SM = Info.getSourceManager();
    SourceLocation Loc = SM.getFileLoc(Info.getLocation());
    State.Pending.push_back(Loc);
    if (!Context.isCheckEnabled(Check) || !isUserCode(SM, Loc))
      return;
    if (!Context.shouldSuppressDiagnostic(Level, Info, NolintErrors))
      return;
    llvm::SmallString<128> Message;
    Info.FormatDiagnostic(Message);
    llvm::StringRef Text = Message;
    Text.consume_back(" [" + Check + "]");
    ClangTidyError Error(Check, ClangTidyError::Warning,
                         Context.getCurrentBuildDirectory(),
                         /*IsWarningAsError=*/false);
    Error.Message = tooling::DiagnosticMessage(Text, SM, Loc);
    State.Out->Suppressed.push_back(std::move(Error));
  }

  bool isUserCode(const SourceManager &SM, SourceLocation Loc) {
    if (SM.isInMainFile(Loc))
      return true;
    if (SM.isInSystemHeader(Loc))
      return false;
    const std::optional<std::string> &Filter =
        Context.getOptions().HeaderFilterRegex;
    return Filter && !Filter->empty() &&
           llvm::Regex(*Filter).match(SM.getFilename(Loc));
  }

  ClangTidyContext &Context;
  Recorded &State;
};

/// Runs before clang-tidy's consumer when only torch- checks run: limits the
/// traversal to the top-level declarations outside system headers, as clangd
/// limits it to the main file's. The torch- checks skip the others anyway
/// (ast::UserCodeVisitor), and on a preamble a whole-unit traversal would
/// deserialize every declaration of the PCH (docs/performance.md). Parsed
/// in full or on a preamble, a unit is traversed the same way.
class ScopeConsumer : public ASTConsumer {
public:
  void HandleTranslationUnit(ASTContext &Ctx) override {
    std::vector<Decl *> Scope;
    const SourceManager &SM = Ctx.getSourceManager();
    for (Decl *D : Ctx.getTranslationUnitDecl()->decls())
      if (!ast::isInSystemHeader(D, SM))
        Scope.push_back(D);
    Ctx.setTraversalScope(Scope);
  }
};

/// Runs after clang-tidy's consumer, while the AST is alive.
class IdentityConsumer : public ASTConsumer {
public:
  explicit IdentityConsumer(Recorded &State) : State(State) {}
  void HandleTranslationUnit(ASTContext &Ctx) override {
    const SourceManager &SM = Ctx.getSourceManager();
    for (SourceLocation Loc : State.Pending) {
      auto Key =
          std::make_pair(SM.getFilename(Loc).str(), SM.getFileOffset(Loc));
      if (State.Out->Identities.count(Key))
        continue;
      Locator L(SM, Ctx.getLangOpts(), Loc);
      L.TraverseDecl(Ctx.getTranslationUnitDecl());
      State.Out->Identities[Key] = L.identity();
    }
    State.Pending.clear();
  }

private:
  Recorded &State;
};

class Action : public ASTFrontendAction {
public:
  Action(ClangTidyASTConsumerFactory &Factory, Recorded &State)
      : Factory(Factory), State(State) {}
  std::unique_ptr<ASTConsumer>
  CreateASTConsumer(CompilerInstance &Compiler, llvm::StringRef File) override {
    std::vector<std::unique_ptr<ASTConsumer>> Consumers;
    if (State.LimitScope)
      Consumers.push_back(std::make_unique<ScopeConsumer>());
    Consumers.push_back(Factory.createASTConsumer(Compiler, File));
    Consumers.push_back(std::make_unique<IdentityConsumer>(State));
    return std::make_unique<MultiplexConsumer>(std::move(Consumers));
  }

private:
  ClangTidyASTConsumerFactory &Factory;
  Recorded &State;
};

class ActionFactory : public tooling::FrontendActionFactory {
public:
  ActionFactory(ClangTidyContext &Context,
                llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
                Recorded &State)
      : Factory(Context, std::move(FS)), State(State) {}
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<Action>(Factory, State);
  }
  bool runInvocation(std::shared_ptr<CompilerInvocation> Invocation,
                     FileManager *Files,
                     std::shared_ptr<PCHContainerOperations> PCHContainerOps,
                     DiagnosticConsumer *DiagConsumer) override {
    // clang-tidy defines __clang_analyzer__, as the static analyzer does.
    Invocation->getPreprocessorOpts().SetUpStaticAnalyzer = true;
    if (State.Preambles)
      State.Out->Preamble = State.Preambles->prepare(
          *Invocation, Files->getVirtualFileSystemPtr(), PCHContainerOps);
    return FrontendActionFactory::runInvocation(
        std::move(Invocation), Files, std::move(PCHContainerOps), DiagConsumer);
  }

private:
  ClangTidyASTConsumerFactory Factory;
  Recorded &State;
};
} // namespace

std::string collapseWhitespace(llvm::StringRef Text) {
  auto IsIdentifierChar = [](char C) { return llvm::isAlnum(C) || C == '_'; };
  std::string Out;
  bool Space = false;
  for (char C : Text.trim()) {
    if (llvm::isSpace(C)) {
      Space = true;
      continue;
    }
    // Whitespace matters only between two identifier characters.
    if (Space && !Out.empty() && IsIdentifierChar(Out.back()) &&
        IsIdentifierChar(C))
      Out += ' ';
    Space = false;
    Out += C;
  }
  return Out;
}

bool torchChecksOnly(const ClangTidyOptions &Options) {
  // testfault-: the checks of test/tools/torch-lint-faults, on the main file.
  return llvm::all_of(getCheckNames(Options, /*AllowEnablingAnalyzerAlpha=*/
                                    false),
                      [](llvm::StringRef Name) {
                        return Name.starts_with("torch-") ||
                               Name.starts_with("testfault-");
                      });
}

UnitAnalysis
analyzeUnit(ClangTidyContext &Context,
            const tooling::CompilationDatabase &Compilations,
            llvm::StringRef File,
            llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
            PreambleStore *Preambles, bool TorchChecksOnly) {
  UnitAnalysis Out;
  Recorded State;
  State.Out = &Out;
  State.Preambles = TorchChecksOnly ? Preambles : nullptr;
  State.LimitScope = TorchChecksOnly;
  tooling::ClangTool Tool(Compilations, {File.str()},
                          std::make_shared<PCHContainerOperations>(), FS);
  // The command-line adjustments clang-tidy makes: per-file extra arguments
  // from the configuration, and no compiler plugins.
  Tool.appendArgumentsAdjuster(
      [&Context](const tooling::CommandLineArguments &Args,
                 llvm::StringRef Filename) {
        ClangTidyOptions Opts = Context.getOptionsForFile(Filename);
        tooling::CommandLineArguments Adjusted = Args;
        if (Opts.ExtraArgsBefore) {
          auto I = Adjusted.begin();
          if (I != Adjusted.end() && !llvm::StringRef(*I).starts_with("-"))
            ++I; // after the compiler's name
          Adjusted.insert(I, Opts.ExtraArgsBefore->begin(),
                          Opts.ExtraArgsBefore->end());
        }
        if (Opts.ExtraArgs)
          Adjusted.insert(Adjusted.end(), Opts.ExtraArgs->begin(),
                          Opts.ExtraArgs->end());
        return Adjusted;
      });
  Tool.appendArgumentsAdjuster(tooling::getStripPluginsAdjuster());
  RecordingConsumer Consumer(Context, State);
  DiagnosticsEngine Engine(new DiagnosticIDs(), new DiagnosticOptions(),
                           &Consumer, /*ShouldOwnClient=*/false);
  Context.setDiagnosticsEngine(&Engine);
  Tool.setDiagnosticConsumer(&Consumer);
  ActionFactory Factory(Context, std::move(FS), State);
  Tool.run(&Factory);
  Out.Errors = Consumer.take();
  return Out;
}

} // namespace clang::tidy::torch::lint
