// SPDX-License-Identifier: Apache-2.0
// torch-backward-under-no-grad: backward() reached where grad mode is disabled.

#include "BackwardUnderNoGradCheck.h"
#include "model/Events.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <deque>
#include <memory>
#include <optional>
#include <vector>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

using scope::BodyGradMode;
using scope::GradModeAt;

/// The graphs of one function or lambda body, built once.
struct BodyFacts {
  scope::EnclosingBody Where;
  std::unique_ptr<flow::FlowGraph> Graph;
  std::unique_ptr<model::ValueFlow> Values;
  std::unique_ptr<scope::GradModeFlow> Modes;
};

/// Where the value of a loss was computed, and the grad mode there.
struct Origin {
  const Expr *E = nullptr;
  GradModeAt Mode;
};

const Expr *strip(const Expr *E) {
  return E ? E->IgnoreUnlessSpelledInSource() : nullptr;
}

/// The tensors of a braced list, a vector built from one, or a single tensor
/// (`{loss}`, `{a, b}`, `loss`), as written.
void collectTensors(const Expr *E, llvm::SmallVectorImpl<const Expr *> &Out) {
  E = strip(E);
  if (!E)
    return;
  if (const auto *List = dyn_cast<CXXStdInitializerListExpr>(E)) {
    collectTensors(List->getSubExpr(), Out);
    return;
  }
  if (const auto *Init = dyn_cast<InitListExpr>(E)) {
    for (const Expr *Element : Init->inits())
      collectTensors(Element, Out);
    return;
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    for (const Expr *Arg : Construct->arguments())
      collectTensors(Arg, Out);
    return;
  }
  Out.push_back(E);
}

/// The losses a backward pass differentiates: the object of
/// `loss.backward()`, the tensors of `torch::autograd::backward(tensors)`.
llvm::SmallVector<const Expr *, 2> lossesOf(const CallExpr *Backward) {
  llvm::SmallVector<const Expr *, 2> Losses;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Backward)) {
    Losses.push_back(strip(Member->getImplicitObjectArgument()));
    return Losses;
  }
  if (const model::MethodCall Named = model::memberCallByName(Backward)) {
    if (Named.Object)
      Losses.push_back(strip(Named.Object));
    return Losses;
  }
  if (Backward->getNumArgs() != 0)
    collectTensors(Backward->getArg(0), Losses);
  return Losses;
}

/// True when evaluating `E` makes a new tensor, whose history is recorded
/// only in grad mode: a call that does not return a reference, arithmetic.
bool isOperation(const Expr *E) {
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
        Op && Op->isAssignmentOp())
      return false;
    return Call->isTypeDependent() ||
           !Call->getType()->isReferenceType() && Call->isPRValue();
  }
  if (const auto *Binary = dyn_cast<BinaryOperator>(E))
    return !Binary->isAssignmentOp() && !Binary->isCommaOp();
  if (const auto *Unary = dyn_cast<UnaryOperator>(E))
    return Unary->getOpcode() == UO_Minus;
  return false;
}

/// How a reference to a variable uses it.
enum class Use : std::uint8_t { Read, Assigned, Unknown };

} // namespace

class BackwardUnderNoGradCheck::Analysis {
public:
  explicit Analysis(BackwardUnderNoGradCheck &Check)
      : Check(Check), Parents(Check.Parents), Context(Parents.context()) {}

  void run() {
    model::buildCallGraph(Check.Summaries, Parents,
                          [this](const CallExpr *Call,
                                 llvm::ArrayRef<const FunctionDecl *> Owners) {
                            const FunctionDecl *Owner =
                                model::summaryKey(Owners.front());
                            if (model::isBackward(Call))
                              Backwards.push_back(Call);
                            else
                              CallsOf[Owner].push_back(Call);
                            Calls.push_back(Call);
                          });
    // The facts of each body of its own: a backward() on a loss computed in
    // the caller's grad mode.
    for (const CallExpr *Backward : Backwards)
      classify(Backward);
    Check.Summaries.compute([this](const FunctionDecl *FD) {
      model::FunctionSummary Local;
      Local.Trains = OwnBackward.count(FD) != 0;
      return Local;
    });
    for (const CallExpr *Call : Calls)
      if (model::isBackward(Call))
        reportBackward(Call);
      else
        reportHelperCall(Call);
  }

private:
  BodyFacts &factsOf(const scope::EnclosingBody &Where) {
    std::unique_ptr<BodyFacts> &Slot = Facts[Where.Body];
    if (Slot)
      return *Slot;
    Slot = std::make_unique<BodyFacts>();
    Slot->Where = Where;
    Slot->Graph = flow::FlowGraph::build(Where.Function, Where.Body, Context);
    if (Slot->Graph) {
      Slot->Values = std::make_unique<model::ValueFlow>(*Slot->Graph);
      Slot->Modes =
          std::make_unique<scope::GradModeFlow>(*Slot->Graph, Parents);
    }
    return *Slot;
  }

  BodyFacts *factsAt(const Stmt *S) {
    const scope::EnclosingBody Where = scope::enclosingBody(S, Parents);
    if (!Where.Body || !Where.Function)
      return nullptr;
    BodyFacts &F = factsOf(Where);
    return F.Graph ? &F : nullptr;
  }

  BodyFacts *factsOfFunction(const FunctionDecl *FD) {
    const FunctionDecl *Def = nullptr;
    if (!FD || !FD->hasBody(Def) || !Def->getBody())
      return nullptr;
    scope::EnclosingBody Where{Def, Def->getBody(), nullptr};
    BodyFacts &F = factsOf(Where);
    return F.Graph ? &F : nullptr;
  }

  // --- Where a loss comes from ---------------------------------------------

  /// How the reference `Ref` uses its variable; for an assignment, `Value`
  /// is the value assigned.
  Use useOf(const DeclRefExpr *Ref, const Expr *&Value) const {
    const Stmt *Child = Ref;
    for (unsigned Depth = 0; Depth < 8; ++Depth) {
      const DynTypedNodeList List = Parents.of(*Child);
      if (List.empty())
        return Use::Read;
      if (const auto *VD = List[0].get<VarDecl>()) {
        // `auto &alias = loss;`
        const QualType T = VD->getType();
        return T->isReferenceType() &&
                       !T.getNonReferenceType().isConstQualified()
                   ? Use::Unknown
                   : Use::Read;
      }
      const auto *Parent = List[0].get<Stmt>();
      if (!Parent)
        return Use::Read;
      if (isa<ParenExpr>(Parent)) {
        Child = Parent;
        continue;
      }
      if (const auto *Cast = dyn_cast<ImplicitCastExpr>(Parent)) {
        // A const view (`const Tensor &`) or a copy only reads.
        if (Cast->getCastKind() == CK_NoOp ||
            Cast->getCastKind() == CK_LValueToRValue)
          return Use::Read;
        Child = Parent;
        continue;
      }
      if (const auto *Binary = dyn_cast<BinaryOperator>(Parent)) {
        if (!Binary->isAssignmentOp() || Binary->getLHS() != Child)
          return Use::Read;
        if (Binary->getOpcode() != BO_Assign)
          return Use::Unknown;
        Value = Binary->getRHS();
        return Use::Assigned;
      }
      if (const auto *Unary = dyn_cast<UnaryOperator>(Parent))
        return Unary->getOpcode() == UO_AddrOf ||
                       Unary->isIncrementDecrementOp()
                   ? Use::Unknown
                   : Use::Read;
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Parent)) {
        if (Op->getNumArgs() == 0 || Op->getArg(0) != Child)
          return Use::Unknown; // A non-const reference argument.
        if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
          Value = Op->getArg(1);
          return Use::Assigned;
        }
        const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
        return !MD || MD->isConst() ? Use::Read : Use::Unknown;
      }
      if (const auto *Member = dyn_cast<MemberExpr>(Parent)) {
        const auto *MD = dyn_cast<CXXMethodDecl>(Member->getMemberDecl());
        if (!MD)
          return Use::Read;
        const StringRef Name =
            MD->getIdentifier() ? MD->getName() : StringRef();
        if (!MD->isConst() || (Name.ends_with("_") && Name != "requires_grad_"))
          return Use::Unknown;
        return Use::Read;
      }
      if (const auto *Dependent =
              dyn_cast<CXXDependentScopeMemberExpr>(Parent)) {
        const std::string Name = Dependent->getMember().getAsString();
        return StringRef(Name).ends_with("_") && Name != "requires_grad_"
                   ? Use::Unknown
                   : Use::Read;
      }
      if (const auto *Call = dyn_cast<CallExpr>(Parent)) {
        // Bound without a cast: a non-const reference (`std::swap`,
        // `std::tie`), unless the call is not resolved yet.
        if (Call->getCallee() == Child)
          return Use::Read;
        return Call->isTypeDependent() ? Use::Read : Use::Unknown;
      }
      return Use::Read;
    }
    return Use::Read;
  }

  /// The definitions of the local tensor `VD` whose values reach `Ref`, the
  /// reference to it at `Backward`; false when one of them, or any use of the
  /// variable, is not understood.
  bool definitionsOf(const VarDecl *VD, const DeclRefExpr *Ref,
                     const CallExpr *Backward, BodyFacts &F,
                     llvm::SmallVectorImpl<const Expr *> &Values) const {
    struct Finder : RecursiveASTVisitor<Finder> {
      const VarDecl *VD;
      unsigned LambdaDepth = 0;
      bool InLambda = false;
      llvm::SmallVector<const DeclRefExpr *, 8> Refs;
      bool TraverseLambdaExpr(LambdaExpr *Lambda) {
        ++LambdaDepth;
        const bool Result = RecursiveASTVisitor::TraverseLambdaExpr(Lambda);
        --LambdaDepth;
        return Result;
      }
      bool VisitDeclRefExpr(DeclRefExpr *DRE) {
        if (DRE->getDecl() == VD) {
          Refs.push_back(DRE);
          InLambda |= LambdaDepth != 0;
        }
        return true;
      }
    } Find;
    Find.VD = VD;
    Find.TraverseStmt(F.Where.Body);
    if (Find.InLambda)
      return false;
    llvm::SmallVector<const Expr *, 4> Candidates;
    if (VD->getInit())
      Candidates.push_back(VD->getInit());
    for (const DeclRefExpr *R : Find.Refs) {
      const Expr *Value = nullptr;
      switch (useOf(R, Value)) {
      case Use::Read:
        break;
      case Use::Unknown:
        return false;
      case Use::Assigned:
        Candidates.push_back(Value);
        break;
      }
    }
    for (const Expr *Candidate : Candidates) {
      if (!F.Values->flowsInto(Candidate, Backward, Ref))
        continue;
      const Expr *Value = strip(Candidate);
      if (!Value || !isOperation(Value))
        return false;
      Values.push_back(Value);
    }
    return !Values.empty();
  }

  /// Where the value of `Loss`, a loss of `Backward`, was computed; false
  /// when that is not known.
  bool originsOf(const Expr *Loss, const CallExpr *Backward, BodyFacts &F,
                 llvm::SmallVectorImpl<Origin> &Origins) const {
    if (!Loss)
      return false;
    llvm::SmallVector<const Expr *, 4> Values;
    if (isOperation(Loss)) {
      Values.push_back(Loss);
    } else if (const auto *Ref = dyn_cast<DeclRefExpr>(Loss)) {
      const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
      if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage() ||
          VD->getType()->isReferenceType() ||
          VD->getDeclContext() != F.Where.Function ||
          !definitionsOf(VD, Ref, Backward, F, Values))
        return false;
    } else {
      return false;
    }
    for (const Expr *Value : Values)
      Origins.push_back({Value, F.Modes->at(Value)});
    return true;
  }

  // --- Deciding ------------------------------------------------------------

  enum class Verdict : std::uint8_t {
    None,
    /// The loss is computed where grad mode is disabled on every path.
    NoGraph,
    /// The loss is computed in the caller's grad mode.
    CallersMode,
  };

  Verdict verdictOf(const CallExpr *Backward, const Origin *&Witness) {
    if (auto It = Verdicts.find(Backward); It != Verdicts.end()) {
      Witness = It->second.second;
      return It->second.first;
    }
    Verdict Result = Verdict::None;
    Witness = nullptr;
    BodyFacts *F = factsAt(Backward);
    if (F && F->Graph->contains(Backward))
      for (const Expr *Loss : lossesOf(Backward)) {
        llvm::SmallVector<Origin, 4> Origins;
        if (!originsOf(Loss, Backward, *F, Origins))
          continue;
        const bool AllDisabled = llvm::all_of(Origins, [](const Origin &O) {
          return O.Mode.Mode == BodyGradMode::Disabled;
        });
        if (AllDisabled) {
          Result = Verdict::NoGraph;
          Witness = &Kept.emplace_back(Origins.back());
          break;
        }
        const bool FromCaller = llvm::all_of(Origins, [](const Origin &O) {
          return O.Mode.Mode != BodyGradMode::MayBeEnabled;
        });
        if (FromCaller)
          Result = Verdict::CallersMode;
      }
    Verdicts[Backward] = {Result, Witness};
    return Result;
  }

  void classify(const CallExpr *Backward) {
    const Origin *Witness = nullptr;
    if (verdictOf(Backward, Witness) != Verdict::CallersMode)
      return;
    const scope::EnclosingBody Where = scope::enclosingBody(Backward, Parents);
    OwnBackward.try_emplace(model::summaryKey(Where.Function), Backward);
  }

  void reportBackward(const CallExpr *Backward) {
    const Origin *Loss = nullptr;
    if (verdictOf(Backward, Loss) != Verdict::NoGraph || !Loss)
      return;
    BodyFacts *F = factsAt(Backward);
    const GradModeAt Here = F->Modes->at(Backward);
    if (Here.Mode == BodyGradMode::Disabled) {
      Check.diag(locOf(Backward),
                 "'backward()' runs with grad mode disabled, so the loss has "
                 "no graph and nothing is trained");
      noteDisabled(Here.DisabledBy);
      return;
    }
    Check.diag(locOf(Backward),
               "the loss is computed with grad mode disabled, so it has no "
               "graph and 'backward()' trains nothing");
    Check.diag(locOf(Loss->E), "the loss is computed here",
               DiagnosticIDs::Note);
    noteDisabled(Loss->Mode.DisabledBy);
  }

  void noteDisabled(const Stmt *By) {
    if (By)
      Check.diag(By->getBeginLoc(), "grad mode is disabled here",
                 DiagnosticIDs::Note);
  }

  /// Where a diagnostic about a call points: the member name, or the
  /// function's name (`backward` in `torch::autograd::backward({loss})`).
  static SourceLocation locOf(const Expr *E) {
    const auto *Call = dyn_cast<CallExpr>(E);
    if (!Call)
      return E->getExprLoc();
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(
            Call->getCallee() ? Call->getCallee()->IgnoreParenImpCasts()
                              : nullptr);
        Ref && !isa<CXXOperatorCallExpr>(Call))
      return Ref->getLocation();
    return model::callLoc(E);
  }

  // --- Helpers called with grad mode disabled ------------------------------

  /// A `backward()` that `FD` runs on a loss computed in its caller's grad
  /// mode, itself or through calls it makes in that mode; null for none.
  const CallExpr *backwardThrough(const FunctionDecl *FD,
                                  llvm::DenseSet<const FunctionDecl *> &Seen) {
    FD = model::summaryKey(FD);
    if (!FD || !Check.Summaries.of(FD).Trains || !Seen.insert(FD).second)
      return nullptr;
    if (const CallExpr *Own = OwnBackward.lookup(FD))
      return Own;
    BodyFacts *F = factsOfFunction(FD);
    if (!F)
      return nullptr;
    for (const CallExpr *Call : CallsOf.lookup(FD)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!Callee || !Check.Summaries.of(Callee).Trains ||
          F->Modes->at(Call).Mode != BodyGradMode::FromCaller)
        continue;
      if (const CallExpr *Found = backwardThrough(Callee, Seen))
        return Found;
    }
    return nullptr;
  }

  /// What the warning calls the function a call runs: its name, or the
  /// variable that holds a lambda.
  static std::string calleeName(const CallExpr *Call, const FunctionDecl *FD) {
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
        MD && MD->getParent()->isLambda()) {
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
        if (const auto *Ref = dyn_cast<DeclRefExpr>(strip(Op->getArg(0))))
          return Ref->getDecl()->getNameAsString();
      return "lambda";
    }
    return FD->getNameAsString();
  }

  void reportHelperCall(const CallExpr *Call) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || !Check.Summaries.of(Callee).Trains)
      return;
    BodyFacts *F = factsAt(Call);
    if (!F || !F->Graph->contains(Call))
      return;
    const GradModeAt Here = F->Modes->at(Call);
    if (Here.Mode != BodyGradMode::Disabled)
      return;
    llvm::DenseSet<const FunctionDecl *> Seen;
    const CallExpr *Backward = backwardThrough(Callee, Seen);
    if (!Backward)
      return;
    Check.diag(locOf(Call),
               "'%0' runs 'backward()' with grad mode disabled, so nothing is "
               "trained")
        << calleeName(Call, Callee);
    Check.diag(locOf(Backward), "'backward()' is called here",
               DiagnosticIDs::Note);
    noteDisabled(Here.DisabledBy);
  }

  BackwardUnderNoGradCheck &Check;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyFacts>> Facts;
  std::vector<const CallExpr *> Backwards;
  /// Every call of the user's code, in the order of the source.
  std::vector<const CallExpr *> Calls;
  /// Per function (its summary key), the calls its body makes, backward()
  /// left out.
  llvm::DenseMap<const FunctionDecl *, std::vector<const CallExpr *>> CallsOf;
  /// Per function (its summary key), its first backward() on a loss computed
  /// in its caller's grad mode.
  llvm::DenseMap<const FunctionDecl *, const CallExpr *> OwnBackward;
  llvm::DenseMap<const CallExpr *, std::pair<Verdict, const Origin *>> Verdicts;
  std::deque<Origin> Kept;
};

void BackwardUnderNoGradCheck::onStartOfTranslationUnit() { clear(); }

void BackwardUnderNoGradCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
}

void BackwardUnderNoGradCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void BackwardUnderNoGradCheck::check(const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  Analysis(*this).run();
  clear();
}

} // namespace clang::tidy::torch
