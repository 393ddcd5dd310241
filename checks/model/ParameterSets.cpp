// SPDX-License-Identifier: Apache-2.0
// Parameter sets: the parameters of expressions and of optimizers.

#include "ParameterSets.h"
#include "model/Events.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

namespace clang::tidy::torch::model {

namespace {

constexpr unsigned MaxDepth = 8;

/// True when `S` runs on every iteration of `Loop` that reaches its end: no
/// branch sits between them and the body never skips ahead.
bool isUnconditionalIn(const Stmt *S, const Stmt *Loop,
                       const ast::ParentIndex &Parents) {
  const Stmt *Body = cast<CXXForRangeStmt>(Loop)->getBody();
  for (const Stmt *P = ast::parentStmt(S, Parents); P && P != Loop;
       P = ast::parentStmt(P, Parents)) {
    if (isa<IfStmt, SwitchStmt, ConditionalOperator, BinaryConditionalOperator,
            ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(P))
      return false;
    if (const auto *BO = dyn_cast<BinaryOperator>(P); BO && BO->isLogicalOp())
      return false;
  }
  struct Jumps : RecursiveASTVisitor<Jumps> {
    bool Found = false;
    bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
    bool VisitStmt(Stmt *S) {
      Found |= isa<ContinueStmt, BreakStmt, ReturnStmt, GotoStmt>(S);
      return !Found;
    }
  } J;
  J.TraverseStmt(const_cast<Stmt *>(Body));
  return !J.Found;
}

/// The variable `E` names, if it is one.
const VarDecl *namedVariable(const Expr *E) {
  const auto *DRE =
      E ? dyn_cast<DeclRefExpr>(E->IgnoreUnlessSpelledInSource()) : nullptr;
  return DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
}

/// `L.begin()`/`L.end()` (or `std::begin(L)`/`std::end(L)`): `L`.
const Expr *iteratorOf(const Expr *E, llvm::StringRef Which) {
  E = E->IgnoreUnlessSpelledInSource();
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *MD = Call->getMethodDecl();
    if (MD && MD->getIdentifier() && Call->getNumArgs() == 0 &&
        (MD->getName() == Which || MD->getName() == ("c" + Which).str()))
      return Call->getImplicitObjectArgument();
    return nullptr;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (FD && FD->getIdentifier() && FD->isInStdNamespace() &&
        FD->getName() == Which && Call->getNumArgs() == 1)
      return Call->getArg(0);
  }
  return nullptr;
}

/// True when the two expressions name the same variable or access path.
bool sameObject(const Expr *A, const Expr *B, const ast::ParentIndex &Parents) {
  if (!A || !B)
    return false;
  const std::optional<AccessPath> PA = pathOf(A, Parents);
  const std::optional<AccessPath> PB = pathOf(B, Parents);
  if (PA && PB)
    return *PA == *PB;
  // `M->parameters()` twice: the same call spelled twice.
  const auto *CA =
      dyn_cast<CXXMemberCallExpr>(A->IgnoreUnlessSpelledInSource());
  const auto *CB =
      dyn_cast<CXXMemberCallExpr>(B->IgnoreUnlessSpelledInSource());
  return CA && CB && CA->getMethodDecl() == CB->getMethodDecl() &&
         sameObject(CA->getImplicitObjectArgument(),
                    CB->getImplicitObjectArgument(), Parents);
}

/// `Object->Name(...)` by name, on an object of dependent type
/// (`model->parameters()` with `Model model` in a class template): the
/// call's object and arguments.
MethodCall byNameCall(const Expr *E, llvm::StringRef Name) {
  const MethodCall Call = memberCallByName(E);
  if (!Call || !isa<CallExpr>(Call.E) || Call.Name != Name || !Call.Object)
    return {};
  return Call;
}

} // namespace

std::optional<ParamSet> overlap(const ParamSet &Source, const ParamSet &Other) {
  const AccessPath &S = Source.Path;
  const AccessPath &F = Other.Path;
  switch (Other.Kind) {
  case ParamSet::Module:
    if (S.isPrefixOf(F) && (Source.Recursive || S == F))
      return Other;
    if (F.isPrefixOf(S) && Other.Recursive)
      return Source;
    return std::nullopt;
  case ParamSet::Subset:
    if (S.isPrefixOf(F) && (Source.Recursive || S == F))
      return Other;
    return std::nullopt;
  case ParamSet::Single:
    if (S.isPrefixOf(F) && (Source.Recursive || Other.ownedDirectlyBy(S)))
      return Other;
    return std::nullopt;
  }
  return std::nullopt;
}

bool covers(const ParamSet &Outer, const ParamSet &Inner) {
  const AccessPath &U = Outer.Path;
  switch (Outer.Kind) {
  case ParamSet::Module:
    switch (Inner.Kind) {
    case ParamSet::Module:
      return U.isPrefixOf(Inner.Path) &&
             (Outer.Recursive || (U == Inner.Path && !Inner.Recursive));
    case ParamSet::Subset:
      return U.isPrefixOf(Inner.Path) && Outer.Recursive;
    case ParamSet::Single:
      return U.isPrefixOf(Inner.Path) &&
             (Outer.Recursive || Inner.ownedDirectlyBy(U));
    }
    return false;
  case ParamSet::Single:
    return Inner.Kind == ParamSet::Single && U == Inner.Path;
  case ParamSet::Subset:
    return false;
  }
  return false;
}

std::optional<ParamSet>
ParamResolver::moduleList(const Expr *Object,
                          llvm::ArrayRef<const Expr *> Args) const {
  std::optional<AccessPath> Module = pathOf(Object, Parents);
  if (!Module)
    return std::nullopt;
  ParamSet Set;
  Set.Path = std::move(*Module);
  bool Recurse = true;
  if (Args.size() == 1 && !isa<CXXDefaultArgExpr>(Args[0]) &&
      !Args[0]->isValueDependent() &&
      Args[0]->EvaluateAsBooleanCondition(Recurse, Context))
    Set.Recursive = Recurse;
  return Set;
}

namespace {
/// The object and arguments of a resolved member call.
std::pair<const Expr *, llvm::ArrayRef<const Expr *>>
objectAndArgs(const CXXMemberCallExpr *Call) {
  return {Call->getImplicitObjectArgument(),
          llvm::ArrayRef(Call->getArgs(), Call->getNumArgs())};
}
} // namespace

std::optional<ParamSet> ParamResolver::namedOf(const Expr *E) const {
  E = E ? E->IgnoreUnlessSpelledInSource() : nullptr;
  // A local copy of the dictionary: `auto Dict = M->named_parameters();`.
  for (unsigned Steps = 0; Steps < 4; ++Steps) {
    const VarDecl *VD = namedVariable(E);
    if (!VD || !isLocalVariable(VD) || !VD->getInit() ||
        !api::isOrderedDictType(VD->getType()))
      break;
    E = VD->getInit()->IgnoreUnlessSpelledInSource();
  }
  if (const auto *Call = api::asModuleCall(E, "named_parameters")) {
    const auto [Object, Args] = objectAndArgs(Call);
    return moduleList(Object, Args);
  }
  if (const MethodCall Call = byNameCall(E, "named_parameters"))
    return moduleList(Call.Object, Call.Args);
  return std::nullopt;
}

bool ParamResolver::listsOf(const Expr *E, llvm::SmallVectorImpl<ParamSet> &Out,
                            unsigned Depth) const {
  if (!E || Depth > MaxDepth)
    return false;
  E = E->IgnoreUnlessSpelledInSource();
  std::optional<ParamSet> Set;
  if (const auto *Call = api::asModuleCall(E, "parameters")) {
    const auto [Object, Args] = objectAndArgs(Call);
    Set = moduleList(Object, Args);
  } else if (const MethodCall Call = byNameCall(E, "parameters")) {
    Set = moduleList(Call.Object, Call.Args);

  } else if (const auto *Values = api::asOrderedDictCall(E, "values"))
    Set = namedOf(Values->getImplicitObjectArgument());
  else if (const VarDecl *VD = namedVariable(E))
    return vectorVariable(VD, Out, Depth + 1);
  if (!Set)
    return false;
  Out.push_back(std::move(*Set));
  return true;
}

/// The elements of the range-based for loop declaring `LoopVar`: parameters
/// of the lists it iterates, or of `named_parameters()` when `Named`. Every
/// parameter when `Use` runs on each iteration, some of them otherwise.
bool ParamResolver::loopElements(const VarDecl *LoopVar, bool Named,
                                 const Stmt *Use, const Stmt *&Loop,
                                 llvm::SmallVectorImpl<ParamSet> &Out,
                                 unsigned Depth) const {
  const CXXForRangeStmt *For = loopDeclaring(LoopVar, Parents);
  if (!For)
    return false;
  llvm::SmallVector<ParamSet, 2> Sets;
  if (Named) {
    std::optional<ParamSet> Set = namedOf(For->getRangeInit());
    if (!Set)
      return false;
    Sets.push_back(std::move(*Set));
  } else if (!listsOf(For->getRangeInit(), Sets, Depth + 1)) {
    return false;
  }
  const bool Every = isUnconditionalIn(Use, For, Parents);
  if (Every)
    Loop = For;
  for (ParamSet &Set : Sets) {
    if (!Every)
      Set.Kind = ParamSet::Subset;
    Out.push_back(std::move(Set));
  }
  return true;
}

/// A local `std::vector<torch::Tensor>` holding parameter lists: it is
/// initialised from one, or filled by `push_back` of the elements of lists in
/// loops and by `insert` of whole lists at its end, and changed in no other
/// way.
bool ParamResolver::vectorVariable(const VarDecl *VD,
                                   llvm::SmallVectorImpl<ParamSet> &Out,
                                   unsigned Depth) const {
  if (!isLocalVariable(VD) || !api::isTensorVectorType(VD->getType()) ||
      Depth > MaxDepth)
    return false;
  struct Uses : RecursiveASTVisitor<Uses> {
    const VarDecl *VD;
    const ast::ParentIndex &Parents;
    llvm::SmallVector<const CXXMemberCallExpr *, 2> Fills;
    llvm::SmallVector<const CXXMemberCallExpr *, 2> Inserts;
    bool Changed = false;
    Uses(const VarDecl *VD, const ast::ParentIndex &Parents)
        : VD(VD), Parents(Parents) {}
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      if (DRE->getDecl() != VD)
        return true;
      const Stmt *P = parentSkippingImplicit(DRE, Parents);
      if (const auto *ME = dyn_cast_or_null<MemberExpr>(P)) {
        const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(
            parentSkippingImplicit(ME, Parents));
        const auto *MD = dyn_cast<CXXMethodDecl>(ME->getMemberDecl());
        if (!Call || !MD || !MD->getIdentifier() || MD->isConst())
          return true;
        const StringRef Name = MD->getName();
        if (Name == "push_back" || Name == "emplace_back")
          Fills.push_back(Call);
        else if (Name == "insert")
          Inserts.push_back(Call);
        else if (compat::isOneOf(Name, {"emplace", "erase", "clear", "resize",
                                        "pop_back", "assign", "swap"}))
          Changed = true;
      } else if (const auto *UO = dyn_cast_or_null<UnaryOperator>(P);
                 isAssignedTo(DRE, Parents) ||
                 (UO && UO->getOpcode() == UO_AddrOf)) {
        Changed = true;
      } else if (const auto *Call = dyn_cast_or_null<CallExpr>(P);
                 Call && !isa<CXXOperatorCallExpr>(Call)) {
        const FunctionDecl *FD = Call->getDirectCallee();
        if (!FD || FD->isInStdNamespace())
          return true;
        for (unsigned I = 0,
                      N = std::min(Call->getNumArgs(), FD->getNumParams());
             I < N; ++I) {
          const QualType T = FD->getParamDecl(I)->getType();
          if (Call->getArg(I)->IgnoreParenImpCasts() == DRE &&
              T->isLValueReferenceType() &&
              !T.getNonReferenceType().isConstQualified())
            Changed = true;
        }
      }
      return true;
    }
  } U(VD, Parents);
  U.TraverseStmt(const_cast<Stmt *>(Body));
  if (U.Changed)
    return false;

  const Expr *Init = VD->getInit() ? VD->getInit()->IgnoreImplicit() : nullptr;
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init);
  const bool Empty = !Init || (Construct && Construct->getNumArgs() == 0);
  if (!Empty && !listsOf(VD->getInit(), Out, Depth + 1))
    return false;

  // `V.push_back(P)` over a list, or `V.push_back(Item.value())` over
  // `named_parameters()`.
  for (const CXXMemberCallExpr *Fill : U.Fills) {
    if (Fill->getNumArgs() != 1)
      return false;
    const Expr *Element = Fill->getArg(0)->IgnoreUnlessSpelledInSource();
    bool Named = false;
    if (const auto *Value = api::asOrderedDictCall(Element, "value")) {
      Element = Value->getImplicitObjectArgument();
      Named = true;
    }
    const VarDecl *LoopVar = namedVariable(Element);
    const Stmt *Loop = nullptr;
    if (!LoopVar || !loopElements(LoopVar, Named, Fill, Loop, Out, Depth))
      return false;
  }
  // `V.insert(V.end(), L.begin(), L.end())`.
  for (const CXXMemberCallExpr *Insert : U.Inserts) {
    if (Insert->getNumArgs() != 3 ||
        namedVariable(iteratorOf(Insert->getArg(0), "end")) != VD)
      return false;
    const Expr *From = iteratorOf(Insert->getArg(1), "begin");
    if (!From ||
        !sameObject(From, iteratorOf(Insert->getArg(2), "end"), Parents) ||
        !listsOf(From, Out, Depth + 1))
      return false;
  }
  return true;
}

std::optional<ParamSet> ParamResolver::targetOf(const Expr *Obj,
                                                const CallExpr *Call,
                                                const Stmt *&Loop,
                                                unsigned Depth) const {
  if (!Obj || Depth > MaxDepth)
    return std::nullopt;
  const Expr *E = Obj->IgnoreUnlessSpelledInSource();
  const auto One = [](llvm::SmallVectorImpl<ParamSet> &Sets, bool Resolved) {
    return Resolved && Sets.size() == 1 ? std::optional(std::move(Sets[0]))
                                        : std::nullopt;
  };

  // `Item.value()`, `Item->`, `*Item` in a loop over `named_parameters()`.
  const Expr *Item = nullptr;
  if (const auto *Value = api::asOrderedDictCall(E, "value"))
    Item = Value->getImplicitObjectArgument();
  else if (const MethodCall Value = byNameCall(E, "value");
           Value && Value.Args.empty())
    Item = Value.Object;
  else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
           Op && Op->getNumArgs() == 1 &&
           (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
           api::isOrderedDictItemType(Op->getArg(0)->getType()))
    Item = Op->getArg(0);
  if (Item) {
    const VarDecl *LoopVar = namedVariable(Item);
    llvm::SmallVector<ParamSet, 1> Sets;
    return One(Sets, LoopVar && loopElements(LoopVar, /*Named=*/true, Call,
                                             Loop, Sets, Depth));
  }

  // `Dict["fc.weight"]`, `List[I]`: one parameter, which is unknown here.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2) {
    std::optional<ParamSet> Set = namedOf(Op->getArg(0));
    if (!Set) {
      llvm::SmallVector<ParamSet, 1> Sets;
      Set = One(Sets, listsOf(Op->getArg(0), Sets, Depth + 1));
    }
    if (Set)
      Set->Kind = ParamSet::Subset;
    return Set;
  }

  if (const VarDecl *VD = namedVariable(E)) {
    if (loopDeclaring(VD, Parents)) {
      llvm::SmallVector<ParamSet, 1> Sets;
      return One(Sets,
                 loopElements(VD, /*Named=*/false, Call, Loop, Sets, Depth));
    }
    if (isLocalVariable(VD) && VD->getInit() && isAliasType(VD->getType()))
      if (std::optional<ParamSet> Set =
              targetOf(VD->getInit(), Call, Loop, Depth + 1))
        return Set;
  }

  std::optional<AccessPath> Path = pathOf(E, Parents);
  if (!Path)
    return std::nullopt;
  ParamSet Set;
  Set.Kind = ParamSet::Single;
  Set.Path = std::move(*Path);
  return Set;
}

bool ParamResolver::sourcesOf(const Expr *Argument,
                              llvm::SmallVectorImpl<ParamSource> &Out,
                              unsigned Depth) const {
  if (!Argument || Depth > MaxDepth)
    return false;
  const Expr *E = Argument->IgnoreUnlessSpelledInSource();
  if (const auto *List = dyn_cast<InitListExpr>(E)) {
    bool Complete = true;
    for (const Expr *Init : List->inits())
      Complete &= sourcesOf(Init, Out, Depth + 1);
    return Complete;
  }
  if (const auto *List = dyn_cast<CXXStdInitializerListExpr>(E))
    return sourcesOf(List->getSubExpr(), Out, Depth + 1);
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    return sourcesOf(Cast->getSubExpr(), Out, Depth + 1);
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    const CXXRecordDecl *RD = Construct->getConstructor()->getParent();
    const std::string Name = RD->getQualifiedNameAsString();
    if (Construct->getNumArgs() >= 1 &&
        (Name == "torch::optim::OptimizerParamGroup" || Name == "std::vector"))
      return sourcesOf(Construct->getArg(0), Out, Depth + 1);
    return false;
  }
  llvm::SmallVector<ParamSet, 2> Sets;
  const bool Complete = listsOf(E, Sets);
  for (ParamSet &Set : Sets)
    Out.push_back({std::move(Set), E});
  return Complete;
}

namespace {

/// The `register_module`/`register_parameter` calls under `S`.
struct Registrations : RecursiveASTVisitor<Registrations> {
  unsigned Modules = 0;
  unsigned Parameters = 0;
  bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
  bool VisitCallExpr(CallExpr *Call) {
    const auto *FD = Call->getDirectCallee();
    if (!FD || !FD->getIdentifier() || !api::isLibTorchDecl(FD))
      return true;
    Modules += FD->getName() == "register_module";
    Parameters += FD->getName() == "register_parameter" ||
                  FD->getName() == "register_buffer";
    return true;
  }
  static Registrations in(const Stmt *S) {
    Registrations R;
    R.TraverseStmt(const_cast<Stmt *>(S));
    return R;
  }
};

/// The field of `RD` that `E` names through `this` (written or implicit).
const FieldDecl *ownField(const Expr *E, const CXXRecordDecl *RD) {
  const auto *ME =
      dyn_cast_or_null<MemberExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  const auto *FD = ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
  if (!FD || FD->getParent() != RD ||
      !isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return FD;
}

} // namespace

std::optional<llvm::SmallVector<const FieldDecl *, 4>>
registeredSubmodules(const CXXRecordDecl *RD) {
  RD = RD ? RD->getDefinition() : nullptr;
  if (!RD || RD->isDependentContext() ||
      isa<ClassTemplateSpecializationDecl>(RD))
    return std::nullopt;
  for (const CXXBaseSpecifier &Base : RD->bases()) {
    const CXXRecordDecl *B = Base.getType()->getAsCXXRecordDecl();
    if (!B || !api::isLibTorchDecl(B))
      return std::nullopt;
  }
  const CXXConstructorDecl *Ctor = nullptr;
  for (const CXXConstructorDecl *C : RD->ctors()) {
    if (C->isImplicit() || C->isCopyOrMoveConstructor() || C->isDeleted())
      continue;
    const FunctionDecl *Def = nullptr;
    if (Ctor || !C->hasBody(Def))
      return std::nullopt;
    Ctor = cast<CXXConstructorDecl>(Def);
  }
  if (!Ctor || Ctor->isInvalidDecl())
    return std::nullopt;
  llvm::SmallVector<const FieldDecl *, 4> Fields;
  unsigned Stored = 0;
  unsigned Calls = 0;
  for (const CXXCtorInitializer *Init : Ctor->inits()) {
    const Registrations R = Registrations::in(Init->getInit());
    if (R.Parameters)
      return std::nullopt;
    Calls += R.Modules;
    if (R.Modules == 1 && Init->isMemberInitializer() && Init->isWritten()) {
      Fields.push_back(Init->getMember());
      ++Stored;
    }
  }
  const Registrations InBody = Registrations::in(Ctor->getBody());
  if (InBody.Parameters)
    return std::nullopt;
  Calls += InBody.Modules;
  for (const Stmt *S : cast<CompoundStmt>(Ctor->getBody())->body()) {
    const Expr *LHS = nullptr;
    const Expr *RHS = nullptr;
    if (const auto *BO = dyn_cast<BinaryOperator>(S);
        BO && BO->getOpcode() == BO_Assign) {
      LHS = BO->getLHS();
      RHS = BO->getRHS();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(
                   isa<ExprWithCleanups>(S)
                       ? cast<ExprWithCleanups>(S)->getSubExpr()
                       : S);
               Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      LHS = Op->getArg(0);
      RHS = Op->getArg(1);
    }
    const FieldDecl *Field = ownField(LHS, RD);
    if (Field && RHS && Registrations::in(RHS).Modules == 1 &&
        !llvm::is_contained(Fields, Field)) {
      Fields.push_back(Field);
      ++Stored;
    }
  }
  if (Stored != Calls)
    return std::nullopt;
  return Fields;
}

const Expr *parameterArgument(const Expr *Construction) {
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Construction))
    return Construct->getNumArgs() > 0 ? Construct->getArg(0) : nullptr;
  if (const auto *List = dyn_cast<ParenListExpr>(Construction))
    return List->getNumExprs() > 0 ? List->getExpr(0) : nullptr;
  const auto *Call = dyn_cast<CallExpr>(Construction);
  return Call && Call->getNumArgs() > 0 ? Call->getArg(0) : nullptr;
}

const ValueDecl *optimizerDeclOf(const Expr *Construction,
                                 const ast::ParentIndex &Parents) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Construction))
    return api::getReceiver(Call).Decl;
  DynTypedNode Node = DynTypedNode::create(*Construction);
  const Stmt *Last = Construction;
  for (unsigned Steps = 0; Steps < 16; ++Steps) {
    const DynTypedNodeList Up = Parents.of(Node);
    if (Up.empty())
      return nullptr;
    Node = Up[0];
    if (const auto *VD = Node.get<VarDecl>())
      return VD;
    if (const auto *FD = Node.get<FieldDecl>())
      return FD;
    // A member initializer: the index makes the constructor its parent.
    if (const auto *Ctor = Node.get<CXXConstructorDecl>()) {
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit() == Last && Init->isMemberInitializer())
          return Init->getMember();
      return nullptr;
    }
    const auto *S = Node.get<Stmt>();
    if (!S)
      return nullptr;
    Last = S;
    if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
            ExprWithCleanups, CXXNewExpr, ParenExpr, CXXConstructExpr,
            CXXFunctionalCastExpr>(S))
      continue;
    if (const auto *BO = dyn_cast<BinaryOperator>(S);
        BO && BO->getOpcode() == BO_Assign)
      return api::getReferencedDecl(BO->getLHS());
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
      return api::getReferencedDecl(Op->getArg(0));
    // `Opt.reset(new torch::optim::Adam(...))` on a smart pointer.
    if (const auto *Reset = dyn_cast<CXXMemberCallExpr>(S);
        Reset && Reset->getMethodDecl() &&
        Reset->getMethodDecl()->getIdentifier() &&
        Reset->getMethodDecl()->getName() == "reset" &&
        Reset->getNumArgs() == 1)
      return api::getReferencedDecl(Reset->getImplicitObjectArgument());
    return nullptr;
  }
  return nullptr;
}

void OptimizerParameters::build(const ast::ParentIndex &Parents) {
  if (Built)
    return;
  Built = true;
  ASTContext &Context = Parents.context();
  // Calls and constructions with an argument, which the matchers then sort.
  struct Finder : ast::UserCodeVisitor<Finder> {
    std::vector<const Expr *> Candidates;
    bool VisitCallExpr(CallExpr *Call) {
      if (Call->getNumArgs() > 0)
        Candidates.push_back(Call);
      return true;
    }
    bool VisitCXXConstructExpr(CXXConstructExpr *Construct) {
      if (Construct->getNumArgs() > 0)
        Candidates.push_back(Construct);
      return true;
    }
    // `torch::optim::Adam Opt(model->parameters(), LR)` in a template, with
    // `model` of dependent type: the construction waits for instantiation
    // and the variable keeps its arguments as written.
    bool VisitVarDecl(VarDecl *VD) {
      if (const auto *List = dyn_cast_or_null<ParenListExpr>(VD->getInit());
          List && List->getNumExprs() > 0 &&
          !VD->getType()->isDependentType() &&
          api::isOptimizerLike(VD->getType()))
        Candidates.push_back(List);
      return true;
    }
  } F;
  F.traverseUserCode(Context);
  using namespace ast_matchers;
  const auto IsConstruction =
      expr(anyOf(api::optimizerConstruction(), api::addParametersCall()));
  for (const Expr *Candidate : F.Candidates) {
    if (!isa<ParenListExpr>(Candidate) &&
        match(IsConstruction, *Candidate, Context).empty())
      continue;
    Constructions.push_back(Candidate);
    const ValueDecl *D = optimizerDeclOf(Candidate, Parents);
    if (!D)
      continue;
    Entry &E = Optimizers[cast<ValueDecl>(D->getCanonicalDecl())];
    const auto [Function, Body] = ast::enclosingBody(Candidate, Parents);
    const ParamResolver R(Body, Parents);
    llvm::SmallVector<ParamSource, 4> Sources;
    if (!R.sourcesOf(parameterArgument(Candidate), Sources))
      E.Complete = false;
    for (ParamSource &Source : Sources)
      E.Sets.push_back(std::move(Source.Set));
  }
}

std::optional<llvm::ArrayRef<ParamSet>>
OptimizerParameters::of(const ValueDecl *D) const {
  if (!D)
    return std::nullopt;
  auto It = Optimizers.find(cast<ValueDecl>(D->getCanonicalDecl()));
  if (It == Optimizers.end() || !It->second.Complete || It->second.Sets.empty())
    return std::nullopt;
  return llvm::ArrayRef<ParamSet>(It->second.Sets);
}

void OptimizerParameters::clear() {
  Built = false;
  Constructions.clear();
  Optimizers.clear();
}

} // namespace clang::tidy::torch::model
