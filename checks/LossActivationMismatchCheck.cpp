// SPDX-License-Identifier: Apache-2.0
// torch-loss-activation-mismatch: a loss given an input that already went
// through the activation the loss applies, or the wrong one.

#include "LossActivationMismatchCheck.h"
#include "model/Events.h"
#include "model/ValueFlow.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

/// The loss calls of the user's code.
class LossCallFinder : public ast::UserCodeVisitor<LossCallFinder> {
public:
  llvm::SmallVector<model::LossCall, 8> Calls;

  bool VisitCallExpr(CallExpr *Call) {
    if (const model::LossCall Loss = model::asLossCall(Call))
      Calls.push_back(Loss);
    return true;
  }
};

/// `E` through implicit casts, temporaries and parentheses.
const Expr *stripped(const Expr *E) {
  return E->IgnoreUnlessSpelledInSource()
      ->IgnoreParens()
      ->IgnoreUnlessSpelledInSource();
}

/// The local variable `E` names, or null.
const VarDecl *localVariable(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(stripped(E));
  const auto *VD = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  return VD && VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) ? VD : nullptr;
}

/// The value a CFG element `S` gives variable `V`: its initializer, or the
/// right-hand side of `V = ...`; null when `S` is no such definition.
const Expr *definitionValue(const Stmt *S, const VarDecl *V) {
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    return DS->isSingleDecl() && DS->getSingleDecl() == V ? V->getInit()
                                                          : nullptr;
  if (const auto *Op = dyn_cast<BinaryOperator>(S))
    return Op->getOpcode() == BO_Assign &&
                   model::definedVariable(Op->getLHS()) == V
               ? Op->getRHS()
               : nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
                   model::definedVariable(Op->getArg(0)) == V
               ? Op->getArg(1)
               : nullptr;
  return nullptr;
}

/// True when the CFG element `S` may change the value of `V`: an
/// assignment, an in-place or non-const method call on it, its address
/// taken, or its binding to a non-const reference parameter (`std::tie`).
bool modifies(const Stmt *S, const VarDecl *V) {
  if (const auto *Op = dyn_cast<BinaryOperator>(S))
    return Op->isAssignmentOp() && model::definedVariable(Op->getLHS()) == V;
  if (const auto *Op = dyn_cast<UnaryOperator>(S))
    return (Op->getOpcode() == UO_AddrOf || Op->isIncrementDecrementOp()) &&
           model::definedVariable(Op->getSubExpr()) == V;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      Op && Op->isAssignmentOp() && Op->getNumArgs() > 0 &&
      model::definedVariable(Op->getArg(0)) == V)
    return true;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *MD = Member->getMethodDecl();
    if (model::definedVariable(Member->getImplicitObjectArgument()) == V &&
        (api::isInPlaceTensorCall(Member) || (MD && !MD->isConst())))
      return true;
  }
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!Call)
    return false;
  const unsigned Offset = isa<CXXOperatorCallExpr>(Call) && FD &&
                                  isa<CXXMethodDecl>(FD) &&
                                  !cast<CXXMethodDecl>(FD)->isStatic()
                              ? 1
                              : 0;
  for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
    if (model::definedVariable(Call->getArg(I)) != V)
      continue;
    if (!FD || I < Offset)
      return !FD;
    if (I - Offset >= FD->getNumParams())
      continue;
    const QualType T = FD->getParamDecl(I - Offset)->getType();
    if (T->isReferenceType() && !T.getNonReferenceType().isConstQualified())
      return true;
  }
  return false;
}

/// The location of the name of the function a call calls (`softmax` in
/// `torch::softmax(x, 1)` and `x.softmax(1)`).
SourceLocation calleeNameLoc(const CallExpr *Call) {
  const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
  if (const auto *ME = dyn_cast<MemberExpr>(Callee))
    return ME->getMemberLoc();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Callee))
    return Ref->getLocation();
  return {};
}

bool inMacro(const Stmt *S) {
  return S->getBeginLoc().isMacroID() || S->getEndLoc().isMacroID();
}

} // namespace

void LossActivationMismatchCheck::onStartOfTranslationUnit() { clear(); }

void LossActivationMismatchCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Graphs.clear();
}

void LossActivationMismatchCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds the loss calls of the
  // user's code itself (ast::UserCodeVisitor); a matcher on every call of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void LossActivationMismatchCheck::check(
    const MatchFinder::MatchResult &Result) {
  LossCallFinder Finder;
  Finder.traverseUserCode(*Result.Context);
  if (!Finder.Calls.empty()) {
    Parents.attach(*Result.Context);
    for (const model::LossCall &Loss : Finder.Calls)
      diagnose(Loss);
  }
  clear();
}

const flow::FlowGraph *LossActivationMismatchCheck::graphFor(const Decl *D,
                                                             Stmt *Body) {
  auto [It, Inserted] = Graphs.try_emplace(Body);
  if (Inserted)
    It->second = flow::FlowGraph::build(D, Body, Parents.context());
  return It->second.get();
}

const Stmt *
LossActivationMismatchCheck::elementOf(const Stmt *S,
                                       const flow::FlowGraph &Graph) const {
  while (S && !Graph.contains(S)) {
    const DynTypedNodeList Up = Parents.of(*S);
    S = Up.empty() ? nullptr : Up[0].get<Stmt>();
  }
  return S;
}

LossActivationMismatchCheck::Source
LossActivationMismatchCheck::sourceOf(const Expr *E, model::Loss Kind,
                                      const Stmt *Use, const Stmt *Loss,
                                      unsigned Depth) {
  Source Result;
  if (const model::ActivationCall Act = model::asActivationCall(E)) {
    Result.Kind = Act.Kind;
    Result.At = Act.Call;
    Result.Direct = Depth == 0;
    return Result;
  }
  if (const model::FinalActivation Last =
          model::forwardActivation(stripped(E))) {
    Result.Kind = Last.Kind;
    Result.At = Last.At;
    Result.FromModule = true;
    return Result;
  }
  const VarDecl *V = localVariable(E);
  if (!V || Depth >= 4)
    return Result;
  // The definitions of the variable that reach its use here.
  const auto [Owner, Body] = ast::enclosingBody(Loss, Parents);
  const flow::FlowGraph *Graph = Body ? graphFor(Owner, Body) : nullptr;
  if (!Graph)
    return Result;
  if (!Use)
    Use = elementOf(Loss, *Graph);
  if (!Use)
    return Result;
  Graph->forEachStmt([&](const Stmt *S) {
    if (Result.Kind != model::Activation::None)
      return;
    const Expr *Value = definitionValue(S, V);
    if (!Value || !Graph->reaches(S, Use, [&](const Stmt *Between) {
          return Between != S && modifies(Between, V);
        }))
      return;
    // Of the definitions that reach the loss, one that does not go with it.
    Source Found = sourceOf(Value, Kind, S, Loss, Depth + 1);
    if (!model::isMismatch(Kind, Found.Kind))
      return;
    Found.Direct = false;
    Result = Found;
  });
  return Result;
}

void LossActivationMismatchCheck::diagnose(const model::LossCall &Loss) {
  const Source From = sourceOf(Loss.Input, Loss.Kind, nullptr, Loss.Call, 0);
  if (!From.At)
    return;
  if (!model::isMismatch(Loss.Kind, From.Kind))
    return;
  const ASTContext &Context = Parents.context();
  const SourceManager &SM = Context.getSourceManager();
  const LangOptions &LangOpts = Context.getLangOpts();
  const StringRef Activation = model::activationName(From.Kind);

  std::optional<FixItHint> Fix;
  const model::ActivationCall Act = model::asActivationCall(From.At);
  // The fix goes where the activation is the loss's argument and no macro
  // writes any of it: it then only removes the extra activation.
  if (From.Direct && Act && !inMacro(Loss.Call) && !inMacro(Act.Call) &&
      !inMacro(Act.Input)) {
    if (Loss.Kind == model::Loss::NLL) {
      // softmax -> log_softmax, spelled as written; the functional
      // spelling would need LogSoftmaxFuncOptions too, so it gets none.
      const SourceLocation Name = calleeNameLoc(Act.Call);
      if (!Act.Functional && Name.isValid() &&
          Lexer::getSourceText(CharSourceRange::getTokenRange(Name), SM,
                               LangOpts) == "softmax")
        Fix = FixItHint::CreateReplacement(CharSourceRange::getTokenRange(Name),
                                           "log_softmax");
    } else if (!Act.hasExtraArguments() &&
               (Act.Kind == model::Activation::Sigmoid ||
                Act.dim(Context) == 1)) {
      // The loss applies the activation over the classes (dimension 1)
      // itself: hand it the activation's input.
      const StringRef Input = Lexer::getSourceText(
          CharSourceRange::getTokenRange(Act.Input->getSourceRange()), SM,
          LangOpts);
      if (!Input.empty())
        Fix = FixItHint::CreateReplacement(
            CharSourceRange::getTokenRange(Act.Call->getSourceRange()), Input);
    }
  }

  {
    auto Diag = [&] {
      const SourceLocation Loc = model::callLoc(Loss.Call);
      switch (Loss.Kind) {
      case model::Loss::CrossEntropy:
        return diag(Loc, "'%0' applies log_softmax itself; its input is "
                         "already normalised by '%1'");
      case model::Loss::NLL:
        return diag(Loc, "'%0' expects log-probabilities, but its input "
                         "comes from '%1'");
      default:
        return diag(Loc, "'%0' applies sigmoid itself; its input already "
                         "went through '%1'");
      }
    }();
    Diag << Loss.Name << Activation;
    if (Fix)
      Diag << *Fix;
  }
  if (!From.Direct)
    diag(model::callLoc(From.At), "the activation is applied here",
         DiagnosticIDs::Note);
}

} // namespace clang::tidy::torch
