// SPDX-License-Identifier: Apache-2.0
// torch-discarded-tensor-result: the tensor returned by an operation that does
// not modify its operands thrown away, as in 'x.to(device);'.

#include "DiscardedTensorResultCheck.h"
#include "utils/AstWalk.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

/// The calls whose value an expression statement throws away.
class DiscardedCallFinder : public ast::UserCodeVisitor<DiscardedCallFinder> {
public:
  llvm::SmallVector<const CallExpr *, 8> Calls;

  bool VisitCompoundStmt(CompoundStmt *S) {
    for (const Stmt *Child : S->body())
      consider(Child);
    return true;
  }
  bool VisitIfStmt(IfStmt *S) {
    consider(S->getThen());
    consider(S->getElse());
    return true;
  }
  bool VisitForStmt(ForStmt *S) {
    consider(S->getBody());
    return true;
  }
  bool VisitCXXForRangeStmt(CXXForRangeStmt *S) {
    consider(S->getBody());
    return true;
  }
  bool VisitWhileStmt(WhileStmt *S) {
    consider(S->getBody());
    return true;
  }
  bool VisitDoStmt(DoStmt *S) {
    consider(S->getBody());
    return true;
  }
  bool VisitSwitchCase(SwitchCase *S) {
    consider(S->getSubStmt());
    return true;
  }
  bool VisitLabelStmt(LabelStmt *S) {
    consider(S->getSubStmt());
    return true;
  }

private:
  void consider(const Stmt *S) {
    const auto *E = dyn_cast_or_null<Expr>(S);
    if (!E)
      return;
    // The temporary's cleanups, its binding and parentheses, not a cast to
    // void.
    const auto *Call = dyn_cast<CallExpr>(
        E->IgnoreImplicit()->IgnoreParens()->IgnoreImplicit());
    if (!Call || !api::isPureTensorOperation(Call->getDirectCallee()) ||
        api::passesInPlaceOption(Call))
      return;
    Calls.push_back(Call);
  }
};

/// The tensor a call operates on: the object of a method call, the first
/// argument of a function.
const Expr *operand(const CallExpr *Call) {
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
    return Member->getImplicitObjectArgument();
  if (isa<CXXOperatorCallExpr>(Call) || Call->getNumArgs() == 0)
    return nullptr;
  const Expr *First = Call->getArg(0);
  return api::isTensorType(First->getType()) ? First : nullptr;
}

/// True when `D` is a tensor that assigning to would unhook from a module: a
/// field of a module class, or the variable of a loop over `parameters()`.
bool isModuleParameter(const ValueDecl *D) {
  if (const auto *Field = dyn_cast<FieldDecl>(D))
    return api::isModuleLike(QualType(Field->getParent()->getTypeForDecl(), 0));
  const auto *VD = dyn_cast<VarDecl>(D);
  return VD && VD->isCXXForRangeDecl();
}

/// The last identifier of the spelled text `Text` of a qualifier (`F` in
/// `F::`, `functional` in `torch::nn::functional::`).
StringRef lastComponent(StringRef Text) {
  Text = Text.rtrim(": \t\n");
  const size_t At = Text.rfind("::");
  return (At == StringRef::npos ? Text : Text.drop_front(At + 2)).trim();
}

/// False for a callee that error recovery put in place of what was written:
/// after an error, Clang's typo correction turns `matplot::scatter(...)` into
/// a call of `at::scatter`.
bool isSpelledAsDeclared(const CallExpr *Call, const ASTContext &Context) {
  if (!Context.getDiagnostics().hasErrorOccurred())
    return true;
  const SourceManager &SM = Context.getSourceManager();
  const LangOptions &LO = Context.getLangOpts();
  const FunctionDecl *FD = Call->getDirectCallee();
  const auto Spelled = [&](SourceRange R) {
    return Lexer::getSourceText(CharSourceRange::getTokenRange(R), SM, LO);
  };
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    const auto *ME = dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens());
    return ME && (!FD->getIdentifier() ||
                  Spelled(ME->getMemberLoc()) == FD->getName());
  }
  if (isa<CXXOperatorCallExpr>(Call))
    return true;
  const auto *Ref = dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreImplicit());
  if (!Ref || !FD->getIdentifier() ||
      Spelled(Ref->getLocation()) != FD->getName())
    return false;
  const NestedNameSpecifierLoc Qualifier = Ref->getQualifierLoc();
  if (!Qualifier)
    return true;
  const NestedNameSpecifier *NNS = Qualifier.getNestedNameSpecifier();
  const NamedDecl *Named = NNS->getAsNamespace();
  if (!Named)
    Named = NNS->getAsNamespaceAlias();
  return Named && Named->getIdentifier() &&
         lastComponent(Spelled(Qualifier.getSourceRange())) == Named->getName();
}

} // namespace

void DiscardedTensorResultCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds its statements in the
  // user's code itself (see ast::UserCodeVisitor).
  Finder->addMatcher(translationUnitDecl(), this);
}

void DiscardedTensorResultCheck::check(const MatchFinder::MatchResult &Result) {
  DiscardedCallFinder Finder;
  Finder.traverseUserCode(*Result.Context);
  for (const CallExpr *Call : Finder.Calls)
    diagnose(Call, *Result.Context);
}

void DiscardedTensorResultCheck::diagnose(const CallExpr *Call,
                                          const ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  const SourceLocation Loc = Call->getExprLoc();
  // Code a macro writes is the macro's business.
  if (SM.isMacroBodyExpansion(Call->getBeginLoc()) ||
      SM.isMacroBodyExpansion(Loc))
    return;
  if (!isSpelledAsDeclared(Call, Context))
    return;
  const FunctionDecl *Callee = Call->getDirectCallee();
  const FunctionDecl *InPlace = api::inPlaceVariant(Callee);

  // The fix assigns the result back to the tensor operated on, when that is a
  // variable, parameter or field that can be assigned and whose replacement
  // changes nothing else.
  const Expr *Target = operand(Call);
  if (Target)
    Target = Target->IgnoreUnlessSpelledInSource()
                 ->IgnoreParens()
                 ->IgnoreUnlessSpelledInSource();
  const auto *Member = dyn_cast_or_null<MemberExpr>(Target);
  const ValueDecl *D = nullptr;
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Target))
    D = Ref->getDecl();
  else if (Member)
    D = Member->getMemberDecl();
  const bool Named =
      D && isa<VarDecl, FieldDecl>(D) && api::isTensorType(Target->getType());
  const bool Assignable =
      Named && !Target->getType().isConstQualified() && !isModuleParameter(D);
  const SourceLocation Begin = Call->getBeginLoc();
  const bool CanFix =
      Assignable && !Begin.isMacroID() && !Call->getEndLoc().isMacroID() &&
      (!Member || isa<CXXThisExpr>(Member->getBase()->IgnoreImplicit()));

  {
    auto Diag = diag(Loc, "%0 returns a new tensor that is discarded")
                << Callee;
    if (CanFix) {
      const StringRef Text = Lexer::getSourceText(
          CharSourceRange::getTokenRange(Target->getSourceRange()), SM,
          Context.getLangOpts());
      if (!Text.empty())
        Diag << FixItHint::CreateInsertion(Begin, (Text + " = ").str());
    }
  }
  // Assigning would not reach the tensor meant: point at the in-place way.
  if (Named && !Assignable && InPlace)
    diag(Loc, "use %0 to modify the tensor in place", DiagnosticIDs::Note)
        << InPlace;
}

} // namespace clang::tidy::torch
