// SPDX-License-Identifier: Apache-2.0
// torch-frozen-param-in-optimizer: frozen parameters handed to an optimizer.

#include "FrozenParamInOptimizerCheck.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "utils/TorchApi.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include <cstdint>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

using ast::enclosingBody;
using ast::parentStmt;

constexpr unsigned MaxDepth = 8;

/// The filter the fix-it wraps around a full parameter list; a lambda so that
/// it compiles against LibTorch 1.13 and 2.x without a helper or an include.
constexpr llvm::StringLiteral TrainableFilter =
    "[](const std::vector<torch::Tensor> &All) { "
    "std::vector<torch::Tensor> Trainable; "
    "for (const auto &P : All) if (P.requires_grad()) Trainable.push_back(P); "
    "return Trainable; }(";

/// A module or parameter reached from a variable (or `this`) through member
/// accesses: `Model->Backbone->Fc->weight` is {Model, [Backbone, Fc, weight]}.
struct AccessPath {
  const Decl *Root = nullptr;
  llvm::SmallVector<const ValueDecl *, 4> Members;

  bool operator==(const AccessPath &Other) const {
    return Root == Other.Root && Members == Other.Members;
  }
  bool isPrefixOf(const AccessPath &Other) const {
    return Root == Other.Root && Members.size() <= Other.Members.size() &&
           std::equal(Members.begin(), Members.end(), Other.Members.begin());
  }
  const NamedDecl *leaf() const {
    return Members.empty() ? dyn_cast_or_null<NamedDecl>(Root) : Members.back();
  }
};

/// Parameters designated by an expression.
struct ParamSet {
  enum KindType : std::uint8_t {
    /// Every parameter of the module `Path` (only its own if not Recursive).
    Module,
    /// The single parameter `Path`, a tensor member of a module.
    Single,
    /// Some parameters of the module `Path`, selected by name or position.
    Subset,
  };
  KindType Kind = Module;
  AccessPath Path;
  bool Recursive = true;

  /// The module that owns a single parameter.
  bool ownedDirectlyBy(const AccessPath &M) const {
    return Kind == Single && M.isPrefixOf(Path) &&
           M.Members.size() + 1 == Path.Members.size();
  }
};

/// A `requires_grad_(B)` or `set_requires_grad(B)` call with a constant `B`.
struct Toggle {
  const CXXMemberCallExpr *Call = nullptr;
  ParamSet Set;
  bool Freeze = false;
  /// For a Module set: the loop that applies the toggle to each parameter.
  const Stmt *Loop = nullptr;
};

/// The parameters of `Source` that `Freeze` freezes, as a set no larger than
/// either of them; nothing when they are disjoint or the overlap is unknown.
std::optional<ParamSet> overlap(const ParamSet &Source,
                                const ParamSet &Freeze) {
  const AccessPath &S = Source.Path;
  const AccessPath &F = Freeze.Path;
  switch (Freeze.Kind) {
  case ParamSet::Module:
    if (S.isPrefixOf(F) && (Source.Recursive || S == F))
      return Freeze;
    if (F.isPrefixOf(S) && Freeze.Recursive)
      return Source;
    return std::nullopt;
  case ParamSet::Subset:
    if (S.isPrefixOf(F) && (Source.Recursive || S == F))
      return Freeze;
    return std::nullopt;
  case ParamSet::Single:
    if (S.isPrefixOf(F) && (Source.Recursive || Freeze.ownedDirectlyBy(S)))
      return Freeze;
    return std::nullopt;
  }
  return std::nullopt;
}

/// True when the unfreezing `Unfreeze` re-enables every parameter of `Frozen`.
bool covers(const ParamSet &Unfreeze, const ParamSet &Frozen) {
  const AccessPath &U = Unfreeze.Path;
  switch (Unfreeze.Kind) {
  case ParamSet::Module:
    switch (Frozen.Kind) {
    case ParamSet::Module:
      return U.isPrefixOf(Frozen.Path) &&
             (Unfreeze.Recursive || (U == Frozen.Path && !Frozen.Recursive));
    case ParamSet::Subset:
      return U.isPrefixOf(Frozen.Path) && Unfreeze.Recursive;
    case ParamSet::Single:
      return U.isPrefixOf(Frozen.Path) &&
             (Unfreeze.Recursive || Frozen.ownedDirectlyBy(U));
    }
    return false;
  case ParamSet::Single:
    return Frozen.Kind == ParamSet::Single && U == Frozen.Path;
  case ParamSet::Subset:
    return false;
  }
  return false;
}

/// The range-based for loop that declares `VD` as its loop variable.
const CXXForRangeStmt *loopDeclaring(const VarDecl *VD,
                                     const ast::ParentIndex &Parents) {
  const DynTypedNodeList Up = Parents.of(*VD);
  const auto *DS = Up.empty() ? nullptr : Up[0].get<DeclStmt>();
  const auto *Loop =
      dyn_cast_or_null<CXXForRangeStmt>(DS ? parentStmt(DS, Parents) : nullptr);
  return Loop && Loop->getLoopVariable() == VD ? Loop : nullptr;
}

/// True when `S` runs on every iteration of `Loop` that reaches its end: no
/// branch sits between them and the body never skips ahead.
bool isUnconditionalIn(const Stmt *S, const Stmt *Loop,
                       const ast::ParentIndex &Parents) {
  const Stmt *Body = cast<CXXForRangeStmt>(Loop)->getBody();
  for (const Stmt *P = parentStmt(S, Parents); P && P != Loop;
       P = parentStmt(P, Parents)) {
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

/// `torch::nn::ModuleHolder<T>` or a class derived from one
/// (`torch::nn::Linear`).
bool isHolderClass(const CXXRecordDecl *RD, unsigned Depth = 0) {
  if (!RD || Depth > 16)
    return false;
  if (isa<ClassTemplateSpecializationDecl>(RD) &&
      RD->getQualifiedNameAsString() == "torch::nn::ModuleHolder")
    return true;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def)
    return false;
  return llvm::any_of(Def->bases(), [Depth](const CXXBaseSpecifier &Base) {
    return isHolderClass(Base.getType()->getAsCXXRecordDecl(), Depth + 1);
  });
}

/// A local variable whose value designates the same module or tensor as its
/// initializer: a reference, pointer, module holder, smart pointer or tensor.
bool isAliasType(QualType T) {
  if (T->isReferenceType() || T->isPointerType())
    return true;
  if (api::isTensorType(T))
    return true;
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return false;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD)) {
    const std::string Name = Spec->getQualifiedNameAsString();
    if (Name == "std::shared_ptr" || Name == "std::unique_ptr")
      return true;
  }
  return isHolderClass(RD);
}

bool isLocalVariable(const VarDecl *VD) {
  return VD && VD->hasLocalStorage() && !isa<ParmVarDecl>(VD);
}

/// `E` with parentheses and implicit casts around it removed, going up.
const Stmt *parentSkippingImplicit(const Expr *E,
                                   const ast::ParentIndex &Parents) {
  const Stmt *P = parentStmt(E, Parents);
  while (P && isa<ImplicitCastExpr, ParenExpr>(P))
    P = parentStmt(P, Parents);
  return P;
}

/// True when `Ref` is the left-hand side of an assignment.
bool isAssignedTo(const Expr *Ref, const ast::ParentIndex &Parents) {
  const Stmt *P = parentSkippingImplicit(Ref, Parents);
  if (const auto *BO = dyn_cast_or_null<BinaryOperator>(P))
    return BO->getOpcode() == BO_Assign &&
           BO->getLHS()->IgnoreParenImpCasts() == Ref;
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(P))
    return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
           Op->getArg(0)->IgnoreParenImpCasts() == Ref;
  return false;
}

/// True when `S` names `D` (outside lambdas), assigned to or not as asked.
bool mentions(const Stmt *S, const ValueDecl *D, bool Assigned,
              const ast::ParentIndex &Parents, unsigned Depth = 0) {
  if (!S || isa<LambdaExpr>(S) || Depth > 64)
    return false;
  if (isa<DeclRefExpr, MemberExpr>(S)) {
    const auto *E = cast<Expr>(S);
    const ValueDecl *Named = isa<DeclRefExpr>(E)
                                 ? cast<DeclRefExpr>(E)->getDecl()
                                 : cast<MemberExpr>(E)->getMemberDecl();
    if (Named->getCanonicalDecl() == D && isAssignedTo(E, Parents) == Assigned)
      return true;
  }
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return mentions(Child, D, Assigned, Parents, Depth + 1);
  });
}

/// The value of a `requires_grad_`/`set_requires_grad` argument, if constant.
std::optional<bool> toggledValue(const CXXMemberCallExpr *Call,
                                 const ASTContext &Context) {
  if (Call->getNumArgs() == 0)
    return std::nullopt;
  const Expr *Arg = Call->getArg(0);
  if (isa<CXXDefaultArgExpr>(Arg))
    return true;
  bool Value = false;
  if (Arg->isValueDependent() ||
      !Arg->EvaluateAsBooleanCondition(Value, Context))
    return std::nullopt;
  return Value;
}

/// Resolves expressions of one body to access paths and parameter sets.
class Resolver {
public:
  Resolver(const Stmt *Body, const ast::ParentIndex &Parents)
      : Body(Body), Parents(Parents), Context(Parents.context()) {}

  /// The module or tensor `E` designates.
  std::optional<AccessPath> pathOf(const Expr *E, unsigned Depth = 0) const;
  /// The full parameter list of a module that the vector-valued `E` is.
  std::optional<ParamSet> listOf(const Expr *E, unsigned Depth = 0) const;
  /// For `X.named_parameters()`, the parameters of `X`.
  std::optional<ParamSet> namedOf(const Expr *E) const;
  /// The parameters whose flag `Call` (a `requires_grad_` call) sets, and the
  /// loop that applies it to each of them.
  std::optional<ParamSet> targetOf(const Expr *Obj,
                                   const CXXMemberCallExpr *Call,
                                   const Stmt *&Loop, unsigned Depth = 0) const;

private:
  std::optional<ParamSet> moduleList(const CXXMemberCallExpr *Call) const;
  std::optional<ParamSet> vectorVariable(const VarDecl *VD,
                                         unsigned Depth) const;
  std::optional<ParamSet> loopElement(const VarDecl *LoopVar, bool Named,
                                      const Stmt *Use, const Stmt *&Loop,
                                      unsigned Depth) const;

  const Stmt *Body;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
};

std::optional<AccessPath> Resolver::pathOf(const Expr *E,
                                           unsigned Depth) const {
  for (unsigned Steps = 0; E && Steps < 16; ++Steps) {
    E = E->IgnoreUnlessSpelledInSource();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() != OO_Arrow && Op->getOperator() != OO_Star) ||
          Op->getNumArgs() != 1)
        return std::nullopt;
      E = Op->getArg(0);
    } else if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_Deref && UO->getOpcode() != UO_AddrOf)
        return std::nullopt;
      E = UO->getSubExpr();
    } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *MD = Call->getMethodDecl();
      if (!MD || !MD->getIdentifier() || Call->getNumArgs() != 0 ||
          (MD->getName() != "get" && MD->getName() != "ptr"))
        return std::nullopt;
      E = Call->getImplicitObjectArgument();
    } else {
      break;
    }
  }
  if (!E || Depth > MaxDepth)
    return std::nullopt;
  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    std::optional<AccessPath> Base = pathOf(ME->getBase(), Depth + 1);
    if (!Base || !isa<FieldDecl, VarDecl>(ME->getMemberDecl()))
      return std::nullopt;
    Base->Members.push_back(
        cast<ValueDecl>(ME->getMemberDecl()->getCanonicalDecl()));
    return Base;
  }
  if (const auto *This = dyn_cast<CXXThisExpr>(E)) {
    const CXXRecordDecl *RD = This->getType()->getPointeeCXXRecordDecl();
    if (!RD)
      return std::nullopt;
    AccessPath P;
    P.Root = RD->getCanonicalDecl();
    return P;
  }
  const auto *DRE = dyn_cast<DeclRefExpr>(E);
  const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!VD)
    return std::nullopt;
  if (isLocalVariable(VD) && VD->getInit() && isAliasType(VD->getType()) &&
      !loopDeclaring(VD, Parents))
    if (std::optional<AccessPath> Aliased = pathOf(VD->getInit(), Depth + 1))
      return Aliased;
  AccessPath P;
  P.Root = VD->getCanonicalDecl();
  return P;
}

std::optional<ParamSet>
Resolver::moduleList(const CXXMemberCallExpr *Call) const {
  std::optional<AccessPath> Module = pathOf(Call->getImplicitObjectArgument());
  if (!Module)
    return std::nullopt;
  ParamSet Set;
  Set.Path = std::move(*Module);
  bool Recurse = true;
  if (Call->getNumArgs() == 1 && !isa<CXXDefaultArgExpr>(Call->getArg(0)) &&
      !Call->getArg(0)->isValueDependent() &&
      Call->getArg(0)->EvaluateAsBooleanCondition(Recurse, Context))
    Set.Recursive = Recurse;
  return Set;
}

std::optional<ParamSet> Resolver::namedOf(const Expr *E) const {
  const auto *Call = api::asModuleCall(
      E ? E->IgnoreUnlessSpelledInSource() : nullptr, "named_parameters");
  return Call ? moduleList(Call) : std::nullopt;
}

std::optional<ParamSet> Resolver::listOf(const Expr *E, unsigned Depth) const {
  if (!E || Depth > MaxDepth)
    return std::nullopt;
  E = E->IgnoreUnlessSpelledInSource();
  if (const auto *Call = api::asModuleCall(E, "parameters"))
    return moduleList(Call);
  if (const auto *Values = api::asOrderedDictCall(E, "values"))
    return namedOf(Values->getImplicitObjectArgument());
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      return vectorVariable(VD, Depth + 1);
  return std::nullopt;
}

/// The element of the range-based for loop declaring `LoopVar`: a parameter
/// of the list it iterates, or of `named_parameters()` when `Named`. Every
/// parameter when `Use` runs on each iteration, some of them otherwise.
std::optional<ParamSet> Resolver::loopElement(const VarDecl *LoopVar,
                                              bool Named, const Stmt *Use,
                                              const Stmt *&Loop,
                                              unsigned Depth) const {
  const CXXForRangeStmt *For = loopDeclaring(LoopVar, Parents);
  if (!For)
    return std::nullopt;
  std::optional<ParamSet> Set = Named ? namedOf(For->getRangeInit())
                                      : listOf(For->getRangeInit(), Depth + 1);
  if (!Set)
    return std::nullopt;
  if (isUnconditionalIn(Use, For, Parents))
    Loop = For;
  else
    Set->Kind = ParamSet::Subset;
  return Set;
}

/// A local `std::vector<torch::Tensor>` holding a full parameter list: it is
/// initialised from one and never changed, or it starts empty and one loop
/// pushes every element of one.
std::optional<ParamSet> Resolver::vectorVariable(const VarDecl *VD,
                                                 unsigned Depth) const {
  if (!isLocalVariable(VD) || !api::isTensorVectorType(VD->getType()) ||
      Depth > MaxDepth)
    return std::nullopt;
  struct Uses : RecursiveASTVisitor<Uses> {
    const VarDecl *VD;
    const ast::ParentIndex &Parents;
    llvm::SmallVector<const CXXMemberCallExpr *, 2> Fills;
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
        else if (llvm::is_contained({"insert", "emplace", "erase", "clear",
                                     "resize", "pop_back", "assign", "swap"},
                                    Name))
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
    return std::nullopt;

  const Expr *Init = VD->getInit() ? VD->getInit()->IgnoreImplicit() : nullptr;
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init);
  const bool Empty = !Init || (Construct && Construct->getNumArgs() == 0);
  if (!Empty)
    return U.Fills.empty() ? listOf(VD->getInit(), Depth + 1) : std::nullopt;
  if (U.Fills.size() != 1 || U.Fills[0]->getNumArgs() != 1)
    return std::nullopt;

  // `V.push_back(P)` over a list, or `V.push_back(Item.value())` over
  // `named_parameters()`.
  const CXXMemberCallExpr *Fill = U.Fills[0];
  const Expr *Element = Fill->getArg(0)->IgnoreUnlessSpelledInSource();
  bool Named = false;
  if (const auto *Value = api::asOrderedDictCall(Element, "value")) {
    Element = Value->getImplicitObjectArgument()->IgnoreUnlessSpelledInSource();
    Named = true;
  }
  const auto *DRE = dyn_cast<DeclRefExpr>(Element);
  const auto *LoopVar = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  const Stmt *Loop = nullptr;
  std::optional<ParamSet> Set =
      LoopVar ? loopElement(LoopVar, Named, Fill, Loop, Depth) : std::nullopt;
  if (!Set || Set->Kind != ParamSet::Module)
    return std::nullopt;
  return Set;
}

std::optional<ParamSet> Resolver::targetOf(const Expr *Obj,
                                           const CXXMemberCallExpr *Call,
                                           const Stmt *&Loop,
                                           unsigned Depth) const {
  if (!Obj || Depth > MaxDepth)
    return std::nullopt;
  const Expr *E = Obj->IgnoreUnlessSpelledInSource();

  // `Item.value()`, `Item->`, `*Item` in a loop over `named_parameters()`.
  const Expr *Item = nullptr;
  if (const auto *Value = api::asOrderedDictCall(E, "value"))
    Item = Value->getImplicitObjectArgument();
  else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
           Op && Op->getNumArgs() == 1 &&
           (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
           api::isOrderedDictItemType(Op->getArg(0)->getType()))
    Item = Op->getArg(0);
  if (Item) {
    const auto *DRE =
        dyn_cast<DeclRefExpr>(Item->IgnoreUnlessSpelledInSource());
    const auto *LoopVar = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    return LoopVar ? loopElement(LoopVar, /*Named=*/true, Call, Loop, Depth)
                   : std::nullopt;
  }

  // `Dict["fc.weight"]`, `List[I]`: one parameter, which is unknown here.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2) {
    std::optional<ParamSet> Set = namedOf(Op->getArg(0));
    if (!Set)
      Set = listOf(Op->getArg(0), Depth + 1);
    if (Set)
      Set->Kind = ParamSet::Subset;
    return Set;
  }

  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
    if (VD && loopDeclaring(VD, Parents))
      return loopElement(VD, /*Named=*/false, Call, Loop, Depth);
    if (isLocalVariable(VD) && VD->getInit() && isAliasType(VD->getType()))
      if (std::optional<ParamSet> Set =
              targetOf(VD->getInit(), Call, Loop, Depth + 1))
        return Set;
  }

  std::optional<AccessPath> Path = pathOf(E);
  if (!Path)
    return std::nullopt;
  ParamSet Set;
  Set.Kind = ParamSet::Single;
  Set.Path = std::move(*Path);
  return Set;
}

/// Collects the full parameter lists in an optimizer's parameter argument,
/// through parameter groups and initializer lists.
void collectLists(const Expr *E, const Resolver &R,
                  llvm::SmallVectorImpl<std::pair<ParamSet, const Expr *>> &Out,
                  unsigned Depth = 0) {
  if (!E || Depth > MaxDepth)
    return;
  E = E->IgnoreUnlessSpelledInSource();
  if (const auto *List = dyn_cast<InitListExpr>(E)) {
    for (const Expr *Init : List->inits())
      collectLists(Init, R, Out, Depth + 1);
    return;
  }
  if (const auto *List = dyn_cast<CXXStdInitializerListExpr>(E)) {
    collectLists(List->getSubExpr(), R, Out, Depth + 1);
    return;
  }
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E)) {
    collectLists(Cast->getSubExpr(), R, Out, Depth + 1);
    return;
  }
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    const CXXRecordDecl *RD = Construct->getConstructor()->getParent();
    const std::string Name = RD->getQualifiedNameAsString();
    if (Construct->getNumArgs() >= 1 &&
        (Name == "torch::optim::OptimizerParamGroup" || Name == "std::vector"))
      collectLists(Construct->getArg(0), R, Out, Depth + 1);
    return;
  }
  if (std::optional<ParamSet> Set = R.listOf(E))
    Out.emplace_back(std::move(*Set), E);
}

/// The optimizer variable or field that a construction initialises or is
/// assigned to; for `add_param_group` and `add_parameters`, the receiver.
const ValueDecl *optimizerDeclOf(const Expr *Construction,
                                 const ast::ParentIndex &Parents) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Construction))
    return api::getReceiver(Call).Decl;
  DynTypedNode Node = DynTypedNode::create(*Construction);
  for (unsigned Steps = 0; Steps < 16; ++Steps) {
    const DynTypedNodeList Up = Parents.of(Node);
    if (Up.empty())
      return nullptr;
    Node = Up[0];
    if (const auto *VD = Node.get<VarDecl>())
      return VD;
    const auto *S = Node.get<Stmt>();
    if (!S)
      return nullptr;
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
    return nullptr;
  }
  return nullptr;
}

/// Where the warning for a construction goes: the name of the variable, of
/// `make_shared`/`make_unique`, of the method, or the type after `new`.
SourceLocation constructionLoc(const Expr *Construction) {
  if (const auto *Call = dyn_cast<CallExpr>(Construction)) {
    if (const auto *DRE =
            dyn_cast<DeclRefExpr>(Call->getCallee()->IgnoreImplicit()))
      return DRE->getLocation();
    return Call->getExprLoc();
  }
  return Construction->getExprLoc();
}

/// One freezing that concerns one list handed to the optimizer.
struct Finding {
  const Toggle *Freeze = nullptr;
  const ParamSet *List = nullptr;
};

} // namespace

struct FrozenParamInOptimizerCheck::BodyFacts {
  std::unique_ptr<flow::FlowGraph> Graph;
  std::vector<Toggle> Toggles;
  llvm::DenseMap<const Stmt *, unsigned> ToggleAt;
};

FrozenParamInOptimizerCheck::FrozenParamInOptimizerCheck(
    StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context) {}

FrozenParamInOptimizerCheck::~FrozenParamInOptimizerCheck() = default;

void FrozenParamInOptimizerCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds the optimizer
  // constructions in the user's code itself (see ast::UserCodeVisitor).
  Finder->addMatcher(translationUnitDecl(), this);
}

void FrozenParamInOptimizerCheck::onEndOfTranslationUnit() {
  // The caches hold AST pointers, which the next translation unit reuses.
  Bodies.clear();
  Parents.reset();
}

void FrozenParamInOptimizerCheck::check(
    const MatchFinder::MatchResult &Result) {
  ASTContext &Context = *Result.Context;
  Parents.attach(Context);
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
  } F;
  F.traverseUserCode(Context);
  const auto IsConstruction =
      expr(anyOf(api::optimizerConstruction(), api::addParametersCall()));
  for (const Expr *Candidate : F.Candidates)
    if (!match(IsConstruction, *Candidate, Context).empty())
      checkConstruction(Candidate, Context);
}

void FrozenParamInOptimizerCheck::checkConstruction(const Expr *Construction,
                                                    ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  const Expr *Argument = nullptr;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Construction))
    Argument = Construct->getArg(0);
  else
    Argument = cast<CallExpr>(Construction)->getArg(0);

  auto [D, Body] = enclosingBody(Construction, Parents);
  if (!Body)
    return;
  const Resolver R(Body, Parents);
  llvm::SmallVector<std::pair<ParamSet, const Expr *>, 2> Lists;
  collectLists(Argument, R, Lists);
  if (Lists.empty())
    return;

  std::unique_ptr<BodyFacts> &Facts = Bodies[Body];
  if (!Facts) {
    Facts = std::make_unique<BodyFacts>();
    Facts->Graph = flow::FlowGraph::build(D, Body, Context);
    struct Visitor : RecursiveASTVisitor<Visitor> {
      const Resolver &R;
      ASTContext &Context;
      BodyFacts &Facts;
      Visitor(const Resolver &R, ASTContext &Context, BodyFacts &Facts)
          : R(R), Context(Context), Facts(Facts) {}
      bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
      bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
        if (!api::asTensorCall(Call, "requires_grad_") &&
            !api::asTensorCall(Call, "set_requires_grad"))
          return true;
        const std::optional<bool> Value = toggledValue(Call, Context);
        const Stmt *Loop = nullptr;
        std::optional<ParamSet> Set =
            Value ? R.targetOf(Call->getImplicitObjectArgument(), Call, Loop)
                  : std::nullopt;
        if (!Set)
          return true;
        Facts.ToggleAt[Call] = Facts.Toggles.size();
        Facts.Toggles.push_back({Call, std::move(*Set), !*Value, Loop});
        return true;
      }
    } V(R, Context, *Facts);
    V.TraverseStmt(Body);
  }
  const flow::FlowGraph *Graph = Facts->Graph.get();
  if (!Graph || Facts->Toggles.empty())
    return;

  // The construction as the graph knows it.
  const Stmt *Anchor = Construction;
  while (Anchor && !Graph->contains(Anchor))
    Anchor = parentStmt(Anchor, Parents);
  if (!Anchor)
    return;
  const ValueDecl *Optimizer = optimizerDeclOf(Construction, Parents);
  if (Optimizer)
    Optimizer = cast<ValueDecl>(Optimizer->getCanonicalDecl());

  std::optional<Finding> Before;
  std::optional<Finding> After;
  llvm::SmallVector<const Expr *, 2> FixLists;
  for (const auto &[List, ListExpr] : Lists) {
    for (const Toggle &Freeze : Facts->Toggles) {
      if (!Freeze.Freeze)
        continue;
      const std::optional<ParamSet> Region = overlap(List, Freeze.Set);
      if (!Region)
        continue;
      const auto Unfreezes = [&](const Stmt *S) {
        auto It = Facts->ToggleAt.find(S);
        if (It == Facts->ToggleAt.end())
          return false;
        const Toggle &T = Facts->Toggles[It->second];
        return !T.Freeze && covers(T.Set, *Region);
      };
      const auto InUnfreezingLoop = [&](const CFGBlock *Block) {
        const Stmt *Terminator = Block->getTerminatorStmt();
        return Terminator && llvm::any_of(Facts->Toggles, [&](const Toggle &T) {
                 return !T.Freeze && T.Loop == Terminator &&
                        covers(T.Set, *Region);
               });
      };
      if (Graph->reaches(Freeze.Call, Anchor, Unfreezes, InUnfreezingLoop)) {
        if (!Before)
          Before = Finding{&Freeze, &List};
        if (!llvm::is_contained(FixLists, ListExpr))
          FixLists.push_back(ListExpr);
        continue;
      }
      if (After || !Optimizer ||
          !Graph->reaches(Anchor, Freeze.Call,
                          [](const Stmt *) { return false; }))
        continue;
      // The graph holds calls, not every name: a use is a call or another
      // element that mentions the optimizer; an assignment to it ends it.
      const auto Uses = [&](const Stmt *S) {
        return mentions(S, Optimizer, /*Assigned=*/false, Parents);
      };
      const auto EndsUse = [&](const Stmt *S) {
        return Unfreezes(S) ||
               mentions(S, Optimizer, /*Assigned=*/true, Parents);
      };
      if (Graph->findReachable(Freeze.Call, Uses, EndsUse, InUnfreezingLoop))
        After = Finding{&Freeze, &List};
    }
  }

  const auto Note = [&](const Finding &F, bool Later) {
    const ParamSet &Frozen = F.Freeze->Set;
    const NamedDecl *Leaf = Frozen.Path.leaf();
    if (!Leaf)
      return;
    diag(F.Freeze->Call->getExprLoc(),
         "%select{parameters of %1 are|parameter %1 is|some parameters of %1 "
         "are}0 frozen here%select{|, after the optimizer is built}2",
         DiagnosticIDs::Note)
        << static_cast<unsigned>(Frozen.Kind) << Leaf << Later;
  };
  const SourceLocation Loc = constructionLoc(Construction);
  if (Before && Before->List->Path.leaf()) {
    diag(Loc, "optimizer receives frozen parameters of %0")
        << Before->List->Path.leaf();
    Note(*Before, false);
    // The fix keeps the trainable tensors of each list at construction
    // time; a later freezing needs the optimizer to be rebuilt instead. It
    // changes what trains, so it sits on a note: only --fix-notes applies it.
    llvm::SmallVector<FixItHint, 4> Hints;
    if (!Loc.isMacroID())
      for (const Expr *ListExpr : FixLists) {
        const SourceLocation Begin = ListExpr->getBeginLoc();
        const SourceLocation End = Lexer::getLocForEndOfToken(
            ListExpr->getEndLoc(), 0, SM, getLangOpts());
        if (Begin.isMacroID() || ListExpr->getEndLoc().isMacroID() ||
            End.isInvalid())
          continue;
        Hints.push_back(FixItHint::CreateInsertion(Begin, TrainableFilter));
        Hints.push_back(FixItHint::CreateInsertion(End, ")"));
      }
    if (!Hints.empty())
      diag(Loc, "wrap the parameter list to pass only trainable parameters",
           DiagnosticIDs::Note)
          << Hints;
  }
  if (After && After->List->Path.leaf()) {
    diag(Loc, "optimizer receives parameters of %0 that are frozen while it "
              "is still in use")
        << After->List->Path.leaf();
    Note(*After, true);
  }
}

} // namespace clang::tidy::torch
