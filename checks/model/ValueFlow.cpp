// SPDX-License-Identifier: Apache-2.0
// Where the values computed in one body flow: reaching definitions over its
// CFG.

#include "ValueFlow.h"
#include "Events.h"
#include "utils/TorchApi.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::torch::model {

namespace {

const Decl *wholeVariable(const Decl *D) {
  if (const auto *Binding = dyn_cast_or_null<BindingDecl>(D))
    if (const ValueDecl *Whole = Binding->getDecomposedDecl())
      return Whole->getCanonicalDecl();
  return D ? D->getCanonicalDecl() : nullptr;
}

/// The variable a `DeclRefExpr` or `this->field` names.
const Decl *namedVariable(const Stmt *S) {
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S))
    if (isa<VarDecl, BindingDecl>(DRE->getDecl()))
      return wholeVariable(DRE->getDecl());
  if (const auto *ME = dyn_cast<MemberExpr>(S))
    if (isa<FieldDecl>(ME->getMemberDecl()) &&
        isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
      return ME->getMemberDecl()->getCanonicalDecl();
  return nullptr;
}

/// Calls `Visit` on `S` and every node below it, lambda bodies left out, and
/// what is below a node that `Prune` accepts (after `Visit` saw it).
template <typename Fn, typename PruneFn>
bool anyNode(const Stmt *S, Fn &&Visit, PruneFn &&Prune) {
  if (!S)
    return false;
  if (Visit(S))
    return true;
  if (Prune(S))
    return false;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S))
    return llvm::any_of(Lambda->capture_inits(), [&](const Expr *Init) {
      return anyNode(Init, Visit, Prune);
    });
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return anyNode(Child, Visit, Prune);
  });
}
template <typename Fn> bool anyNode(const Stmt *S, Fn &&Visit) {
  return anyNode(S, Visit, [](const Stmt *) { return false; });
}

/// True when `E` is a LibTorch operation returning values and their indices
/// (`torch::max(x, 1)`, `x.topk(k)`, `x.sort()`): the second element of its
/// result, the indices, never carries autograd history.
bool returnsIndicesSecond(const Expr *E) {
  const auto *Call = dyn_cast<CallExpr>(E->IgnoreImplicit());
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || !api::isLibTorchFunction(FD))
    return false;
  return llvm::StringSwitch<bool>(FD->getName())
      .Cases("max", "min", "sort", "topk", "kthvalue", "mode", true)
      .Cases("median", "nanmedian", "cummax", "cummin", true)
      .Default(false);
}

/// True when `S` is a LibTorch operation whose result never carries autograd
/// history, whatever its operands: `detach()` and `data()`, indices
/// (`argmax`, `argmin`, `argsort`, `nonzero`) and comparisons (`eq`, `gt`,
/// `x == y`, `isnan`, ...), whose results are integer or boolean tensors, and
/// `std::get<1>` of an operation returning values and indices.
bool producesNoGraph(const Stmt *S) {
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (FD && FD->isInStdNamespace() && FD->getIdentifier() &&
      FD->getName() == "get" && Call->getNumArgs() == 1)
    if (const TemplateArgumentList *Args = FD->getTemplateSpecializationArgs();
        Args && Args->size() > 0 &&
        Args->get(0).getKind() == TemplateArgument::Integral &&
        Args->get(0).getAsIntegral() == 1)
      return returnsIndicesSecond(Call->getArg(0));
  if (!FD || !api::isPureTensorOperation(FD))
    return false;
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    switch (Op->getOperator()) {
    case OO_EqualEqual:
    case OO_ExclaimEqual:
    case OO_Less:
    case OO_Greater:
    case OO_LessEqual:
    case OO_GreaterEqual:
      return true;
    default:
      return false;
    }
  }
  return FD->getIdentifier() &&
         llvm::StringSwitch<bool>(FD->getName())
             .Cases("argmax", "argmin", "argsort", "nonzero", true)
             .Cases("eq", "ne", "lt", "le", "gt", "ge", true)
             .Cases("greater", "less", "greater_equal", "less_equal",
                    "not_equal", true)
             .Cases("isnan", "isinf", "isfinite", true)
             .Cases("detach", "data", true)
             .Default(false);
}

/// `std::tie(a, b)`, `std::forward_as_tuple(a, std::tie(b, c))`: the
/// variables it binds, else empty.
void tiedArguments(const Expr *E, llvm::SmallVectorImpl<const Expr *> &Args) {
  E = E->IgnoreImplicit();
  if (const auto *Materialize = dyn_cast<MaterializeTemporaryExpr>(E))
    E = Materialize->getSubExpr()->IgnoreImplicit();
  const auto *Call = dyn_cast<CallExpr>(E);
  if (!Call)
    return;
  const auto IsTie = [](const NamedDecl *D) {
    D = D ? D->getUnderlyingDecl() : nullptr;
    return D && D->getIdentifier() && D->isInStdNamespace() &&
           (D->getName() == "tie" || D->getName() == "forward_as_tuple");
  };
  // In a template, `std::tie(y, state)` with a `state` of dependent type is
  // still a lookup of `std::tie`.
  const auto *Lookup =
      dyn_cast<UnresolvedLookupExpr>(Call->getCallee()->IgnoreParenImpCasts());
  if (!IsTie(dyn_cast_or_null<NamedDecl>(Call->getCalleeDecl())) &&
      !(Lookup && llvm::any_of(Lookup->decls(), IsTie)))
    return;
  for (const Expr *Arg : Call->arguments()) {
    const size_t Before = Args.size();
    tiedArguments(Arg, Args);
    if (Args.size() == Before)
      Args.push_back(Arg);
  }
}

} // namespace

bool isTupleBinding(const Expr *E) { return !tiedParts(E).empty(); }

llvm::SmallVector<const Expr *, 4> tiedParts(const Expr *E) {
  llvm::SmallVector<const Expr *, 4> Parts;
  tiedArguments(E, Parts);
  return Parts;
}

const Decl *storedVariable(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    if (const Decl *Var = definedVariable(E))
      return Var;
    // `cat[0] = x` assigns to a temporary that shares `cat`'s storage.
    E = E->IgnoreImplicit()->IgnoreParenImpCasts();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
      E = Op->getArg(0);
    else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
      E = Subscript->getBase();
    else if (const auto *ME = dyn_cast<MemberExpr>(E);
             ME && !ME->isArrow() && isa<FieldDecl>(ME->getMemberDecl()))
      E = ME->getBase();
    else
      return nullptr;
  }
  return nullptr;
}

const Decl *definedVariable(const Expr *E) {
  if (!E)
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *Materialize = dyn_cast<MaterializeTemporaryExpr>(E))
    E = Materialize->getSubExpr()->IgnoreParenImpCasts();
  return namedVariable(E);
}

ValueFlow::ValueFlow(const flow::FlowGraph &Graph) : Graph(Graph) {
  const CFG &G = Graph.cfg();
  for (const CFGBlock *Block : G) {
    if (!Block)
      continue;
    for (const CFGElement &E : *Block)
      if (auto S = E.getAs<CFGStmt>()) {
        const unsigned Index = Elements.size();
        ElementOf.try_emplace(S->getStmt(), Index);
        Elements.push_back({S->getStmt(), {}, {}});
        collectDefinitions(S->getStmt(), Index);
      }
  }
  for (auto &Entry : DefinitionsOf)
    Entry.second.resize(Definitions.size());
  for (unsigned I = 0; I < Definitions.size(); ++I)
    DefinitionsOf[Definitions[I].Var].set(I);
  solve();
}

void ValueFlow::addDefinition(const Expr *Target, const Stmt *At,
                              const Expr *From, bool KeepsOld,
                              unsigned ElementIndex) {
  const Decl *Var = definedVariable(Target);
  if (!Var) {
    // An element or field of a variable: it keeps the rest of its value.
    Var = storedVariable(Target);
    KeepsOld = true;
  }
  if (!Var)
    return;
  Elements[ElementIndex].Defines.push_back(Definitions.size());
  Definitions.push_back({Var, At, From, KeepsOld});
  DefinitionsOf.try_emplace(Var);
}

void ValueFlow::collectDefinitions(const Stmt *S, unsigned ElementIndex) {
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls()) {
      const auto *VD = dyn_cast<VarDecl>(D);
      if (!VD || !VD->getInit())
        continue;
      if (const auto *Decomposed = dyn_cast<DecompositionDecl>(VD))
        (void)Decomposed; // Bindings resolve to the whole variable.
      Elements[ElementIndex].Defines.push_back(Definitions.size());
      Definitions.push_back({VD->getCanonicalDecl(), S, VD->getInit(), false});
      DefinitionsOf.try_emplace(VD->getCanonicalDecl());
    }
    return;
  }
  const Expr *LHS = nullptr;
  const Expr *RHS = nullptr;
  bool KeepsOld = false;
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (!BO->isAssignmentOp())
      return;
    LHS = BO->getLHS();
    RHS = BO->getRHS();
    KeepsOld = BO->isCompoundAssignmentOp();
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (!Op->isAssignmentOp() || Op->getNumArgs() != 2)
      return;
    LHS = Op->getArg(0);
    RHS = Op->getArg(1);
    KeepsOld = Op->getOperator() != OO_Equal;
  } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    // `outputs.push_back(y)`, `total.add_(y)`: the object holds `y` too. A
    // module (or a model written from scratch) does not hold what its
    // methods are given.
    const CXXMethodDecl *MD = Call->getMethodDecl();
    const Expr *Object = Call->getImplicitObjectArgument();
    if (!MD || !Object || Call->getNumArgs() == 0 ||
        api::isModuleLike(Object->getType()) || asForward(Call))
      return;
    const bool InPlaceTensor = api::isInPlaceTensorCall(Call);
    if (!InPlaceTensor &&
        (MD->isConst() || api::isTensorType(Object->getType())))
      return;
    addDefinition(Object, S, Call, /*KeepsOld=*/true, ElementIndex);
    return;
  } else {
    return;
  }
  llvm::SmallVector<const Expr *, 4> Tied;
  tiedArguments(LHS, Tied);
  if (!Tied.empty()) {
    // `std::tie(values, indices) = torch::max(x, 1)`: the indices hold no
    // graph.
    const bool Indices = !KeepsOld && returnsIndicesSecond(RHS);
    for (unsigned I = 0; I < Tied.size(); ++I)
      addDefinition(Tied[I], S, Indices && I == 1 ? nullptr : RHS, KeepsOld,
                    ElementIndex);
    return;
  }
  addDefinition(LHS, S, RHS, KeepsOld, ElementIndex);
}

void ValueFlow::solve() {
  const CFG &G = Graph.cfg();
  const unsigned N = Definitions.size();
  // The first element of each block, in `Elements` order.
  llvm::DenseMap<const CFGBlock *, std::pair<unsigned, unsigned>> Span;
  unsigned Next = 0;
  for (const CFGBlock *Block : G) {
    if (!Block)
      continue;
    unsigned Count = 0;
    for (const CFGElement &E : *Block)
      if (E.getAs<CFGStmt>())
        ++Count;
    Span[Block] = {Next, Count};
    Next += Count;
  }
  llvm::DenseMap<const CFGBlock *, llvm::BitVector> Out;
  auto Transfer = [&](unsigned Index, llvm::BitVector &State) {
    for (unsigned D : Elements[Index].Defines) {
      if (!Definitions[D].KeepsOld)
        State.reset(DefinitionsOf.find(Definitions[D].Var)->second);
      State.set(D);
    }
  };
  // The definitions that reach the entry of `Block`.
  const auto Entry = [&](const CFGBlock *Block) {
    llvm::BitVector State(N);
    for (const CFGBlock::AdjacentBlock &Pred : Block->preds())
      if (const CFGBlock *P = Pred.getReachableBlock())
        if (auto It = Out.find(P); It != Out.end())
          State |= It->second;
    return State;
  };
  llvm::SmallVector<const CFGBlock *, 32> Worklist;
  for (const CFGBlock *Block : G)
    if (Block)
      Worklist.push_back(Block);
  llvm::DenseSet<const CFGBlock *> Visited;
  while (!Worklist.empty()) {
    const CFGBlock *Block = Worklist.pop_back_val();
    llvm::BitVector State = Entry(Block);
    const auto [First, Count] = Span.lookup(Block);
    for (unsigned I = First; I < First + Count; ++I)
      Transfer(I, State);
    auto [It, Inserted] = Out.try_emplace(Block, State);
    if (!Inserted && It->second == State && Visited.contains(Block))
      continue;
    It->second = State;
    Visited.insert(Block);
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
      if (const CFGBlock *S = Succ.getReachableBlock())
        Worklist.push_back(S);
  }
  for (const CFGBlock *Block : G) {
    if (!Block)
      continue;
    llvm::BitVector State = Entry(Block);
    const auto [First, Count] = Span.lookup(Block);
    for (unsigned I = First; I < First + Count; ++I) {
      Elements[I].In = State;
      Transfer(I, State);
    }
  }
}

bool ValueFlow::mentionsTainted(const Stmt *S, const llvm::BitVector &Reaching,
                                const llvm::BitVector &Tainted,
                                const Expr *Source, bool StopAtNoGraph) const {
  // A value that only passes through an operation producing no graph
  // (`out.argmax(1)`) is not followed.
  return anyNode(
      S,
      [&](const Stmt *Node) {
        if (Node == Source)
          return true;
        const Decl *Var = namedVariable(Node);
        if (!Var)
          return false;
        auto It = DefinitionsOf.find(Var);
        if (It == DefinitionsOf.end())
          return false;
        llvm::BitVector Live = It->second;
        Live &= Reaching;
        Live &= Tainted;
        return Live.any();
      },
      [StopAtNoGraph](const Stmt *Node) {
        return StopAtNoGraph && producesNoGraph(Node);
      });
}

void ValueFlow::taint(const Expr *Source, llvm::BitVector &Tainted,
                      std::vector<unsigned> *UsingElements,
                      bool StopAtNoGraph) const {
  Tainted.resize(Definitions.size());
  Tainted.reset();
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (unsigned D = 0; D < Definitions.size(); ++D) {
      if (Tainted.test(D))
        continue;
      const Definition &Def = Definitions[D];
      const auto It = ElementOf.find(Def.At);
      const auto *Var = dyn_cast<ValueDecl>(Def.Var);
      if (It == ElementOf.end() || (Var && !mayHoldGraph(Var->getType())))
        continue;
      const llvm::BitVector &In = Elements[It->second].In;
      bool Hit = mentionsTainted(Def.From, In, Tainted, Source, StopAtNoGraph);
      if (!Hit && Def.KeepsOld) {
        llvm::BitVector Old = DefinitionsOf.find(Def.Var)->second;
        Old &= In;
        Old &= Tainted;
        Hit = Old.any();
      }
      if (Hit) {
        Tainted.set(D);
        Changed = true;
      }
    }
  }
  if (UsingElements)
    for (unsigned I = 0; I < Elements.size(); ++I)
      if (mentionsTainted(Elements[I].S, Elements[I].In, Tainted, Source,
                          StopAtNoGraph))
        UsingElements->push_back(I);
}

bool ValueFlow::reaches(const Expr *Source, StmtPredicate IsSink) const {
  llvm::BitVector Tainted;
  taint(Source, Tainted, nullptr, /*StopAtNoGraph=*/false);
  return llvm::any_of(Elements, [&](const Element &E) {
    return IsSink(E.S) && mentionsTainted(E.S, E.In, Tainted, Source,
                                          /*StopAtNoGraph=*/false);
  });
}

std::vector<const Stmt *> ValueFlow::uses(const Expr *Source) const {
  llvm::BitVector Tainted;
  std::vector<unsigned> Using;
  taint(Source, Tainted, &Using, /*StopAtNoGraph=*/true);
  std::vector<const Stmt *> Result;
  Result.reserve(Using.size());
  for (unsigned I : Using)
    Result.push_back(Elements[I].S);
  return Result;
}

bool ValueFlow::flowsInto(const Expr *Source, const Stmt *Element,
                          const Expr *Part) const {
  const auto It = ElementOf.find(Element);
  if (It == ElementOf.end())
    return false;
  llvm::BitVector Tainted;
  taint(Source, Tainted, nullptr, /*StopAtNoGraph=*/true);
  return mentionsTainted(Part, Elements[It->second].In, Tainted, Source,
                         /*StopAtNoGraph=*/true);
}

std::vector<const Expr *> ValueFlow::mentions(const Expr *Source) const {
  llvm::BitVector Tainted;
  taint(Source, Tainted, nullptr, /*StopAtNoGraph=*/true);
  llvm::SmallPtrSet<const Expr *, 16> Seen;
  std::vector<const Expr *> Result{Source};
  Seen.insert(Source);
  for (const Element &E : Elements)
    anyNode(E.S, [&](const Stmt *Node) {
      const Decl *Var = namedVariable(Node);
      auto It = Var ? DefinitionsOf.find(Var) : DefinitionsOf.end();
      if (It == DefinitionsOf.end())
        return false;
      llvm::BitVector Live = It->second;
      Live &= E.In;
      Live &= Tainted;
      if (Live.any() && Seen.insert(cast<Expr>(Node)).second)
        Result.push_back(cast<Expr>(Node));
      return false;
    });
  return Result;
}

bool mayHoldGraph(QualType T, unsigned Depth) {
  if (T.isNull() || Depth > 8)
    return true;
  T = T.getNonReferenceType().getCanonicalType();
  if (T->isDependentType())
    return true;
  if (T->isArithmeticType() || T->isEnumeralType() || T->isNullPtrType())
    return false;
  if (const auto *Pointer = T->getAs<PointerType>())
    return mayHoldGraph(Pointer->getPointeeType(), Depth + 1);
  if (const auto *Array = dyn_cast<ArrayType>(T.getTypePtr()))
    return mayHoldGraph(Array->getElementType(), Depth + 1);
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T->getAsCXXRecordDecl());
  if (!Spec || !Spec->isInStdNamespace())
    return true;
  if (Spec->getName() == "basic_string" ||
      Spec->getName() == "basic_string_view")
    return false;
  return llvm::any_of(Spec->getTemplateArgs().asArray(),
                      [Depth](const TemplateArgument &Arg) {
                        return Arg.getKind() == TemplateArgument::Type
                                   ? mayHoldGraph(Arg.getAsType(), Depth + 1)
                                   : Arg.getKind() == TemplateArgument::Pack;
                      });
}

} // namespace clang::tidy::torch::model
