// SPDX-License-Identifier: Apache-2.0
// torch-undetached-recurrent-state: recurrent state carried across training
// iterations without detach().

#include "UndetachedRecurrentStateCheck.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "model/ValueFlow.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SetVector.h"
#include <cstdint>
#include <map>
#include <vector>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

using ast::enclosingBody;
using ast::enclosingLoops;
using ast::isLoop;
using ast::isWithin;
using ast::loopBody;
using ast::parentStmt;

// ---- State types ------------------------------------------------------------

enum class Wrapper : std::uint8_t { None, Tuple, Pair, Optional };

const ClassTemplateSpecializationDecl *specialization(QualType T,
                                                      Wrapper &Kind) {
  Kind = Wrapper::None;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType().getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec || !Spec->getIdentifier())
    return nullptr;
  const StringRef Name = Spec->getName();
  const bool InStd = Spec->isInStdNamespace();
  if (InStd && Name == "tuple")
    Kind = Wrapper::Tuple;
  else if (InStd && Name == "pair")
    Kind = Wrapper::Pair;
  else if (Name == "optional" &&
           (InStd || Spec->getQualifiedNameAsString() == "c10::optional"))
    Kind = Wrapper::Optional;
  return Kind == Wrapper::None ? nullptr : Spec;
}

/// The type arguments of a specialization, with packs expanded.
llvm::SmallVector<QualType, 4>
typeArguments(const ClassTemplateSpecializationDecl *Spec) {
  llvm::SmallVector<QualType, 4> Types;
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
    if (Arg.getKind() == TemplateArgument::Type)
      Types.push_back(Arg.getAsType());
    else if (Arg.getKind() == TemplateArgument::Pack)
      for (const TemplateArgument &Element : Arg.pack_elements())
        if (Element.getKind() == TemplateArgument::Type)
          Types.push_back(Element.getAsType());
  }
  return Types;
}

/// A tensor, a tuple or pair holding one, or an optional of either.
bool isStateType(QualType T, unsigned Depth = 0) {
  if (api::isTensorType(T.getCanonicalType()))
    return true;
  Wrapper Kind;
  const ClassTemplateSpecializationDecl *Spec = specialization(T, Kind);
  if (!Spec || Depth > 4)
    return false;
  const llvm::SmallVector<QualType, 4> Types = typeArguments(Spec);
  if (Kind == Wrapper::Optional)
    return !Types.empty() && isStateType(Types.front(), Depth + 1);
  return llvm::any_of(
      Types, [Depth](QualType E) { return isStateType(E, Depth + 1); });
}

/// The positions of a state that hold tensors: `-1` for the whole value, or
/// the `std::get` indices of a tuple or pair (inside an optional too).
llvm::SmallVector<int, 2> slotsOf(QualType T) {
  Wrapper Kind;
  const ClassTemplateSpecializationDecl *Spec = specialization(T, Kind);
  if (Spec && Kind == Wrapper::Optional) {
    const llvm::SmallVector<QualType, 4> Types = typeArguments(Spec);
    if (Types.empty())
      return {-1};
    Spec = specialization(Types.front(), Kind);
  }
  if (!Spec || Kind == Wrapper::Optional)
    return {-1};
  llvm::SmallVector<int, 2> Slots;
  const llvm::SmallVector<QualType, 4> Types = typeArguments(Spec);
  for (unsigned I = 0; I < Types.size(); ++I)
    if (isStateType(Types[I]))
      Slots.push_back(static_cast<int>(I));
  return Slots;
}

// ---- References to a state --------------------------------------------------

/// One tensor position of a state variable: the whole of it (`Index == -1`)
/// or its element `std::get<Index>`.
struct StateRef {
  const ValueDecl *Var = nullptr;
  int Index = -1;
  bool covers(const ValueDecl *V, int Slot) const {
    return Var == V && (Index == -1 || Slot == -1 || Index == Slot);
  }
};

bool isOptional(QualType T) {
  Wrapper Kind;
  return specialization(T, Kind) && Kind == Wrapper::Optional;
}

/// `std::get<I>(...)`: the index, or -1.
int stdGetIndex(const CallExpr *Call) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || FD->getName() != "get" ||
      !FD->isInStdNamespace() || Call->getNumArgs() != 1)
    return -1;
  const TemplateArgumentList *Args = FD->getTemplateSpecializationArgs();
  if (!Args || Args->size() == 0 ||
      Args->get(0).getKind() != TemplateArgument::Integral)
    return -1;
  return static_cast<int>(Args->get(0).getAsIntegral().getExtValue());
}

bool isStdFunction(const CallExpr *Call, StringRef Name) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getIdentifier() && FD->getName() == Name &&
         FD->isInStdNamespace();
}

/// The state position `E` designates: a variable, parameter or field (of
/// `this`) of state type, through `*`, `->`, `.value()` of an optional,
/// `std::move` and `std::get<I>`.
std::optional<StateRef> stateRef(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    E = E->IgnoreUnlessSpelledInSource();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      if (VD && !isa<DecompositionDecl>(VD) && isStateType(VD->getType()))
        return StateRef{VD, -1};
      return std::nullopt;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
      if (FD && isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()) &&
          isStateType(FD->getType()))
        return StateRef{FD, -1};
      return std::nullopt;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E);
        UO && UO->getOpcode() == UO_Deref) {
      E = UO->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() != OO_Star && Op->getOperator() != OO_Arrow) ||
          Op->getNumArgs() != 1 || !isOptional(Op->getArg(0)->getType()))
        return std::nullopt;
      E = Op->getArg(0);
      continue;
    }
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *MD = Member->getMethodDecl();
      if (!MD || !MD->getIdentifier() || MD->getName() != "value" ||
          !isOptional(Member->getImplicitObjectArgument()->getType()))
        return std::nullopt;
      E = Member->getImplicitObjectArgument();
      continue;
    }
    const auto *Call = dyn_cast<CallExpr>(E);
    if (isStdFunction(Call, "move") && Call->getNumArgs() == 1) {
      E = Call->getArg(0);
      continue;
    }
    const int Index = stdGetIndex(Call);
    if (Index < 0)
      return std::nullopt;
    std::optional<StateRef> Whole = stateRef(Call->getArg(0));
    if (!Whole || Whole->Index != -1)
      return std::nullopt;
    return StateRef{Whole->Var, Index};
  }
  return std::nullopt;
}

/// `t.detach()`, `t.detach_()` and `t.data()`: values without history.
bool isDetachLike(const Stmt *S) {
  return api::asTensorCall(S, "detach") || api::asTensorCall(S, "detach_") ||
         api::asTensorCall(S, "data");
}

const FunctionDecl *calleeOf(const Stmt *S) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  return Call ? Call->getDirectCallee() : nullptr;
}

/// The declaration a name in an expression refers to: a variable, a
/// structured binding or a field of `this`.
const ValueDecl *namedDecl(const Expr *E) {
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return DRE->getDecl();
  if (const auto *ME = dyn_cast<MemberExpr>(E);
      ME && isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return ME->getMemberDecl();
  return nullptr;
}

bool referencesDecl(const Stmt *S, const ValueDecl *D) {
  if (!S)
    return false;
  if (const auto *E = dyn_cast<Expr>(S); E && namedDecl(E) == D)
    return true;
  return llvm::any_of(S->children(), [D](const Stmt *Child) {
    return referencesDecl(Child, D);
  });
}

/// An assignment to state positions: `s = e`, `std::get<I>(s) = e`,
/// `std::tie(a, s) = e`, `std::forward_as_tuple(a, std::tie(h, c)) = e`.
struct Assignment {
  const Expr *Op = nullptr;
  const Expr *Rhs = nullptr;
  llvm::SmallVector<StateRef, 2> Targets;
  llvm::SmallVector<const ValueDecl *, 2> Locals; // Any variable assigned.
};

std::optional<Assignment> asAssignment(const Stmt *S) {
  const Expr *Lhs = nullptr;
  const Expr *Rhs = nullptr;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
      Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
    Lhs = Op->getArg(0);
    Rhs = Op->getArg(1);
  } else if (const auto *BO = dyn_cast<BinaryOperator>(S);
             BO && BO->getOpcode() == BO_Assign) {
    Lhs = BO->getLHS();
    Rhs = BO->getRHS();
  } else {
    return std::nullopt;
  }
  Assignment A;
  A.Op = cast<Expr>(S);
  A.Rhs = Rhs;
  llvm::SmallVector<const Expr *, 4> Parts = model::tiedParts(Lhs);
  if (Parts.empty())
    Parts.push_back(Lhs);
  for (const Expr *Part : Parts) {
    if (std::optional<StateRef> Ref = stateRef(Part))
      A.Targets.push_back(*Ref);
    if (const ValueDecl *D = namedDecl(Part->IgnoreUnlessSpelledInSource()))
      A.Locals.push_back(D);
  }
  return A;
}

/// The statement that `E` is the expression of, and where a statement can be
/// inserted after it. Null when it is not an expression statement in a block
/// or the direct body of an `if` or a loop.
struct StatementSite {
  const Stmt *Statement = nullptr;
  bool NeedsBraces = false;
};

StatementSite statementOf(const Expr *E, const ast::ParentIndex &Parents) {
  const Stmt *S = E;
  const Stmt *P = parentStmt(S, Parents);
  while (P && isa<Expr>(P)) {
    S = P;
    P = parentStmt(S, Parents);
  }
  if (!P)
    return {};
  if (isa<CompoundStmt>(P))
    return {S, false};
  const auto *If = dyn_cast<IfStmt>(P);
  if ((If && (If->getThen() == S || If->getElse() == S)) ||
      (isLoop(P) && loopBody(P) == S))
    return {S, true};
  return {};
}

/// An expression that yields `Base` with every tensor in it detached, or the
/// empty string when it holds no tensor.
std::string detachedExpr(QualType T, const std::string &Base) {
  if (api::isTensorType(T.getCanonicalType()))
    return Base + ".detach()";
  Wrapper Kind;
  const ClassTemplateSpecializationDecl *Spec = specialization(T, Kind);
  if (!Spec || Kind == Wrapper::Optional)
    return "";
  const llvm::SmallVector<QualType, 4> Types = typeArguments(Spec);
  std::string Text =
      Kind == Wrapper::Pair ? "std::make_pair(" : "std::make_tuple(";
  bool Any = false;
  for (unsigned I = 0; I < Types.size(); ++I) {
    const std::string Element =
        "std::get<" + std::to_string(I) + ">(" + Base + ")";
    std::string Detached = detachedExpr(Types[I], Element);
    Any |= !Detached.empty();
    Text += (I ? ", " : "") + (Detached.empty() ? Element : Detached);
  }
  return Any ? Text + ")" : "";
}

/// A statement that detaches every tensor of `V`, or the empty string.
std::string detachStatement(const ValueDecl *V) {
  const std::string Name = V->getName().str();
  const QualType T = V->getType().getNonReferenceType();
  Wrapper Kind;
  if (const ClassTemplateSpecializationDecl *Spec = specialization(T, Kind);
      Spec && Kind == Wrapper::Optional) {
    const llvm::SmallVector<QualType, 4> Types = typeArguments(Spec);
    if (Types.empty())
      return "";
    const bool IsTensor = api::isTensorType(Types.front().getCanonicalType());
    const std::string Inner = IsTensor
                                  ? Name + "->detach()"
                                  : detachedExpr(Types.front(), "*" + Name);
    return Inner.empty() ? ""
                         : "if (" + Name + ") " + Name + " = " + Inner + ";";
  }
  const std::string Detached = detachedExpr(T, Name);
  return Detached.empty() ? "" : Name + " = " + Detached + ";";
}

} // namespace

// ---- The check --------------------------------------------------------------

void UndetachedRecurrentStateCheck::onStartOfTranslationUnit() { clear(); }

void UndetachedRecurrentStateCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
  StateStores.clear();
}

const UndetachedRecurrentStateCheck::StateStore *
UndetachedRecurrentStateCheck::stateStoreOf(const FunctionDecl *FD) const {
  if (!FD)
    return nullptr;
  const FunctionDecl *Key = model::summaryKey(FD);
  if (auto It = StateStores.find(Key); It != StateStores.end())
    return &It->second;
  // Stored by a method that `FD` calls: one of its class, first in source.
  const auto *MD = dyn_cast<CXXMethodDecl>(Key);
  const StateStore *Found = nullptr;
  for (const auto &[Method, Store] : StateStores)
    if (MD && Store.Field->getParent() == MD->getParent() &&
        (!Found ||
         Parents.context().getSourceManager().isBeforeInTranslationUnit(
             Store.Assignment->getBeginLoc(),
             Found->Assignment->getBeginLoc())))
      Found = &Store;
  return Found;
}

void UndetachedRecurrentStateCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds its backward() calls in
  // the user's code itself (see ast::UserCodeVisitor).
  Finder->addMatcher(translationUnitDecl(), this);
}

void UndetachedRecurrentStateCheck::check(
    const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  summarize();
  for (const auto &[D, Body] : model::bodiesWithBackwardInLoop(Parents))
    analyzeBody(D, Body);
  clear();
}

namespace {

/// A state position handed to a module call with its history and assigned
/// back from the call's output.
struct Recurrence {
  const CallExpr *Call = nullptr;
  const ValueDecl *Var = nullptr;
  llvm::SmallVector<int, 2> Slots;
  /// Per slot, the assignments of the call's output to it.
  llvm::SmallVector<llvm::SmallVector<const Stmt *, 2>, 2> Reassigns;
  /// The state and the variables holding the call's output: an assignment
  /// of a value that uses none of them ends the state's history.
  llvm::DenseSet<const ValueDecl *> Live;
};

/// A path on which the history of a recurrent call, freed or retained by
/// `Backward`, comes back to the call through the state, put there by
/// `Reassign`.
struct Violation {
  const Stmt *Reassign = nullptr;
  const Stmt *Backward = nullptr;
  /// True when the reassignment comes after the `backward()` on the path.
  bool ReassignAfterBackward = false;
};

/// A call of a module whose `forward` keeps recurrent state in the module
/// (`StoresRecurrentState`).
struct StatefulCall {
  const CallExpr *Call = nullptr;
  /// The variable, parameter or field that holds the module.
  const ValueDecl *Module = nullptr;
  /// The `forward` that stores the state.
  const FunctionDecl *Forward = nullptr;
};

/// What a body is analyzed for: its training loops, or (a method's body)
/// whether it keeps recurrent state in fields of its object.
enum class Purpose : std::uint8_t { TrainingLoops, MethodSummary };

/// The recurrences of one body and the flow questions about them.
class RecurrenceAnalysis {
public:
  RecurrenceAnalysis(UndetachedRecurrentStateCheck &Check,
                     const flow::FlowGraph &Graph, const Stmt *Body,
                     const ast::ParentIndex &Parents, Purpose For)
      : Check(Check), Graph(Graph), Body(Body), Parents(Parents),
        Context(Parents.context()), SM(Context.getSourceManager()), For(For) {
    collect(Body);
    Graph.forEachStmt([&](const Stmt *S) {
      Elements.push_back(S);
      if (model::isBackward(S))
        Backwards.push_back(S);
      else if (const CallExpr *Call = api::asModuleForwardCall(S))
        Calls.push_back(Call);
      else if (const model::MethodCall Named = model::asForward(S);
               For == Purpose::MethodSummary && Named && isa<CallExpr>(Named.E))
        // A method of a class template: `cell->forward(x, h)` on a member
        // of dependent type, by name.
        Calls.push_back(cast<CallExpr>(Named.E));
    });
    llvm::sort(Backwards,
               [this](const Stmt *A, const Stmt *B) { return before(A, B); });
    llvm::sort(Calls,
               [this](const Stmt *A, const Stmt *B) { return before(A, B); });
    if (For == Purpose::MethodSummary || !Backwards.empty())
      findRecurrences();
    if (For == Purpose::TrainingLoops && !Backwards.empty())
      findStatefulCalls();
  }

  bool before(const Stmt *A, const Stmt *B) const {
    return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
  }

  const std::vector<Recurrence> &recurrences() const { return Recurrences; }
  const std::vector<StatefulCall> &statefulCalls() const {
    return StatefulCalls;
  }

  /// The `backward()` calls on a path from a stateful call back to it,
  /// with nothing on the way that detaches or resets the module's state.
  llvm::SmallVector<const Stmt *, 2> violations(const StatefulCall &SC);

  /// For a method: where it stores a module call's output in a field that
  /// it handed to that call, such that the field's value comes from the
  /// method's entry (the previous call) and reaches its exit (the next one)
  /// with its history. Null when it stores none.
  std::optional<UndetachedRecurrentStateCheck::StateStore> storedState();
  /// For a method: true when it assigns a field of its object that holds
  /// recurrent state a value computed from neither a module call nor a
  /// state.
  bool resetsState();

  /// The violations of one slot of `R` when the whole state is detached
  /// right after each statement of `Fixed`.
  llvm::SmallVector<Violation, 2>
  violations(const Recurrence &R, unsigned SlotIndex,
             const llvm::DenseSet<const Stmt *> &Fixed);

  /// The statements after which detaching the state ends every violation
  /// of its recurrences without shortening any history that no `backward()`
  /// has used, in source order; `std::nullopt` when there is no such set.
  std::optional<std::vector<StatementSite>> planFix(const ValueDecl *Var);

private:
  /// Where a statement goes after the statement of `S`, if anywhere.
  std::optional<StatementSite> fixSite(const Stmt *S) const;
  void collect(const Stmt *S);
  void findRecurrences();
  void findStatefulCalls();
  /// True when `S` detaches or resets the state that `Module` keeps, or
  /// replaces the module.
  bool killsModuleState(const Stmt *S, const ValueDecl *Module);

  /// Calls `Visit` on `S` and its sub-expressions that are not inside a
  /// detach, a call to a detaching helper or a lambda; `Visit` returns false
  /// to skip the children of a node.
  void walkLive(const Stmt *S, llvm::function_ref<bool(const Expr *)> Visit);
  /// True when the value of `E` has the history of `Call` or of `Decls`.
  /// Values produced by other module calls count only with `ThroughModules`.
  bool carries(const Expr *E, const llvm::DenseSet<const ValueDecl *> &Decls,
               const Expr *Call, bool ThroughModules);
  /// The state positions that `E` hands on with their history.
  llvm::SmallVector<StateRef, 2> liveStateRefs(const Expr *E);
  /// The variables holding the output of `Call`, except `Excluded`.
  llvm::DenseSet<const ValueDecl *> carriersOf(const Expr *Call,
                                               const ValueDecl *Excluded);

  bool killsAt(const Stmt *S, const Recurrence &R, int Slot);
  const llvm::DenseSet<const Stmt *> &killSet(const Recurrence &R,
                                              unsigned SlotIndex);

  UndetachedRecurrentStateCheck &Check;
  const flow::FlowGraph &Graph;
  const Stmt *Body;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
  const SourceManager &SM;
  const Purpose For;

  std::vector<const Stmt *> Elements;
  llvm::SmallVector<const Stmt *, 4> Backwards;
  llvm::SmallVector<const CallExpr *, 4> Calls;
  std::vector<std::pair<const Expr *, llvm::SmallVector<const ValueDecl *, 2>>>
      Inits;
  std::vector<Assignment> Assignments;
  llvm::DenseMap<const Stmt *, size_t> AssignmentIndex;
  std::vector<const IfStmt *> Ifs;
  std::vector<Recurrence> Recurrences;
  std::vector<StatefulCall> StatefulCalls;
  std::map<std::pair<const Recurrence *, unsigned>,
           llvm::DenseSet<const Stmt *>>
      Kills;
};

void RecurrenceAnalysis::collect(const Stmt *S) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls()) {
      const auto *VD = dyn_cast<VarDecl>(D);
      if (!VD || !VD->getInit())
        continue;
      llvm::SmallVector<const ValueDecl *, 2> Targets{VD};
      if (const auto *DD = dyn_cast<DecompositionDecl>(VD))
        for (const BindingDecl *B : DD->bindings())
          Targets.push_back(B);
      Inits.emplace_back(VD->getInit(), Targets);
    }
  } else if (std::optional<Assignment> A = asAssignment(S)) {
    AssignmentIndex[S] = Assignments.size();
    Assignments.push_back(std::move(*A));
  } else if (const auto *If = dyn_cast<IfStmt>(S)) {
    Ifs.push_back(If);
  }
  for (const Stmt *Child : S->children())
    collect(Child);
}

void RecurrenceAnalysis::walkLive(
    const Stmt *S, llvm::function_ref<bool(const Expr *)> Visit) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  if (!E || isa<LambdaExpr>(E) || isDetachLike(E) ||
      (isa<CallExpr>(E) && Check.summaryOf(calleeOf(E)).Detaches))
    return;
  if (!Visit(E))
    return;
  for (const Stmt *Child : E->children())
    walkLive(Child, Visit);
}

bool RecurrenceAnalysis::carries(const Expr *E,
                                 const llvm::DenseSet<const ValueDecl *> &Decls,
                                 const Expr *Call, bool ThroughModules) {
  bool Found = false;
  walkLive(E, [&](const Expr *Node) {
    if (Found)
      return false;
    const ValueDecl *D = namedDecl(Node);
    Found = Node == Call || (D && Decls.contains(D));
    return !Found && (ThroughModules || !api::asModuleForwardCall(Node));
  });
  return Found;
}

llvm::SmallVector<StateRef, 2>
RecurrenceAnalysis::liveStateRefs(const Expr *E) {
  llvm::SmallVector<StateRef, 2> Refs;
  walkLive(E, [&](const Expr *Node) {
    if (std::optional<StateRef> Ref = stateRef(Node)) {
      Refs.push_back(*Ref);
      return false;
    }
    return api::asModuleForwardCall(Node) == nullptr;
  });
  return Refs;
}

llvm::DenseSet<const ValueDecl *>
RecurrenceAnalysis::carriersOf(const Expr *Call, const ValueDecl *Excluded) {
  llvm::DenseSet<const ValueDecl *> Carriers;
  for (bool Changed = true; Changed;) {
    Changed = false;
    auto Add = [&](const ValueDecl *D) {
      if (D && D != Excluded && Carriers.insert(D).second)
        Changed = true;
    };
    for (const auto &[Init, Targets] : Inits)
      if (carries(Init, Carriers, Call, /*ThroughModules=*/false))
        for (const ValueDecl *Target : Targets)
          Add(Target);
    for (const Assignment &A : Assignments)
      if (carries(A.Rhs, Carriers, Call, /*ThroughModules=*/false))
        for (const ValueDecl *Target : A.Locals)
          Add(Target);
  }
  return Carriers;
}

void RecurrenceAnalysis::findRecurrences() {
  for (const CallExpr *Call : Calls) {
    if (!Graph.contains(Call) || !scope::recordsGraph(Call, Parents))
      continue;
    llvm::SetVector<const ValueDecl *> Vars;
    llvm::DenseMap<const ValueDecl *, llvm::SmallVector<int, 2>> Passed;
    for (const Expr *Arg : api::forwardArguments(Call))
      for (const StateRef &Ref : liveStateRefs(Arg)) {
        Vars.insert(Ref.Var);
        Passed[Ref.Var].push_back(Ref.Index);
      }
    if (Vars.empty())
      continue;
    const llvm::DenseSet<const ValueDecl *> AllCarriers =
        carriersOf(Call, nullptr);
    for (const ValueDecl *Var : Vars) {
      if (For == Purpose::MethodSummary && !isa<FieldDecl>(Var))
        continue;
      const llvm::DenseSet<const ValueDecl *> Carriers = carriersOf(Call, Var);
      Recurrence R;
      R.Call = Call;
      R.Var = Var;
      for (int Slot : slotsOf(Var->getType())) {
        if (llvm::none_of(Passed[Var], [Slot](int Index) {
              return Index == -1 || Slot == -1 || Index == Slot;
            }))
          continue;
        llvm::SmallVector<const Stmt *, 2> Reassigns;
        for (const Assignment &A : Assignments)
          if (Graph.contains(A.Op) &&
              llvm::any_of(
                  A.Targets,
                  [&](const StateRef &T) { return T.covers(Var, Slot); }) &&
              carries(A.Rhs, Carriers, Call, /*ThroughModules=*/false))
            Reassigns.push_back(A.Op);
        if (Reassigns.empty())
          continue;
        R.Slots.push_back(Slot);
        R.Reassigns.push_back(std::move(Reassigns));
      }
      if (R.Slots.empty())
        continue;
      R.Live = AllCarriers;
      R.Live.insert(Var);
      Recurrences.push_back(std::move(R));
    }
  }
}

/// The variable, parameter or field (of `this`) at the root of an object
/// expression: `model` in `model->hidden`, `std::get<0>(model->hidden)`,
/// `model.get()->reset_state()`'s object.
const ValueDecl *rootDecl(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 16; ++Steps) {
    E = E->IgnoreUnlessSpelledInSource();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return DRE->getDecl();
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
        return ME->getMemberDecl();
      E = ME->getBase();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (Op->getNumArgs() == 0)
        return nullptr;
      E = Op->getArg(0);
    } else if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      E = UO->getSubExpr();
    } else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
      E = Member->getImplicitObjectArgument();
    } else if (const auto *Call = dyn_cast<CallExpr>(E);
               Call && Call->getNumArgs() == 1 &&
               (isStdFunction(Call, "get") || isStdFunction(Call, "move"))) {
      E = Call->getArg(0);
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

/// The object a module call runs on, as written.
const Expr *moduleObject(const CallExpr *Call) {
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
    return Member->getImplicitObjectArgument();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
      Op && Op->getNumArgs() > 0)
    return Op->getArg(0);
  return nullptr;
}

void RecurrenceAnalysis::findStatefulCalls() {
  for (const CallExpr *Call : Calls) {
    if (!Graph.contains(Call) || !scope::recordsGraph(Call, Parents))
      continue;
    const FunctionDecl *Forward = nullptr;
    for (const CXXMethodDecl *MD : model::forwardMethods(Call))
      if (Check.summaryOf(MD).StoresRecurrentState) {
        Forward = MD;
        break;
      }
    const Expr *Object = moduleObject(Call);
    const ValueDecl *Module = Object ? rootDecl(Object) : nullptr;
    if (Forward && Module)
      StatefulCalls.push_back({Call, Module, Forward});
  }
}

bool RecurrenceAnalysis::killsModuleState(const Stmt *S,
                                          const ValueDecl *Module) {
  // A module declared in the loop, or assigned (also a state field of it).
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    return llvm::is_contained(DS->decls(), Module);
  if (auto It = AssignmentIndex.find(S); It != AssignmentIndex.end()) {
    const Expr *Lhs = nullptr;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
      Lhs = Op->getArg(0);
    else if (const auto *BO = dyn_cast<BinaryOperator>(S))
      Lhs = BO->getLHS();
    return Lhs && rootDecl(Lhs) == Module;
  }
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call)
    return false;
  const model::FunctionSummary Callee = Check.summaryOf(calleeOf(Call));
  if (!Callee.Detaches && !Callee.ResetsState)
    return false;
  // `model->detachHidden()`, or a member helper of the object that holds
  // the module as a field.
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    const Expr *Object = Member->getImplicitObjectArgument();
    if (Object && rootDecl(Object) == Module)
      return true;
    if ((!Object || isa<CXXThisExpr>(Object->IgnoreParenImpCasts())) &&
        isa<FieldDecl>(Module))
      return true;
  }
  // `detach_hidden(model)`.
  return llvm::any_of(Call->arguments(), [Module](const Expr *Arg) {
    return referencesDecl(Arg, Module);
  });
}

llvm::SmallVector<const Stmt *, 2>
RecurrenceAnalysis::violations(const StatefulCall &SC) {
  llvm::DenseSet<const Stmt *> KillStmts;
  for (const Stmt *S : Elements)
    if (killsModuleState(S, SC.Module))
      KillStmts.insert(S);
  const Stmt *Call = SC.Call;
  const auto Kill = [&](const Stmt *S) { return KillStmts.contains(S); };
  const auto KillOrCall = [&](const Stmt *S) { return Kill(S) || S == Call; };
  const llvm::SmallVector<const Stmt *, 4> CallLoops =
      enclosingLoops(Call, Body, Parents);
  llvm::SmallVector<const Stmt *, 2> Found;
  for (const Stmt *Backward : Backwards)
    if (llvm::any_of(
            enclosingLoops(Backward, Body, Parents),
            [&](const Stmt *L) { return llvm::is_contained(CallLoops, L); }) &&
        Graph.reaches(Call, Backward, KillOrCall) &&
        Graph.reaches(Backward, Call, Kill))
      Found.push_back(Backward);
  return Found;
}

std::optional<UndetachedRecurrentStateCheck::StateStore>
RecurrenceAnalysis::storedState() {
  for (const Recurrence &R : Recurrences) {
    const auto *Field = dyn_cast<FieldDecl>(R.Var);
    if (!Field)
      continue;
    const Stmt *Call = R.Call;
    const auto IsCall = [Call](const Stmt *S) { return S == Call; };
    for (unsigned I = 0; I < R.Slots.size(); ++I) {
      const llvm::DenseSet<const Stmt *> &KillStmts = killSet(R, I);
      const auto Kill = [&](const Stmt *S) { return KillStmts.contains(S); };
      if (!Graph.reachedFromEntry(Call, Kill))
        continue;
      for (const Stmt *Reassign : R.Reassigns[I])
        if (Graph.reaches(Call, Reassign, IsCall) &&
            Graph.reachesExit(Reassign, Kill))
          return UndetachedRecurrentStateCheck::StateStore{Field, Reassign};
    }
  }
  return std::nullopt;
}

bool RecurrenceAnalysis::resetsState() {
  return llvm::any_of(Assignments, [this](const Assignment &A) {
    if (!Graph.contains(A.Op) ||
        llvm::none_of(A.Targets,
                      [](const StateRef &T) { return isa<FieldDecl>(T.Var); }))
      return false;
    bool Fresh = true;
    walkLive(A.Rhs, [&](const Expr *Node) {
      if (api::asModuleForwardCall(Node) || model::asForward(Node) ||
          stateRef(Node))
        Fresh = false;
      return Fresh;
    });
    return Fresh;
  });
}

// What ends the history a state position holds: the declaration of the
// state, an assignment of a value that does not use the state or the call's
// output, `detach_()`, `reset()`, or a detaching helper given the state (or
// able to reach it).
bool RecurrenceAnalysis::killsAt(const Stmt *S, const Recurrence &R, int Slot) {
  const ValueDecl *Var = R.Var;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    return llvm::any_of(DS->decls(), [Var](const Decl *D) { return D == Var; });
  if (auto It = AssignmentIndex.find(S); It != AssignmentIndex.end()) {
    const Assignment &A = Assignments[It->second];
    return llvm::any_of(
               A.Targets,
               [&](const StateRef &T) { return T.covers(Var, Slot); }) &&
           !carries(A.Rhs, R.Live, R.Call, /*ThroughModules=*/true);
  }
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *MD = Member->getMethodDecl();
    if (MD && MD->getIdentifier() &&
        (MD->getName() == "reset" || api::asTensorCall(Member, "detach_"))) {
      const std::optional<StateRef> Ref =
          stateRef(Member->getImplicitObjectArgument());
      if (Ref && Ref->covers(Var, Slot))
        return true;
    }
  }
  const auto *Call = dyn_cast<CallExpr>(S);
  if (!Call || !Check.summaryOf(calleeOf(Call)).Detaches)
    return false;
  const auto *VD = dyn_cast<VarDecl>(Var);
  const FunctionDecl *Def = nullptr;
  return !VD || VD->hasGlobalStorage() ||
         (calleeOf(Call)->hasBody(Def) &&
          referencesDecl(Def->getBody(), Var)) ||
         llvm::any_of(Call->arguments(), [Var](const Expr *Arg) {
           return referencesDecl(Arg, Var);
         });
}

const llvm::DenseSet<const Stmt *> &
RecurrenceAnalysis::killSet(const Recurrence &R, unsigned SlotIndex) {
  auto [It, Inserted] = Kills.try_emplace({&R, SlotIndex});
  if (!Inserted)
    return It->second;
  const int Slot = R.Slots[SlotIndex];
  llvm::DenseSet<const Stmt *> &Set = It->second;
  for (const Stmt *S : Elements)
    if (killsAt(S, R, Slot))
      Set.insert(S);
  // `if (h.defined()) h = h.detach();`, `if (s) s = ...;`: an `if` whose
  // branch ends the history whenever the state holds a value ends it on
  // both edges, so its condition does.
  for (const IfStmt *If : Ifs) {
    if (If->getElse() || !If->getCond())
      continue;
    const Expr *Cond = If->getCond()->IgnoreUnlessSpelledInSource();
    if (const auto *Test = dyn_cast<CXXMemberCallExpr>(Cond)) {
      const CXXMethodDecl *MD = Test->getMethodDecl();
      if (MD && MD->getIdentifier() &&
          (MD->getName() == "has_value" || MD->getName() == "defined"))
        Cond = Test->getImplicitObjectArgument();
    }
    const std::optional<StateRef> Ref = stateRef(Cond);
    if (!Ref || Ref->Var != R.Var || Ref->Index != -1)
      continue;
    llvm::SmallVector<const Stmt *, 4> Then;
    if (const auto *Block = dyn_cast<CompoundStmt>(If->getThen()))
      Then.append(Block->body_begin(), Block->body_end());
    else
      Then.push_back(If->getThen());
    if (llvm::none_of(Then, [&](const Stmt *S) {
          if (const auto *E = dyn_cast<Expr>(S))
            S = E->IgnoreUnlessSpelledInSource();
          return killsAt(S, R, Slot);
        }))
      continue;
    llvm::SmallVector<const Stmt *, 8> Work{If->getCond()};
    while (!Work.empty()) {
      const Stmt *S = Work.pop_back_val();
      Set.insert(S);
      for (const Stmt *Child : S->children())
        if (Child)
          Work.push_back(Child);
    }
  }
  return Set;
}

llvm::SmallVector<Violation, 2>
RecurrenceAnalysis::violations(const Recurrence &R, unsigned SlotIndex,
                               const llvm::DenseSet<const Stmt *> &Fixed) {
  const llvm::DenseSet<const Stmt *> &KillStmts = killSet(R, SlotIndex);
  const Stmt *Call = R.Call;
  const auto IsCall = [Call](const Stmt *S) { return S == Call; };
  const auto Kill = [&](const Stmt *S) {
    return KillStmts.contains(S) || Fixed.contains(S);
  };
  const auto KillOrCall = [&](const Stmt *S) { return Kill(S) || S == Call; };
  const llvm::SmallVector<const Stmt *, 4> CallLoops =
      enclosingLoops(Call, Body, Parents);
  llvm::SmallVector<Violation, 2> Found;
  for (const Stmt *Backward : Backwards) {
    if (llvm::none_of(
            enclosingLoops(Backward, Body, Parents),
            [&](const Stmt *L) { return llvm::is_contained(CallLoops, L); }))
      continue;
    for (const Stmt *Reassign : R.Reassigns[SlotIndex]) {
      if (Fixed.contains(Reassign))
        continue;
      // call -> reassign -> backward -> call.
      if (!Fixed.contains(Backward) && Graph.reaches(Call, Reassign, IsCall) &&
          Graph.reaches(Reassign, Backward, KillOrCall) &&
          Graph.reaches(Backward, Call, Kill))
        Found.push_back({Reassign, Backward, false});
      // call -> backward -> reassign -> call.
      else if (Graph.reaches(Call, Backward, IsCall) &&
               Graph.reaches(Backward, Reassign, IsCall) &&
               Graph.reaches(Reassign, Call, Kill))
        Found.push_back({Reassign, Backward, true});
    }
  }
  return Found;
}

std::optional<StatementSite> RecurrenceAnalysis::fixSite(const Stmt *S) const {
  const StatementSite Site = statementOf(cast<Expr>(S), Parents);
  if (!Site.Statement || S->getBeginLoc().isMacroID() ||
      Site.Statement->getBeginLoc().isMacroID() ||
      Site.Statement->getEndLoc().isMacroID())
    return std::nullopt;
  const SourceLocation Semi = Lexer::findLocationAfterToken(
      Site.Statement->getEndLoc(), tok::semi, SM, Context.getLangOpts(),
      /*SkipTrailingWhitespaceAndNewLine=*/false);
  if (Semi.isInvalid() || Semi.isMacroID())
    return std::nullopt;
  return Site;
}

std::optional<std::vector<StatementSite>>
RecurrenceAnalysis::planFix(const ValueDecl *Var) {
  if (detachStatement(Var).empty())
    return std::nullopt;
  // A local state must be in scope where the detach goes.
  const Stmt *Scope = nullptr;
  const DeclStmt *Declaration = nullptr;
  if (const auto *VD = dyn_cast<VarDecl>(Var); VD && VD->isLocalVarDecl()) {
    const DynTypedNodeList Up = Parents.of(*VD);
    Declaration = Up.empty() ? nullptr : Up[0].get<DeclStmt>();
    Scope = Declaration ? parentStmt(Declaration, Parents) : nullptr;
    if (!Scope)
      return std::nullopt;
  }
  const auto IsBackwardOr = [this](const Stmt *Call) {
    return [this, Call](const Stmt *S) {
      return S == Call || llvm::is_contained(Backwards, S);
    };
  };
  // Fix the first violation left, until none is: after its `backward()`,
  // or after its reassignment when that follows `backward()` on every path.
  llvm::DenseSet<const Stmt *> Fixed;
  std::vector<StatementSite> Sites;
  for (unsigned Round = 0; Round < 32; ++Round) {
    const Recurrence *First = nullptr;
    Violation V;
    for (const Recurrence &R : Recurrences) {
      if (R.Var != Var)
        continue;
      for (unsigned I = 0; I < R.Slots.size() && !First; ++I)
        if (llvm::SmallVector<Violation, 2> Found = violations(R, I, Fixed);
            !Found.empty()) {
          First = &R;
          V = Found.front();
        }
      if (First)
        break;
    }
    if (!First) {
      llvm::sort(Sites, [this](const StatementSite &A, const StatementSite &B) {
        return before(A.Statement, B.Statement);
      });
      return Sites;
    }
    const Stmt *At = V.ReassignAfterBackward ? V.Reassign : V.Backward;
    const std::optional<StatementSite> Site = fixSite(At);
    if (Fixed.contains(At) || !Site ||
        (Scope && (!isWithin(At, Scope, Parents) || before(At, Declaration))) ||
        (V.ReassignAfterBackward &&
         Graph.reaches(First->Call, V.Reassign, IsBackwardOr(First->Call))))
      return std::nullopt;
    Fixed.insert(At);
    Sites.push_back(*Site);
  }
  return std::nullopt;
}

/// Text inserted after a statement: on a line of its own, or on the same
/// line when more code follows there.
struct Insertion {
  StatementSite Site;
  llvm::SmallVector<const ValueDecl *, 2> Vars;
  bool Emitted = false;
};

void addInsertion(DiagnosticBuilder &Diag, const Insertion &In,
                  const SourceManager &SM, const LangOptions &LangOpts) {
  std::vector<std::string> Statements;
  for (const ValueDecl *Var : In.Vars)
    Statements.push_back(detachStatement(Var));
  if (In.Site.NeedsBraces) {
    for (const FixItHint &Hint :
         fixit::wrapAndInsertAfter(In.Site.Statement, Statements, SM, LangOpts))
      Diag << Hint;
    return;
  }
  if (std::optional<FixItHint> Hint =
          fixit::insertAfter(In.Site.Statement, Statements, SM, LangOpts))
    Diag << *Hint;
}

} // namespace

/// True when a field of the class of `MD` can hold recurrent state.
static bool hasStateField(const CXXMethodDecl *MD) {
  const CXXRecordDecl *RD = MD->getParent();
  return RD && !RD->isLambda() && RD->hasDefinition() &&
         llvm::any_of(RD->getDefinition()->fields(), [](const FieldDecl *F) {
           return isStateType(F->getType());
         });
}

void UndetachedRecurrentStateCheck::summarize() {
  // The body-local facts: detaches, then, with the detaching helpers known,
  // what each method does to the state fields of its object.
  llvm::DenseMap<const FunctionDecl *, model::FunctionSummary> Local;
  model::buildCallGraph(Summaries, Parents,
                        [&Local](const CallExpr *Call,
                                 llvm::ArrayRef<const FunctionDecl *> Owners) {
                          if (model::isDetach(Call))
                            for (const FunctionDecl *Owner : Owners)
                              Local[model::summaryKey(Owner)].Detaches = true;
                        });
  const auto LocalFacts = [&Local](const FunctionDecl *FD) {
    return Local.lookup(FD);
  };
  Summaries.compute(LocalFacts);
  ASTContext &Context = Parents.context();
  for (const FunctionDecl *Key : Summaries.functions()) {
    const auto *MD = dyn_cast<CXXMethodDecl>(Key);
    const FunctionDecl *Def = nullptr;
    // Implicit and defaulted members (a destructor the compiler writes) have
    // no statements of the user's; Clang's CFG builder is not meant for them.
    if (!MD || !hasStateField(MD) || !MD->hasBody(Def) || !Def->getBody() ||
        Def->isImplicit() || Def->isDefaulted() || Def->isInvalidDecl())
      continue;
    const std::unique_ptr<flow::FlowGraph> Graph =
        flow::FlowGraph::build(Def, Def->getBody(), Context);
    if (!Graph)
      continue;
    RecurrenceAnalysis Analysis(*this, *Graph, Def->getBody(), Parents,
                                Purpose::MethodSummary);
    model::FunctionSummary &Facts = Local[Key];
    Facts.ResetsState = Analysis.resetsState();
    if (std::optional<StateStore> Store = Analysis.storedState()) {
      Facts.StoresRecurrentState = true;
      Store->Method = Def;
      StateStores[Key] = *Store;
    }
  }
  Summaries.compute(LocalFacts);
}

/// Reports the calls of modules that keep recurrent state across
/// `backward()`: at the call, with notes at the `backward()` and where the
/// module's method stores the state.
static void reportStatefulCalls(UndetachedRecurrentStateCheck &Check,
                                RecurrenceAnalysis &Analysis,
                                const SourceManager &SM) {
  for (const StatefulCall &SC : Analysis.statefulCalls()) {
    const llvm::SmallVector<const Stmt *, 2> Backwards =
        Analysis.violations(SC);
    if (Backwards.empty())
      continue;
    const auto Retaining = [](const Stmt *Backward) {
      return api::retainsGraph(cast<Expr>(Backward));
    };
    const bool Retains = llvm::any_of(Backwards, Retaining);
    const Stmt *Shown = nullptr;
    for (const Stmt *Backward : Backwards)
      if ((!Retains || Retaining(Backward)) &&
          (!Shown || SM.isBeforeInTranslationUnit(Backward->getBeginLoc(),
                                                  Shown->getBeginLoc())))
        Shown = Backward;
    const UndetachedRecurrentStateCheck::StateStore *Store =
        Check.stateStoreOf(SC.Forward);
    const NamedDecl *Holder =
        Store ? static_cast<const NamedDecl *>(Store->Field) : SC.Module;
    Check.diag(
        SC.Call->getExprLoc(),
        "recurrent state %select{that module %1 keeps|%0, which module %1 "
        "keeps,}2 is carried into this call across 'backward()' without "
        "'detach()'%select{, so the next 'backward()' runs into the freed "
        "graph of the previous iteration|; 'retain_graph=true' hides the "
        "error but the autograd graph grows every iteration}3")
        << Holder << SC.Module << (Store != nullptr) << Retains;
    Check.diag(
        cast<Expr>(Shown)->getExprLoc(),
        "%select{this 'backward()' frees the graph that %0 still holds|this "
        "'backward()' keeps the graph that %0 extends alive}1",
        DiagnosticIDs::Note)
        << Holder << Retains;
    if (Store)
      Check.diag(
          Store->Assignment->getBeginLoc(),
          "%0 stores the output of a module call in %1 here, and the next "
          "call starts from it",
          DiagnosticIDs::Note)
          << Store->Method << Store->Field;
  }
}

void UndetachedRecurrentStateCheck::analyzeBody(const Decl *D, Stmt *Body) {
  ASTContext &Context = Parents.context();
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  RecurrenceAnalysis Analysis(*this, *Graph, Body, Parents,
                              Purpose::TrainingLoops);
  reportStatefulCalls(*this, Analysis, Context.getSourceManager());
  const std::vector<Recurrence> &Recurrences = Analysis.recurrences();
  if (Recurrences.empty())
    return;

  // The detaches, grouped per statement they follow.
  std::vector<Insertion> Insertions;
  llvm::DenseMap<const Stmt *, unsigned> InsertionIndex;
  llvm::SetVector<const ValueDecl *> Vars;
  for (const Recurrence &R : Recurrences)
    Vars.insert(R.Var);
  for (const ValueDecl *Var : Vars) {
    const std::optional<std::vector<StatementSite>> Plan =
        Analysis.planFix(Var);
    if (!Plan)
      continue;
    for (const StatementSite &Site : *Plan) {
      auto [It, Inserted] =
          InsertionIndex.try_emplace(Site.Statement, Insertions.size());
      if (Inserted)
        Insertions.push_back({Site, {}, false});
      if (!llvm::is_contained(Insertions[It->second].Vars, Var))
        Insertions[It->second].Vars.push_back(Var);
    }
  }

  for (const Recurrence &R : Recurrences) {
    llvm::SmallVector<Violation, 4> Found;
    for (unsigned I = 0; I < R.Slots.size(); ++I)
      Found.append(Analysis.violations(R, I, {}));
    if (Found.empty())
      continue;
    // The note shows the first backward() in the source, or the first that
    // retains its graph when one does.
    const auto Retaining = [](const Violation &V) {
      return api::retainsGraph(cast<Expr>(V.Backward));
    };
    const bool Retains = llvm::any_of(Found, Retaining);
    const Violation *Shown = nullptr;
    for (const Violation &V : Found)
      if ((!Retains || Retaining(V)) &&
          (!Shown || Analysis.before(V.Backward, Shown->Backward)))
        Shown = &V;
    {
      auto Diag = diag(R.Call->getExprLoc(),
                       "recurrent state %0 is carried into this call across "
                       "'backward()' without 'detach()'%select{, so the next "
                       "'backward()' runs into the freed graph of the "
                       "previous iteration|; 'retain_graph=true' hides the "
                       "error but the autograd graph grows every iteration}1")
                  << R.Var << Retains;
      for (Insertion &In : Insertions)
        if (!In.Emitted && llvm::is_contained(In.Vars, R.Var)) {
          In.Emitted = true;
          addInsertion(Diag, In, Context.getSourceManager(),
                       Context.getLangOpts());
        }
    }
    diag(model::callLoc(cast<Expr>(Shown->Backward)),
         "%select{this 'backward()' frees the graph that %0 still holds|this "
         "'backward()' keeps the graph that %0 extends alive}1",
         DiagnosticIDs::Note)
        << R.Var << Retains;
  }
}

} // namespace clang::tidy::torch
