// SPDX-License-Identifier: Apache-2.0
// Evaluation: which forward passes and functions evaluate a model rather
// than train it.

#include "model/Evaluation.h"
#include "model/Events.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::torch::model {

/// True for a statement that uses a recorded graph: `backward()`,
/// `torch::autograd::grad`, or a lambda that does either.
bool isGradientUse(const Stmt *S) {
  if (isGradientSink(S))
    return true;
  const auto *Lambda = dyn_cast<LambdaExpr>(S);
  if (!Lambda)
    return false;
  struct Finder : RecursiveASTVisitor<Finder> {
    bool Found = false;
    bool VisitStmt(Stmt *Node) {
      Found = isGradientSink(Node);
      return !Found;
    }
  } F;
  F.TraverseStmt(Lambda->getBody());
  return F.Found;
}

/// True when a value computed from `Forward` reaches `backward()` or
/// `torch::autograd::grad` in its body, along def-use chains in program
/// order.
bool feedsGradients(const Expr *Forward, const ValueFlow &Values) {
  return Values.reaches(Forward, isGradientUse);
}

/// True when a local variable or by-value parameter is all `D` is: a value
/// stored in it stays in the body.
static bool isLocalValue(const Decl *D) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType() &&
         !VD->getType()->isPointerType();
}

/// True when `Call` hands a value to code whose use of it is not known:
/// a function of the user's that trains, one defined in another file
/// (except one that returns a number and whose name does not say it
/// trains), or a call that did not resolve.
static bool handsToUnknownCode(const Stmt *S, TrainsQuery Trains,
                               const SourceManager &SM) {
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call || asForward(S) || isa<CXXOperatorCallExpr>(S))
    return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return !isa<CXXMemberCallExpr>(Call) && !Call->isTypeDependent();
  if (SM.isInSystemHeader(FD->getLocation()) || api::isLibTorchFunction(FD))
    return false;
  const FunctionDecl *Def = nullptr;
  if (FD->hasBody(Def))
    return Trains(FD);
  // Defined in another file: one that makes a number of the tensors it is
  // given (`int64_t accuracy(Tensor, Tensor)`) measures them, unless its
  // name says it trains (`float trainStep(Tensor)`).
  return !FD->getReturnType()->isArithmeticType() || hasTrainingName(FD);
}

/// True when an argument of `Call` that can hold a graph (not a number,
/// not a string) is computed from `Forward`.
static bool passesGraph(const CallExpr *Call, const Expr *Forward,
                        const ValueFlow &Values) {
  return llvm::any_of(Call->arguments(), [&](const Expr *Arg) {
    return mayHoldGraph(Arg->getType()) && Values.flowsInto(Forward, Call, Arg);
  });
}

/// True when a value computed from `Forward` leaves its body: it is
/// returned (as more than a number), stored outside the body's locals,
/// captured by a lambda, or handed to code whose use of it is not known.
bool escapes(const Expr *Forward, const ValueFlow &Values,
             const FunctionDecl *FD, TrainsQuery Trains,
             const SourceManager &SM, bool CountUnknownCode) {
  for (const Stmt *Use : Values.uses(Forward)) {
    if (isa<ReturnStmt>(Use)) {
      const QualType Returned = FD ? FD->getReturnType() : QualType();
      if (Returned.isNull() ||
          !(Returned->isVoidType() || Returned->isArithmeticType()))
        return true;
      continue;
    }
    if (isa<LambdaExpr, CXXThrowExpr>(Use))
      return true;
    const Expr *Target = nullptr;
    if (const auto *BO = dyn_cast<BinaryOperator>(Use);
        BO && BO->isAssignmentOp())
      Target = BO->getLHS();
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Use);
             Op && Op->isAssignmentOp() && Op->getNumArgs() == 2)
      Target = Op->getArg(0);
    else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Use);
             Member && Member->getMethodDecl() &&
             !Member->getMethodDecl()->isConst() &&
             !api::isModuleLike(Member->getImplicitObjectArgument()->getType()))
      Target = Member->getImplicitObjectArgument();
    // A method called on a temporary stores nothing anywhere.
    if (Target && Target->IgnoreImplicit()->isPRValue())
      Target = nullptr;
    if (Target && !isTupleBinding(Target) &&
        !isLocalValue(storedVariable(Target)))
      return true;
    if (CountUnknownCode && handsToUnknownCode(Use, Trains, SM) &&
        passesGraph(cast<CallExpr>(Use), Forward, Values))
      return true;
  }
  return false;
}

/// True when every use of the value of `Forward` asks for its shape only
/// (`sizes()`, `size()`, `dim()`, `numel()`), directly or through other
/// forward passes, module methods, `std::get` and variables: a shape check,
/// whose graph is freed as soon as it is made, not an evaluation.
bool onlyShapeQueries(const Expr *Forward, const ValueFlow &Values,
                      const ast::ParentIndex &Parents) {
  for (const Expr *Mention : Values.mentions(Forward)) {
    const Stmt *Child = Mention;
    for (unsigned Depth = 0;; ++Depth) {
      const DynTypedNodeList Up = Parents.of(*Child);
      if (Up.empty() || Depth > 32)
        return false;
      if (const auto *VD = Up[0].get<VarDecl>()) {
        if (VD->getInit() != Child)
          return false;
        break; // A definition: its uses are mentions of their own.
      }
      const auto *Parent = Up[0].get<Expr>();
      if (!Parent)
        return false;
      if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
              ParenExpr, ExprWithCleanups, CXXConstructExpr>(Parent) ||
          asForward(Parent)) {
        Child = Parent;
        continue;
      }
      if (const auto *Call = dyn_cast<CallExpr>(Parent)) {
        const auto *FD = Call->getDirectCallee();
        if (FD && FD->getIdentifier() && FD->getName() == "get" &&
            FD->isInStdNamespace()) {
          Child = Parent;
          continue;
        }
      }
      // The value is the object of a method call: a shape query ends
      // the chain, anything else uses the value.
      if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
        const auto *MD = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
        if (!MD || !MD->getIdentifier())
          return false;
        if (compat::isOneOf(MD->getName(), {"sizes", "size", "dim", "numel"}))
          break;
        // A TorchScript module gives an `IValue`: `toTensor()` hands on
        // the same value.
        const DynTypedNodeList Call = Parents.of(*Member);
        if (MD->getName() == "toTensor" && api::isLibTorchDecl(MD) &&
            !Call.empty() && Call[0].get<CXXMemberCallExpr>()) {
          Child = Call[0].get<CXXMemberCallExpr>();
          continue;
        }
        return false;
      }
      // The value is an argument of a module method (`init_state(...)`).
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Parent)) {
        const Expr *Object = Member->getImplicitObjectArgument();
        if (Object && api::isModuleLike(Object->getType())) {
          Child = Parent;
          continue;
        }
      }
      if (const auto *BO = dyn_cast<BinaryOperator>(Parent);
          BO && BO->getOpcode() == BO_Assign && BO->getRHS() == Child)
        break;
      // Assigned to a variable, or overwritten (`X = Layer->forward(X)`
      // in the next iteration).
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Parent);
          Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
        break;
      return false;
    }
  }
  return true;
}

/// The first call in `Graph` that loads a model from a file, in the
/// order of the source.
static const Expr *firstModelLoad(const flow::FlowGraph &Graph,
                                  const SourceManager &SM) {
  const Expr *First = nullptr;
  Graph.forEachStmt([&](const Stmt *S) {
    if (isModelLoad(S) &&
        (!First ||
         SM.isBeforeInTranslationUnit(S->getBeginLoc(), First->getBeginLoc())))
      First = cast<Expr>(S);
  });
  return First;
}

EvaluationFunction evaluationFunction(const FunctionDecl *FD, bool Trains,
                                      const flow::FlowGraph &Graph,
                                      const SourceManager &SM) {
  EvaluationFunction Result;
  if (!FD || Trains)
    return Result;
  if (hasInferenceName(FD)) {
    Result.Kind = EvaluationKind::Name;
    return Result;
  }
  Result.Load = firstModelLoad(Graph, SM);
  if (Result.Load)
    Result.Kind = EvaluationKind::Loaded;
  return Result;
}

} // namespace clang::tidy::torch::model
