// SPDX-License-Identifier: Apache-2.0
// Objects: access paths to modules and tensors.

#include "Objects.h"
#include "utils/TorchApi.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::torch::model {

namespace {

constexpr unsigned MaxDepth = 8;

bool isHolderClassAt(const CXXRecordDecl *RD, unsigned Depth) {
  if (!RD || Depth > 16)
    return false;
  if (isa<ClassTemplateSpecializationDecl>(RD) &&
      RD->getQualifiedNameAsString() == "torch::nn::ModuleHolder")
    return true;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def)
    return false;
  return llvm::any_of(Def->bases(), [Depth](const CXXBaseSpecifier &Base) {
    return isHolderClassAt(Base.getType()->getAsCXXRecordDecl(), Depth + 1);
  });
}

std::optional<AccessPath> pathAt(const Expr *E, const ast::ParentIndex &Parents,
                                 unsigned Depth) {
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
    std::optional<AccessPath> Base = pathAt(ME->getBase(), Parents, Depth + 1);
    if (!Base || !isa<FieldDecl, VarDecl>(ME->getMemberDecl()))
      return std::nullopt;
    Base->Members.push_back(
        cast<ValueDecl>(ME->getMemberDecl()->getCanonicalDecl()));
    return Base;
  }
  if (const auto *This = dyn_cast<CXXThisExpr>(E)) {
    // `getPointeeCXXRecordDecl` knows record types only; in a class
    // template, `this` points to its injected class name.
    const CXXRecordDecl *RD =
        This->getType()->getPointeeType()->getAsCXXRecordDecl();
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
    if (std::optional<AccessPath> Aliased =
            pathAt(VD->getInit(), Parents, Depth + 1))
      return Aliased;
  AccessPath P;
  P.Root = VD->getCanonicalDecl();
  return P;
}

} // namespace

std::optional<AccessPath> pathOf(const Expr *E,
                                 const ast::ParentIndex &Parents) {
  return pathAt(E, Parents, 0);
}

bool disjoint(const AccessPath &A, const AccessPath &B) {
  if (!A.Root || !B.Root)
    return false;
  if (A.Root == B.Root)
    return !A.isPrefixOf(B) && !B.isPrefixOf(A);
  // Two variables (or parameters) of one function are two objects; a
  // variable may alias a member of `this`, and `this` of two classes may be
  // one object (a base and a derived class). A local reference or pointer
  // whose initializer is no access path may designate anything.
  const auto Identified = [](const Decl *Root) {
    const auto *VD = dyn_cast<VarDecl>(Root);
    return VD && (isa<ParmVarDecl>(VD) || (!VD->getType()->isReferenceType() &&
                                           !VD->getType()->isPointerType()));
  };
  return Identified(A.Root) && Identified(B.Root) &&
         A.Root->getDeclContext() == B.Root->getDeclContext();
}

bool isHolderClass(const CXXRecordDecl *RD) { return isHolderClassAt(RD, 0); }

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

const Stmt *parentSkippingImplicit(const Expr *E,
                                   const ast::ParentIndex &Parents) {
  const Stmt *P = ast::parentStmt(E, Parents);
  while (P && isa<ImplicitCastExpr, ParenExpr>(P))
    P = ast::parentStmt(P, Parents);
  return P;
}

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

const CXXForRangeStmt *loopDeclaring(const VarDecl *VD,
                                     const ast::ParentIndex &Parents) {
  const DynTypedNodeList Up = Parents.of(*VD);
  const auto *DS = Up.empty() ? nullptr : Up[0].get<DeclStmt>();
  const auto *Loop = dyn_cast_or_null<CXXForRangeStmt>(
      DS ? ast::parentStmt(DS, Parents) : nullptr);
  return Loop && Loop->getLoopVariable() == VD ? Loop : nullptr;
}

} // namespace clang::tidy::torch::model
