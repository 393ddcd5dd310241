// SPDX-License-Identifier: Apache-2.0
// Module modes: which layers of a module behave differently in training and
// in evaluation mode, and where they are declared.

#include "model/ModuleMode.h"
#include "model/Objects.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <optional>
#include <tuple>

namespace clang::tidy::torch::model {

namespace {

constexpr unsigned MaxDepth = 6;

/// The `T` of the `torch::nn::ModuleHolder<T>` that `RD` is or derives from.
const CXXRecordDecl *heldImpl(const CXXRecordDecl *RD, unsigned Depth = 0) {
  if (!RD || Depth > 16)
    return nullptr;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
      Spec && RD->getQualifiedNameAsString() == "torch::nn::ModuleHolder") {
    if (Spec->getTemplateArgs().size() == 0 ||
        Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
      return nullptr;
    return Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  }
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def)
    return nullptr;
  for (const CXXBaseSpecifier &Base : Def->bases())
    if (const CXXRecordDecl *Impl =
            heldImpl(Base.getType()->getAsCXXRecordDecl(), Depth + 1))
      return Impl;
  return nullptr;
}

/// The kind of a mode-dependent LibTorch layer class, and whether it depends
/// on the mode only with `track_running_stats(true)`; empty for any other.
std::pair<StringRef, bool> layerKind(const CXXRecordDecl *Impl) {
  if (!Impl || !Impl->getIdentifier())
    return {};
  static constexpr llvm::StringLiteral Always[] = {
      "DropoutImpl",      "Dropout2dImpl",           "Dropout3dImpl",
      "AlphaDropoutImpl", "FeatureAlphaDropoutImpl", "BatchNorm1dImpl",
      "BatchNorm2dImpl",  "BatchNorm3dImpl"};
  static constexpr llvm::StringLiteral WithStats[] = {
      "InstanceNorm1dImpl", "InstanceNorm2dImpl", "InstanceNorm3dImpl"};
  const StringRef Name = Impl->getName();
  const auto *NS = dyn_cast<NamespaceDecl>(Impl->getDeclContext());
  if (!NS || !NS->getIdentifier() || NS->getName() != "nn")
    return {};
  for (StringRef Kind : Always)
    if (Name == Kind)
      return {Name.drop_back(4), false};
  for (StringRef Kind : WithStats)
    if (Name == Kind)
      return {Name.drop_back(4), true};
  return {};
}

/// True when `E` sets `track_running_stats(true)` on the options it builds.
bool tracksRunningStats(const Stmt *E) {
  struct Finder : RecursiveASTVisitor<Finder> {
    bool Found = false;
    bool VisitCXXMemberCallExpr(CXXMemberCallExpr *Call) {
      const CXXMethodDecl *MD = Call->getMethodDecl();
      if (MD && MD->getIdentifier() && MD->getName() == "track_running_stats" &&
          Call->getNumArgs() == 1)
        if (const auto *B = dyn_cast<CXXBoolLiteralExpr>(
                Call->getArg(0)->IgnoreParenImpCasts()))
          Found |= B->getValue();
      return !Found;
    }
  } F;
  F.TraverseStmt(const_cast<Stmt *>(E));
  return F.Found;
}

/// A module class of the user's: derived from `torch::nn::Module`, defined
/// outside LibTorch.
bool isUserModuleClass(const CXXRecordDecl *RD) {
  if (!RD || !RD->hasDefinition() || api::isLibTorchDecl(RD))
    return false;
  const ASTContext &Context = RD->getASTContext();
  return api::isModuleLike(Context.getRecordType(RD));
}

/// The variable or field `E` names, through parentheses, casts, `*`, `->`
/// and `.get()`.
const ValueDecl *namedDecl(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Op->getOperator() != OO_Arrow && Op->getOperator() != OO_Star) ||
          Op->getNumArgs() != 1)
        return nullptr;
      E = Op->getArg(0);
    } else if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() != UO_Deref)
        return nullptr;
      E = UO->getSubExpr();
    } else if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      return Ref->getDecl();
    } else if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      return Member->getMemberDecl();
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

struct Layers {
  llvm::SmallVector<ModeDependentLayer, 4> List;
  void add(StringRef Kind, StringRef Holder, SourceLocation Loc) {
    for (const ModeDependentLayer &L : List)
      if (L.Kind == Kind && L.Holder == Holder &&
          (L.Loc == Loc || !Holder.empty()))
        return;
    List.push_back({Kind.str(), Holder.str(), Loc});
  }
  void append(llvm::ArrayRef<ModeDependentLayer> Other, StringRef Holder) {
    for (const ModeDependentLayer &L : Other)
      add(L.Kind, L.Holder.empty() ? Holder : StringRef(L.Holder), L.Loc);
  }
};

llvm::SmallVector<ModeDependentLayer, 4> classLayers(const CXXRecordDecl *RD,
                                                     unsigned Depth);

/// Collects the mode-dependent layers constructed in a statement. With a
/// `Target`, only in what is stored in it: its initializer, assignments to
/// it and `push_back` into it.
class Scanner : public RecursiveASTVisitor<Scanner> {
public:
  Scanner(Layers &Out, unsigned Depth, const ValueDecl *Target,
          std::string Holder)
      : Out(Out), Depth(Depth), Target(Target), Holder(std::move(Holder)),
        Active(!Target) {}

  bool shouldVisitLambdaBody() const { return false; }

  bool TraverseCXXOperatorCallExpr(CXXOperatorCallExpr *Op) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
      if (const ValueDecl *D = namedDecl(Op->getArg(0)))
        return into(D, Op->getArg(1));
    return RecursiveASTVisitor::TraverseCXXOperatorCallExpr(Op);
  }
  bool TraverseBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() == BO_Assign)
      if (const ValueDecl *D = namedDecl(BO->getLHS()))
        return into(D, BO->getRHS());
    return RecursiveASTVisitor::TraverseBinaryOperator(BO);
  }
  bool TraverseCXXMemberCallExpr(CXXMemberCallExpr *Call) {
    const CXXMethodDecl *MD = Call->getMethodDecl();
    const StringRef Name =
        MD && MD->getIdentifier() ? MD->getName() : StringRef();
    if (Name == "register_module" && Call->getNumArgs() == 2) {
      const auto *Literal = dyn_cast<StringLiteral>(
          Call->getArg(0)->IgnoreUnlessSpelledInSource());
      if (Literal && Target == nullptr) {
        const std::string Saved = Holder;
        if (Holder.empty())
          Holder = Literal->getString().str();
        TraverseStmt(Call->getArg(1));
        Holder = Saved;
        return true;
      }
    }
    if (compat::isOneOf(Name, {"push_back", "extend", "insert"}))
      if (const ValueDecl *D = namedDecl(Call->getImplicitObjectArgument())) {
        for (Expr *Arg : Call->arguments())
          into(D, Arg);
        return TraverseStmt(Call->getImplicitObjectArgument());
      }
    return RecursiveASTVisitor::TraverseCXXMemberCallExpr(Call);
  }

  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    const CXXConstructorDecl *Ctor = E->getConstructor();
    if (!Ctor || Ctor->isCopyOrMoveConstructor())
      return true;
    construct(moduleClassOf(E->getType()), E);
    return true;
  }
  bool VisitCXXNewExpr(CXXNewExpr *E) {
    if (!E->getConstructExpr())
      construct(moduleClassOf(E->getAllocatedType()), E);
    return true;
  }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD || !FD->getIdentifier())
      return true;
    if (FD->getName() == "make_shared" && FD->isInStdNamespace()) {
      construct(moduleClassOf(Call->getType()), Call);
      return true;
    }
    // A function of the user's that builds the module it returns.
    const FunctionDecl *Def = nullptr;
    if (!Active || Depth >= MaxDepth || api::isLibTorchDecl(FD) ||
        FD->isInStdNamespace() || !api::isModuleLike(FD->getReturnType()) ||
        !FD->hasBody(Def) || isa<CXXMethodDecl>(Def))
      return true;
    Layers Inner;
    Scanner Nested(Inner, Depth + 1, nullptr, "");
    Nested.TraverseStmt(Def->getBody());
    Out.append(Inner.List, Holder);
    return true;
  }

private:
  /// Scans `Value`, stored in `D`.
  bool into(const ValueDecl *D, Expr *Value) {
    const bool SavedActive = Active;
    const std::string Saved = Holder;
    if (Target && D == Target)
      Active = true;
    if (!Target && isa<FieldDecl>(D))
      Holder = D->getNameAsString();
    TraverseStmt(Value);
    Active = SavedActive;
    Holder = Saved;
    return true;
  }

  void construct(const CXXRecordDecl *Impl, const Expr *E) {
    if (!Active || !Impl)
      return;
    const auto [Kind, NeedsStats] = layerKind(Impl);
    if (!Kind.empty()) {
      if (!NeedsStats || tracksRunningStats(E))
        Out.add(Kind, Holder, E->getBeginLoc());
      return;
    }
    if (isUserModuleClass(Impl) && Depth < MaxDepth)
      Out.append(classLayers(Impl, Depth + 1), Holder);
  }

  Layers &Out;
  unsigned Depth;
  const ValueDecl *Target;
  std::string Holder;
  bool Active;
};

llvm::SmallVector<ModeDependentLayer, 4> classLayers(const CXXRecordDecl *RD,
                                                     unsigned Depth) {
  Layers Out;
  if (!RD || Depth > MaxDepth)
    return Out.List;
  const auto [Kind, NeedsStats] = layerKind(RD);
  if (!Kind.empty()) {
    if (!NeedsStats)
      Out.add(Kind, "", RD->getLocation());
    return Out.List;
  }
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def || !isUserModuleClass(Def))
    return Out.List;
  // A specialization of a class template of the user's is read in its
  // pattern.
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Def))
    if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
      if (const CXXRecordDecl *Pattern = Template->getTemplatedDecl())
        if (Pattern->hasDefinition())
          Def = Pattern->getDefinition();
  for (const CXXBaseSpecifier &Base : Def->bases())
    if (const CXXRecordDecl *BaseClass = Base.getType()->getAsCXXRecordDecl();
        isUserModuleClass(BaseClass))
      Out.append(classLayers(BaseClass, Depth + 1), "");
  for (const FieldDecl *Field : Def->fields()) {
    const CXXRecordDecl *Impl = moduleClassOf(Field->getType());
    const auto [FieldKind, FieldNeedsStats] = layerKind(Impl);
    if (!FieldKind.empty() && !FieldNeedsStats)
      Out.add(FieldKind, Field->getNameAsString(), Field->getLocation());
    else if (FieldKind.empty() && isUserModuleClass(Impl) && Impl != Def)
      Out.append(classLayers(Impl, Depth + 1), Field->getNameAsString());
    if (const Expr *Init = Field->getInClassInitializer()) {
      Scanner S(Out, Depth, nullptr, Field->getNameAsString());
      S.TraverseStmt(const_cast<Expr *>(Init));
    }
  }
  for (const CXXConstructorDecl *Ctor : Def->ctors()) {
    const FunctionDecl *Body = nullptr;
    if (Ctor->isImplicit() || !Ctor->hasBody(Body))
      continue;
    const auto *CtorDef = cast<CXXConstructorDecl>(Body);
    for (const CXXCtorInitializer *Init : CtorDef->inits()) {
      if (!Init->isWritten() || !Init->getInit())
        continue;
      Scanner S(Out, Depth, nullptr,
                Init->getMember() ? Init->getMember()->getNameAsString() : "");
      S.TraverseStmt(Init->getInit());
    }
    Scanner S(Out, Depth, nullptr, "");
    S.TraverseStmt(CtorDef->getBody());
  }
  return Out.List;
}

} // namespace

const CXXRecordDecl *moduleClassOf(QualType T) {
  if (T.isNull() || T->isDependentType())
    return nullptr;
  T = T.getNonReferenceType().getCanonicalType();
  if (T->isPointerType())
    T = T->getPointeeType().getCanonicalType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(RD);
      Spec && Spec->isInStdNamespace() && Spec->getIdentifier() &&
      (Spec->getName() == "shared_ptr" || Spec->getName() == "unique_ptr") &&
      Spec->getTemplateArgs().size() > 0 &&
      Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
    RD = Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  if (!RD)
    return nullptr;
  if (isHolderClass(RD))
    return heldImpl(RD);
  return RD;
}

bool isModuleContainer(const CXXRecordDecl *Impl) {
  if (!Impl || !Impl->getIdentifier())
    return false;
  const auto *NS = dyn_cast<NamespaceDecl>(Impl->getDeclContext());
  return NS && NS->getIdentifier() && NS->getName() == "nn" &&
         compat::isOneOf(Impl->getName(), {"SequentialImpl", "ModuleListImpl",
                                           "ModuleDictImpl"});
}

bool isScriptModule(QualType T) {
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD && T->isPointerType())
    RD = T->getPointeeType()->getAsCXXRecordDecl();
  return RD && RD->getQualifiedNameAsString() == "torch::jit::Module";
}

llvm::SmallVector<ModeDependentLayer, 4>
modeDependentLayersOf(const CXXRecordDecl *Impl) {
  return classLayers(Impl, 0);
}

llvm::SmallVector<ModeDependentLayer, 4>
modeDependentLayersOfContainer(const ValueDecl *Holder) {
  Layers Out;
  if (!Holder)
    return Out.List;
  const std::string Name = Holder->getNameAsString();
  if (const auto *VD = dyn_cast<VarDecl>(Holder)) {
    if (isa<ParmVarDecl>(VD))
      return Out.List;
    if (const Expr *Init = VD->getInit()) {
      Scanner S(Out, 0, nullptr, Name);
      S.TraverseStmt(const_cast<Expr *>(Init));
    }
    if (const auto *FD =
            dyn_cast_or_null<FunctionDecl>(VD->getParentFunctionOrMethod()))
      if (Stmt *Body = FD->getBody()) {
        Scanner S(Out, 0, VD, Name);
        S.TraverseStmt(Body);
      }
    return Out.List;
  }
  const auto *Field = dyn_cast<FieldDecl>(Holder);
  if (!Field)
    return Out.List;
  if (const Expr *Init = Field->getInClassInitializer()) {
    Scanner S(Out, 0, nullptr, Name);
    S.TraverseStmt(const_cast<Expr *>(Init));
  }
  const auto *RD = dyn_cast<CXXRecordDecl>(Field->getParent());
  if (!RD)
    return Out.List;
  for (const CXXMethodDecl *MD : RD->methods()) {
    const FunctionDecl *Def = nullptr;
    if (MD->isImplicit() || !MD->hasBody(Def))
      continue;
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->isWritten() && Init->getMember() == Field) {
          Scanner S(Out, 0, nullptr, Name);
          S.TraverseStmt(Init->getInit());
        }
    Scanner S(Out, 0, Field, Name);
    S.TraverseStmt(Def->getBody());
  }
  return Out.List;
}

} // namespace clang::tidy::torch::model
