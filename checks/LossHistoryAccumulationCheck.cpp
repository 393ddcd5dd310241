// SPDX-License-Identifier: Apache-2.0
// torch-loss-history-accumulation: a tensor declared outside a loop that
// accumulates, iteration after iteration, values that carry autograd history.

#include "LossHistoryAccumulationCheck.h"
#include "model/Events.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/MapVector.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

struct LossHistoryAccumulationCheck::Accumulation {
  /// How an accumulation is written.
  enum class KindType : std::uint8_t {
    /// `total += loss`, `total.add_(loss)`, `total = total + loss`.
    Sum,
    /// `history.push_back(loss)`, `history.emplace_back(loss)`.
    Collect,
  };

  /// The operator or member call that accumulates: a statement element of
  /// the body's CFG.
  const Expr *At = nullptr;
  /// The accumulator: a variable or field.
  const ValueDecl *Target = nullptr;
  /// The value added.
  const Expr *Added = nullptr;
  /// Where the warning points: the operator, or the method's name.
  SourceLocation Loc;
  KindType Kind = KindType::Sum;
};

namespace {

using Accumulation = LossHistoryAccumulationCheck::Accumulation;
using AccumulationKind = Accumulation::KindType;

/// True when `E`, through implicit nodes, names the variable `D`.
bool names(const Expr *E, const Decl *D) {
  return E && D && model::definedVariable(E) == D;
}

/// The accumulation `E` makes, if it is one; the accumulator and the added
/// value must be able to hold a graph (`avg += loss.item<float>()` cannot).
std::optional<Accumulation> asAccumulation(const Expr *E) {
  Accumulation A;
  A.At = E;
  const Expr *TargetExpr = nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    if (Op->getNumArgs() != 2)
      return std::nullopt;
    const OverloadedOperatorKind K = Op->getOperator();
    if (K == OO_PlusEqual) {
      TargetExpr = Op->getArg(0);
      A.Added = Op->getArg(1);
    } else if (K == OO_Equal) {
      // `total = total + loss` or `total = loss + total`.
      const Decl *Var = model::definedVariable(Op->getArg(0));
      const auto *Sum =
          dyn_cast<CXXOperatorCallExpr>(Op->getArg(1)->IgnoreImplicit());
      if (!Var || !Sum || Sum->getOperator() != OO_Plus ||
          Sum->getNumArgs() != 2)
        return std::nullopt;
      if (names(Sum->getArg(0), Var))
        A.Added = Sum->getArg(1);
      else if (names(Sum->getArg(1), Var))
        A.Added = Sum->getArg(0);
      else
        return std::nullopt;
      TargetExpr = Op->getArg(0);
    } else {
      return std::nullopt;
    }
    A.Loc = Op->getOperatorLoc();
  } else if (const auto *Op = dyn_cast<BinaryOperator>(E)) {
    // In a template, `total += loss` with `loss` of dependent type.
    if (Op->getOpcode() != BO_AddAssign)
      return std::nullopt;
    TargetExpr = Op->getLHS();
    A.Added = Op->getRHS();
    A.Loc = Op->getOperatorLoc();
  } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = Call->getMethodDecl();
    // One argument, and defaults (`add_(other, alpha = 1)`).
    if (!MD || !MD->getIdentifier() || Call->getNumArgs() == 0 ||
        !llvm::all_of(llvm::drop_begin(Call->arguments()), [](const Expr *Arg) {
          return isa<CXXDefaultArgExpr>(Arg);
        }))
      return std::nullopt;
    const StringRef Name = MD->getName();
    const auto *Member =
        dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParenImpCasts());
    if (!Member)
      return std::nullopt;
    if (Name == "add_" &&
        api::isTensorType(Call->getImplicitObjectArgument()->getType())) {
      A.Kind = AccumulationKind::Sum;
    } else if ((Name == "push_back" || Name == "emplace_back") &&
               MD->getParent()->isInStdNamespace()) {
      A.Kind = AccumulationKind::Collect;
    } else {
      return std::nullopt;
    }
    TargetExpr = Call->getImplicitObjectArgument();
    A.Added = Call->getArg(0);
    A.Loc = Member->getMemberLoc();
  } else {
    return std::nullopt;
  }
  A.Target = dyn_cast_or_null<ValueDecl>(model::definedVariable(TargetExpr));
  if (!A.Target || !A.Added || A.Loc.isInvalid())
    return std::nullopt;
  // A sum of tensors, or a container that can hold tensors; what is added
  // is a tensor (`total += loss.item<float>()` converts a number to a
  // `Scalar`), unless a template leaves it unknown.
  const auto IsTensorOrUnknown = [](QualType T) {
    return api::isTensorType(T) || T->isDependentType();
  };
  const QualType TargetType = A.Target->getType();
  const QualType AddedType = A.Added->IgnoreImplicit()->getType();
  const bool Holds =
      A.Kind == AccumulationKind::Sum
          ? IsTensorOrUnknown(TargetType) && IsTensorOrUnknown(AddedType)
          : model::mayHoldGraph(TargetType) && model::mayHoldGraph(AddedType);
  if (!Holds)
    return std::nullopt;
  return A;
}

/// True when the declaration of `D` lies inside `S`'s source range: a
/// variable declared in a loop lives for one iteration.
bool isDeclaredIn(const ValueDecl *D, const Stmt *S, const SourceManager &SM) {
  const SourceLocation At = SM.getExpansionLoc(D->getLocation());
  const SourceRange R = S->getSourceRange();
  return !SM.isBeforeInTranslationUnit(At, SM.getExpansionLoc(R.getBegin())) &&
         !SM.isBeforeInTranslationUnit(SM.getExpansionLoc(R.getEnd()), At);
}

/// True when `E` can take `.detach()` as written: a name, a member, a call,
/// a subscript or a parenthesized expression.
bool isPostfixOperand(const Expr *E) {
  E = E->IgnoreImplicit();
  if (isa<DeclRefExpr, MemberExpr, CallExpr, ArraySubscriptExpr, ParenExpr,
          CXXMemberCallExpr, CXXDependentScopeMemberExpr>(E) &&
      !isa<CXXOperatorCallExpr>(E))
    return true;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    return Op->getOperator() == OO_Subscript || Op->getOperator() == OO_Call;
  return false;
}

/// True when `E` is a call that makes a tensor that is stored or used as a
/// whole (`loss = computeLoss(x)`), not an argument of another call
/// (`computeLoss(batch())`): the value a loop computes.
bool isStoredCall(const Expr *E, const ast::ParentIndex &Parents) {
  if (!isa<CallExpr>(E) || !api::isTensorType(E->getType()))
    return false;
  const Stmt *Child = E;
  for (const Stmt *Parent = ast::parentStmt(E, Parents); Parent;
       Child = Parent, Parent = ast::parentStmt(Parent, Parents)) {
    if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
            ExprWithCleanups, ParenExpr>(Parent))
      continue;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Parent))
      if (api::isTensorType(Construct->getType()))
        continue;
    // An operand of `+=`, `=` or `+` is used as a whole; an argument of
    // another call is not.
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Parent))
      return Op->isAssignmentOp() || Op->getOperator() == OO_Plus ||
             Op->getOperator() == OO_PlusEqual;
    return !isa<CallExpr>(Parent) || Parent == Child;
  }
  return true;
}

/// Collects the accumulations of the user's code that sit in a loop of
/// their body, by body.
struct AccumulationFinder : ast::UserCodeVisitor<AccumulationFinder> {
  const ast::ParentIndex &Parents;
  llvm::MapVector<const Stmt *,
                  std::pair<const Decl *, std::vector<Accumulation>>>
      ByBody;
  explicit AccumulationFinder(const ast::ParentIndex &Parents)
      : Parents(Parents) {}
  bool VisitExpr(Expr *E) {
    if (!isa<CXXOperatorCallExpr, BinaryOperator, CXXMemberCallExpr>(E))
      return true;
    std::optional<Accumulation> A = asAccumulation(E);
    if (!A)
      return true;
    const auto [D, Body] = ast::enclosingBody(E, Parents);
    if (!Body || ast::enclosingLoops(E, Body, Parents).empty())
      return true;
    auto &Entry = ByBody[Body];
    Entry.first = D;
    Entry.second.push_back(*A);
    return true;
  }
};

/// The values of one loop that carry this iteration's autograd graph: its
/// forward passes, and the values it computes that reach `backward()`.
struct HistorySource {
  const Expr *E;
  bool IsForward;
};

} // namespace

void LossHistoryAccumulationCheck::onStartOfTranslationUnit() { clear(); }

void LossHistoryAccumulationCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
}

void LossHistoryAccumulationCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void LossHistoryAccumulationCheck::check(
    const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  AccumulationFinder Finder(Parents);
  Finder.traverseUserCode(*Result.Context);
  for (auto &[Body, Entry] : Finder.ByBody)
    analyzeBody(Entry.first, const_cast<Stmt *>(Body), Entry.second);
  clear();
}

void LossHistoryAccumulationCheck::analyzeBody(
    const Decl *D, Stmt *Body, llvm::ArrayRef<Accumulation> Accumulations) {
  ASTContext &Context = Parents.context();
  const SourceManager &SM = Context.getSourceManager();
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  const model::ValueFlow Values(*Graph);
  const bool BodyTrains = [&] {
    bool Found = false;
    Graph->forEachStmt([&](const Stmt *S) { Found |= model::isBackward(S); });
    return Found;
  }();

  for (const Accumulation &A : Accumulations) {
    if (!Graph->contains(A.At) || !scope::recordsGraph(A.At, Parents))
      continue;
    // The loop whose iterations the accumulator outlives: the innermost one
    // around the accumulation that does not declare it.
    const Stmt *Loop = nullptr;
    for (const Stmt *L : ast::enclosingLoops(A.At, Body, Parents))
      if (!isDeclaredIn(A.Target, L, SM)) {
        Loop = L;
        break;
      }
    if (!Loop)
      continue;

    // Where the added value's history comes from: a forward pass of this
    // loop, or a value this loop computes that reaches `backward()` (the
    // loss), computed where grad mode records a graph.
    // Forward passes first: they say best where the graph is recorded.
    std::optional<HistorySource> Source;
    for (const bool WantForward : {true, false})
      Graph->forEachStmt([&](const Stmt *S) {
        const auto *E = dyn_cast<Expr>(S);
        if (Source || !E || !ast::isWithin(E, Loop, Parents))
          return;
        const bool IsForward = static_cast<bool>(model::asForward(E));
        // Else a value computed by a call that a backward pass uses (the
        // loss from a helper defined elsewhere).
        if (IsForward != WantForward ||
            (!IsForward && !isStoredCall(E, Parents)) ||
            !scope::recordsGraph(E, Parents))
          return;
        if (Values.flowsInto(E, A.At, A.Added) &&
            (IsForward || Values.reaches(E, model::isGradientSink)))
          Source = HistorySource{E, IsForward};
      });
    if (!Source)
      continue;

    // The graph is meant to be kept when the accumulated value is
    // differentiated (full-batch training, a loss summed over terms), or
    // when it is returned by a body that does not train: the caller decides.
    if (Values.reaches(A.Added, model::isGradientSink))
      continue;
    if (!BodyTrains && Values.reaches(A.Added, [](const Stmt *S) {
          const auto *Return = dyn_cast<ReturnStmt>(S);
          return Return && Return->getRetValue() &&
                 model::mayHoldGraph(Return->getRetValue()->getType());
        }))
      continue;

    const bool IsLocal = isa<VarDecl>(A.Target) &&
                         cast<VarDecl>(A.Target)->hasLocalStorage() &&
                         !A.Target->getType()->isReferenceType();
    const SourceRange Range = A.Added->getSourceRange();
    std::vector<FixItHint> Fix;
    if (!Range.getBegin().isMacroID() && !Range.getEnd().isMacroID()) {
      const SourceLocation End = Lexer::getLocForEndOfToken(
          Range.getEnd(), 0, SM, Context.getLangOpts());
      if (isPostfixOperand(A.Added)) {
        Fix.push_back(FixItHint::CreateInsertion(End, ".detach()"));
      } else {
        Fix.push_back(FixItHint::CreateInsertion(Range.getBegin(), "("));
        Fix.push_back(FixItHint::CreateInsertion(End, ").detach()"));
      }
    }
    {
      auto Diag =
          diag(A.Loc, A.Kind == AccumulationKind::Sum
                          ? "%0 accumulates a tensor that carries autograd "
                            "history, so the graph of every iteration stays "
                            "in memory"
                          : "%0 collects tensors that carry autograd history, "
                            "so the graph of every iteration stays in memory")
          << A.Target;
      // The fix keeps the accumulator's values and drops their graph. On a
      // field or a reference, which code elsewhere may differentiate, it
      // goes on a note.
      if (IsLocal)
        Diag << Fix;
    }
    const SourceLocation SourceLoc = Source->IsForward
                                         ? model::asForward(Source->E).loc()
                                         : Source->E->getExprLoc();
    diag(SourceLoc,
         Source->IsForward
             ? "the value comes from this forward pass, which records a graph"
             : "the value carries the graph that 'backward()' uses",
         DiagnosticIDs::Note);
    if (!IsLocal && !Fix.empty())
      diag(A.Added->getBeginLoc(),
           "detach the value if nothing differentiates %0 later",
           DiagnosticIDs::Note)
          << A.Target << Fix;
  }
}

} // namespace clang::tidy::torch
