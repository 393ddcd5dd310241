// SPDX-License-Identifier: Apache-2.0
// The LibTorch vocabulary shared by all checks, matched on canonical
// declarations.

#include "TorchApi.h"
#include "AstWalk.h"
#include "LlvmCompat.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"

namespace clang::tidy::torch::api {

using namespace ast_matchers;

static constexpr llvm::StringLiteral OptimizerName =
    "::torch::optim::Optimizer";
static constexpr llvm::StringLiteral ModuleName = "::torch::nn::Module";
static constexpr llvm::StringLiteral HolderName = "::torch::nn::ModuleHolder";

DeclarationMatcher tensorClass() {
  return cxxRecordDecl(hasAnyName("::at::Tensor", "::at::TensorBase"));
}

DeclarationMatcher optimizerClass() {
  return cxxRecordDecl(isSameOrDerivedFrom(hasName(OptimizerName)));
}

DeclarationMatcher moduleClass() {
  return cxxRecordDecl(isSameOrDerivedFrom(hasName(ModuleName)));
}

DeclarationMatcher moduleHolderClass() {
  return cxxRecordDecl(isSameOrDerivedFrom(hasName(HolderName)));
}

DeclarationMatcher gradModeGuardClass() {
  return cxxRecordDecl(hasAnyName("::c10::NoGradGuard", "::c10::AutoGradMode",
                                  "::c10::InferenceMode"));
}

TypeMatcher tensorType() {
  return qualType(hasCanonicalType(hasUnqualifiedDesugaredType(
      recordType(hasDeclaration(cxxRecordDecl(hasName("::at::Tensor")))))));
}

static bool hasQualifiedName(const CXXRecordDecl *RD, llvm::StringRef Name) {
  // Name is given with a leading "::".
  return RD->getQualifiedNameAsString() == Name.drop_front(2);
}

static bool isSameOrDerivedFrom(const CXXRecordDecl *RD, llvm::StringRef Name,
                                unsigned Depth = 0) {
  if (!RD || Depth > 32)
    return false;
  RD = RD->getCanonicalDecl();
  if (hasQualifiedName(RD, Name))
    return true;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    if (hasQualifiedName(Spec->getSpecializedTemplate()->getTemplatedDecl(),
                         Name))
      return true;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def)
    return false;
  return llvm::any_of(Def->bases(), [&](const CXXBaseSpecifier &Base) {
    return isSameOrDerivedFrom(Base.getType()->getAsCXXRecordDecl(), Name,
                               Depth + 1);
  });
}

/// The class a value, reference, pointer or smart pointer refers to.
static const CXXRecordDecl *pointeeClass(QualType T) {
  T = T.getNonReferenceType().getCanonicalType();
  if (T->isPointerType())
    T = T->getPointeeType().getCanonicalType();
  const auto *RD = T->getAsCXXRecordDecl();
  if (const auto *Spec =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(RD)) {
    const std::string Name = Spec->getQualifiedNameAsString();
    if ((Name == "std::shared_ptr" || Name == "std::unique_ptr") &&
        Spec->getTemplateArgs().size() > 0 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  }
  return RD;
}

bool isTensorType(QualType T) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && hasQualifiedName(RD->getCanonicalDecl(), "::at::Tensor");
}

bool isOptimizerLike(QualType T) {
  return isSameOrDerivedFrom(pointeeClass(T), OptimizerName);
}

bool isModuleLike(QualType T) {
  const CXXRecordDecl *RD = pointeeClass(T);
  return isSameOrDerivedFrom(RD, ModuleName) ||
         isSameOrDerivedFrom(RD, HolderName);
}

static auto tensorMethod(llvm::ArrayRef<llvm::StringRef> Names) {
  return cxxMemberCallExpr(
      callee(cxxMethodDecl(hasAnyName(Names), ofClass(tensorClass()))));
}

static auto moduleMethod(llvm::ArrayRef<llvm::StringRef> Names) {
  return cxxMemberCallExpr(
      callee(cxxMethodDecl(hasAnyName(Names), ofClass(moduleClass()))));
}

StatementMatcher backwardCall() {
  return expr(anyOf(
      tensorMethod({"backward"}),
      callExpr(callee(functionDecl(hasName("::torch::autograd::backward"))))));
}

StatementMatcher autogradGradCall() {
  return callExpr(callee(functionDecl(hasName("::torch::autograd::grad"))));
}

StatementMatcher optimizerStepCall() {
  return cxxMemberCallExpr(
      callee(cxxMethodDecl(hasName("step"), ofClass(optimizerClass()))));
}

StatementMatcher optimizerZeroGradCall() {
  return cxxMemberCallExpr(
      callee(cxxMethodDecl(hasName("zero_grad"), ofClass(optimizerClass()))));
}

StatementMatcher moduleZeroGradCall() { return moduleMethod({"zero_grad"}); }

StatementMatcher zeroGradCall() {
  return expr(anyOf(optimizerZeroGradCall(), moduleZeroGradCall()));
}

StatementMatcher gradAccessCall() {
  return tensorMethod({"grad", "mutable_grad"});
}

StatementMatcher detachCall() { return tensorMethod({"detach", "detach_"}); }

StatementMatcher evalCall() { return moduleMethod({"eval"}); }

StatementMatcher trainCall() { return moduleMethod({"train"}); }

StatementMatcher requiresGradSetterCall() {
  return tensorMethod({"requires_grad_", "set_requires_grad"});
}

StatementMatcher parametersCall() { return moduleMethod({"parameters"}); }

StatementMatcher namedParametersCall() {
  return moduleMethod({"named_parameters"});
}

static const CXXMethodDecl *tensorMethodDecl(const CXXMemberCallExpr *Call) {
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier())
    return nullptr;
  const CXXRecordDecl *RD = MD->getParent()->getCanonicalDecl();
  if (!hasQualifiedName(RD, "::at::Tensor") &&
      !hasQualifiedName(RD, "::at::TensorBase"))
    return nullptr;
  return MD;
}

static const CXXMemberCallExpr *
asMethodCall(const Stmt *S, llvm::StringRef Name, llvm::StringRef Class) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier() || MD->getName() != Name)
    return nullptr;
  return isSameOrDerivedFrom(MD->getParent(), Class) ? Call : nullptr;
}

const CXXMemberCallExpr *asTensorCall(const Stmt *S, llvm::StringRef Name) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = tensorMethodDecl(Call);
  return MD && MD->getName() == Name ? Call : nullptr;
}

const CXXMemberCallExpr *asOptimizerCall(const Stmt *S, llvm::StringRef Name) {
  return asMethodCall(S, Name, OptimizerName);
}

const CXXMemberCallExpr *asModuleCall(const Stmt *S, llvm::StringRef Name) {
  return asMethodCall(S, Name, ModuleName);
}

bool isBackwardCall(const Stmt *S) {
  if (asTensorCall(S, "backward"))
    return true;
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getQualifiedNameAsString() == "torch::autograd::backward";
}

bool isGradAccess(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(
      E ? E->IgnoreUnlessSpelledInSource() : nullptr);
  const CXXMethodDecl *MD = tensorMethodDecl(Call);
  return MD && (MD->getName() == "grad" || MD->getName() == "mutable_grad");
}

bool isInPlaceTensorCall(const CXXMemberCallExpr *Call) {
  const CXXMethodDecl *MD = tensorMethodDecl(Call);
  return MD && MD->getName().ends_with("_") &&
         MD->getName() != "requires_grad_";
}

/// Steps from a pointer-like expression to the object it designates.
static const Expr *throughPointer(const Expr *E, bool &Through) {
  E = E->IgnoreUnlessSpelledInSource();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    if ((Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
        Op->getNumArgs() == 1) {
      Through = true;
      return Op->getArg(0)->IgnoreUnlessSpelledInSource();
    }
  }
  if (const auto *UO = dyn_cast<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_Deref) {
    Through = true;
    return UO->getSubExpr()->IgnoreUnlessSpelledInSource();
  }
  return E;
}

Receiver getReceiver(const CXXMemberCallExpr *Call) {
  Receiver R;
  const Expr *Obj = Call->getImplicitObjectArgument();
  if (!Obj)
    return R;
  if (const auto *ME = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens()))
    R.ThroughPointer = ME->isArrow();
  R.Named = throughPointer(Obj, R.ThroughPointer);
  if (R.Named->getType()->isPointerType())
    R.ThroughPointer = true;
  R.Decl = getReferencedDecl(R.Named);
  return R;
}

const ValueDecl *getReferencedDecl(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 8; ++Steps) {
    bool Ignored = false;
    E = throughPointer(E, Ignored);
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return DRE->getDecl();
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return ME->getMemberDecl();
    const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
    if (!Call || !Call->getMethodDecl() ||
        Call->getMethodDecl()->getName() != "get")
      return nullptr;
    E = Call->getImplicitObjectArgument();
  }
  return nullptr;
}

// --- Recurrent state (torch-undetached-recurrent-state) -------------------

const CallExpr *asModuleForwardCall(const Stmt *S) {
  if (const CXXMemberCallExpr *Call = asModuleCall(S, "forward"))
    return Call;
  const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(S);
  if (!Op || Op->getOperator() != OO_Call)
    return nullptr;
  const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
  return MD && isSameOrDerivedFrom(MD->getParent(), HolderName) ? Op : nullptr;
}

llvm::ArrayRef<const Expr *> forwardArguments(const CallExpr *Call) {
  llvm::ArrayRef<const Expr *> Args(Call->getArgs(), Call->getNumArgs());
  return isa<CXXOperatorCallExpr>(Call) ? Args.drop_front() : Args;
}

/// The value of a constant boolean argument, seen through the implicit or
/// spelled construction of a `c10::optional<bool>`.
static std::optional<bool> constantBool(const Expr *E, const ASTContext &Ctx) {
  for (unsigned Steps = 0; E && Steps < 4; ++Steps) {
    if (isa<CXXDefaultArgExpr>(E))
      return std::nullopt;
    E = E->IgnoreUnlessSpelledInSource();
    if (E->getType()->isBooleanType()) {
      bool Value = false;
      if (!E->isValueDependent() && E->EvaluateAsBooleanCondition(Value, Ctx))
        return Value;
      return std::nullopt;
    }
    if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
      E = Cast->getSubExpr();
    else if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
             Construct && Construct->getNumArgs() == 1)
      E = Construct->getArg(0);
    else
      return std::nullopt;
  }
  return std::nullopt;
}

bool retainsGraph(const Expr *Backward) {
  const auto *Call = dyn_cast_or_null<CallExpr>(Backward);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD)
    return false;
  const ASTContext &Ctx = FD->getASTContext();
  std::optional<bool> Retain;
  std::optional<bool> Create;
  for (unsigned I = 0, E = std::min(FD->getNumParams(), Call->getNumArgs());
       I < E; ++I) {
    const IdentifierInfo *Name = FD->getParamDecl(I)->getIdentifier();
    if (!Name)
      continue;
    if (Name->getName() == "retain_graph")
      Retain = constantBool(Call->getArg(I), Ctx);
    else if (Name->getName() == "create_graph")
      Create = constantBool(Call->getArg(I), Ctx);
  }
  return Retain ? *Retain : Create.value_or(false);
}

bool isGradDisablingGuard(const VarDecl *VD) {
  const auto *RD = VD ? VD->getType()->getAsCXXRecordDecl() : nullptr;
  if (!RD)
    return false;
  const std::string Name = RD->getQualifiedNameAsString();
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(
      VD->getInit() ? VD->getInit()->IgnoreImplicit() : nullptr);
  std::optional<bool> Enabled;
  if (Construct && Construct->getNumArgs() > 0)
    Enabled = constantBool(Construct->getArg(0), VD->getASTContext());
  if (Name == "c10::NoGradGuard")
    return true;
  if (Name == "c10::InferenceMode")
    return Enabled.value_or(true);
  if (Name == "c10::AutoGradMode")
    return Enabled.has_value() && !*Enabled;
  return false;
}

// --- Parameter lists and optimizer construction (frozen-param-in-optimizer)

StatementMatcher optimizerConstruction() {
  const auto Direct = cxxConstructExpr(
      compat::argumentCountAtLeast(1),
      hasDeclaration(cxxConstructorDecl(ofClass(optimizerClass()),
                                        unless(isCopyConstructor()),
                                        unless(isMoveConstructor()))));
  const auto MakeSmart =
      callExpr(compat::argumentCountAtLeast(1),
               callee(functionDecl(
                   hasAnyName("::std::make_shared", "::std::make_unique"),
                   hasTemplateArgument(
                       0, refersToType(hasDeclaration(optimizerClass()))))));
  return expr(anyOf(Direct, MakeSmart));
}

StatementMatcher addParametersCall() {
  return cxxMemberCallExpr(
      compat::argumentCountAtLeast(1),
      callee(cxxMethodDecl(hasAnyName("add_param_group", "add_parameters"),
                           ofClass(optimizerClass()))));
}

bool isTensorVectorType(QualType T) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getQualifiedNameAsString() != "std::vector" ||
      Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return false;
  return isTensorType(Spec->getTemplateArgs()[0].getAsType());
}

static bool isOrderedDict(const CXXRecordDecl *RD) {
  return RD && RD->getQualifiedNameAsString() == "torch::OrderedDict";
}

bool isOrderedDictType(QualType T) {
  return isOrderedDict(T.getNonReferenceType()->getAsCXXRecordDecl());
}

bool isOrderedDictItemType(QualType T) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && RD->getIdentifier() && RD->getName() == "Item" &&
         isOrderedDict(dyn_cast<CXXRecordDecl>(RD->getDeclContext()));
}

const CXXMemberCallExpr *asOrderedDictCall(const Stmt *S,
                                           llvm::StringRef Name) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier() || MD->getName() != Name)
    return nullptr;
  const CXXRecordDecl *RD = MD->getParent();
  return isOrderedDict(RD) ||
                 isOrderedDictItemType(QualType(RD->getTypeForDecl(), 0))
             ? Call
             : nullptr;
}

// --- Grad mode and evaluation mode (torch-eval-without-no-grad) ------------

static constexpr llvm::StringLiteral JitModuleName = "::torch::jit::Module";

std::optional<bool> constantScalarBool(const Expr *E,
                                       const ASTContext &Context) {
  bool Value = false;
  if (!E || E->isValueDependent() || E->isTypeDependent() ||
      !E->getType()->isScalarType() ||
      !E->EvaluateAsBooleanCondition(Value, Context))
    return std::nullopt;
  return Value;
}

const CXXConstructExpr *asGradModeGuardConstruction(const Expr *E) {
  for (unsigned Steps = 0; E && Steps < 16; ++Steps) {
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      const CXXRecordDecl *RD = Construct->getConstructor()->getParent();
      if (isSameOrDerivedFrom(RD, "::c10::AutoGradMode") ||
          isSameOrDerivedFrom(RD, "::c10::InferenceMode"))
        return Construct;
      return nullptr;
    }
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    else if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
      E = Bind->getSubExpr();
    else if (const auto *Materialize = dyn_cast<MaterializeTemporaryExpr>(E))
      E = Materialize->getSubExpr();
    else if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
      E = Cast->getSubExpr();
    else if (const auto *Implicit = dyn_cast<ImplicitCastExpr>(E))
      E = Implicit->getSubExpr();
    else if (const auto *Paren = dyn_cast<ParenExpr>(E))
      E = Paren->getSubExpr();
    else
      return nullptr;
  }
  return nullptr;
}

GradModeEffect gradModeGuardEffect(const Expr *E, const ASTContext &Context) {
  const CXXConstructExpr *Construct = asGradModeGuardConstruction(E);
  if (!Construct)
    return GradModeEffect::None;
  const CXXRecordDecl *RD = Construct->getConstructor()->getParent();
  if (isSameOrDerivedFrom(RD, "::c10::NoGradGuard"))
    return GradModeEffect::Disables;
  const bool Inference =
      hasQualifiedName(RD->getCanonicalDecl(), "::c10::InferenceMode");
  const bool Auto =
      hasQualifiedName(RD->getCanonicalDecl(), "::c10::AutoGradMode");
  // A derived class with constructors of its own: its effect is not known.
  if ((!Inference && !Auto) || Construct->getNumArgs() != 1)
    return GradModeEffect::Unknown;
  const std::optional<bool> Arg =
      constantScalarBool(Construct->getArg(0), Context);
  if (!Arg)
    return GradModeEffect::Unknown;
  // InferenceMode(true) and AutoGradMode(false) turn recording off.
  return *Arg == Inference ? GradModeEffect::Disables : GradModeEffect::Enables;
}

GradModeEffect setGradEnabledEffect(const Stmt *S, const ASTContext &Context) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  const auto *MD =
      Call ? dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee()) : nullptr;
  if (!MD || !MD->isStatic() || !MD->getIdentifier() ||
      MD->getName() != "set_enabled" || Call->getNumArgs() != 1 ||
      !hasQualifiedName(MD->getParent()->getCanonicalDecl(), "::c10::GradMode"))
    return GradModeEffect::None;
  const std::optional<bool> Arg = constantScalarBool(Call->getArg(0), Context);
  if (!Arg)
    return GradModeEffect::Unknown;
  return *Arg ? GradModeEffect::Enables : GradModeEffect::Disables;
}

StatementMatcher forwardCall() {
  return callExpr(
      anyOf(cxxMemberCallExpr(callee(cxxMethodDecl(
                hasName("forward"),
                ofClass(anyOf(moduleClass(),
                              cxxRecordDecl(hasName(JitModuleName))))))),
            cxxOperatorCallExpr(
                hasOverloadedOperatorName("()"),
                callee(cxxMethodDecl(ofClass(moduleHolderClass()))))));
}

const CallExpr *asForwardCall(const Stmt *S) {
  if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(S)) {
    if (Op->getOperator() != OO_Call || Op->getNumArgs() < 1)
      return nullptr;
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
    return MD && isSameOrDerivedFrom(MD->getParent(), HolderName) ? Op
                                                                  : nullptr;
  }
  if (asModuleCall(S, "forward") || asMethodCall(S, "forward", JitModuleName))
    return cast<CallExpr>(S);
  return nullptr;
}

const Expr *getForwardReceiver(const CallExpr *Forward) {
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Forward))
    return Op->getArg(0);
  return cast<CXXMemberCallExpr>(Forward)->getImplicitObjectArgument();
}

static const CXXMemberCallExpr *asModeCall(const Stmt *S,
                                           llvm::StringRef Name) {
  if (const CXXMemberCallExpr *Call = asModuleCall(S, Name))
    return Call;
  return asMethodCall(S, Name, JitModuleName);
}

const CXXMemberCallExpr *asEvalModeCall(const Stmt *S,
                                        const ASTContext &Context) {
  if (const CXXMemberCallExpr *Call = asModeCall(S, "eval"))
    return Call;
  const CXXMemberCallExpr *Train = asModeCall(S, "train");
  if (!Train || Train->getNumArgs() != 1)
    return nullptr;
  const std::optional<bool> On = constantScalarBool(Train->getArg(0), Context);
  return On && !*On ? Train : nullptr;
}

const CXXMemberCallExpr *asTrainModeCall(const Stmt *S,
                                         const ASTContext &Context) {
  const CXXMemberCallExpr *Train = asModeCall(S, "train");
  return Train && !asEvalModeCall(S, Context) ? Train : nullptr;
}

bool isAutogradGradCall(const Stmt *S) {
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  return FD && FD->getQualifiedNameAsString() == "torch::autograd::grad";
}

// --- Operations without side effects (torch-discarded-tensor-result) -------

/// The outermost namespace `D` is declared in, or null.
static const NamespaceDecl *outermostNamespace(const Decl *D) {
  const NamespaceDecl *Outer = nullptr;
  for (const DeclContext *DC = D->getDeclContext(); DC; DC = DC->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(DC))
      Outer = NS;
  return Outer;
}

static bool isTensorClass(const CXXRecordDecl *RD) {
  RD = RD ? RD->getCanonicalDecl() : nullptr;
  return RD && (hasQualifiedName(RD, "::at::Tensor") ||
                hasQualifiedName(RD, "::at::TensorBase"));
}

bool isPureTensorOperation(const FunctionDecl *FD) {
  if (!FD)
    return false;
  const QualType Result = FD->getReturnType();
  if (Result->isReferenceType() || !isTensorType(Result))
    return false;
  if (FD->getIdentifier()) {
    const StringRef Name = FD->getName();
    if (Name.ends_with("_") ||
        compat::isOneOf(Name, {"batch_norm", "instance_norm", "_copy_from",
                               "_copy_from_and_resize"}))
      return false;
  } else if (!FD->isOverloadedOperator()) {
    return false;
  }
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    return !MD->isStatic() && isTensorClass(MD->getParent());
  if (!FD->getDeclContext()->getRedeclContext()->isNamespace())
    return false;
  if (!isLibTorchDecl(FD))
    return false;
  return llvm::none_of(FD->parameters(), [](const ParmVarDecl *P) {
    const QualType T = P->getType();
    return T->isReferenceType() && !T.getNonReferenceType().isConstQualified();
  });
}

bool isLibTorchDecl(const Decl *D) {
  const NamespaceDecl *NS = D ? outermostNamespace(D) : nullptr;
  return NS && NS->getIdentifier() &&
         compat::isOneOf(NS->getName(), {"at", "c10", "torch"});
}

bool isLibTorchFunction(const FunctionDecl *FD) { return isLibTorchDecl(FD); }

/// True when `RD` has an `inplace` setting, as the options of
/// `torch::nn::functional` do.
static bool hasInPlaceSetting(const CXXRecordDecl *RD) {
  RD = RD ? RD->getDefinition() : nullptr;
  return RD && llvm::any_of(RD->methods(), [](const CXXMethodDecl *MD) {
           return MD->getIdentifier() && MD->getName() == "inplace";
         });
}

bool passesInPlaceOption(const CallExpr *Call) {
  const FunctionDecl *FD = Call->getDirectCallee();
  const unsigned N = FD ? std::min(FD->getNumParams(), Call->getNumArgs()) : 0;
  for (unsigned I = 0; I < N; ++I) {
    const Expr *Arg = Call->getArg(I);
    if (isa<CXXDefaultArgExpr>(Arg))
      continue;
    if (hasInPlaceSetting(
            Arg->getType().getNonReferenceType()->getAsCXXRecordDecl()))
      return true;
    // `torch::nn::functional::detail::relu(input, /*inplace=*/true)`.
    const IdentifierInfo *Name = FD->getParamDecl(I)->getIdentifier();
    if (Name && Name->getName() == "inplace" &&
        constantScalarBool(Arg, FD->getASTContext()).value_or(true))
      return true;
  }
  return false;
}

const FunctionDecl *inPlaceVariant(const FunctionDecl *FD) {
  if (!FD || !FD->getIdentifier())
    return nullptr;
  const std::string Name = (FD->getName() + "_").str();
  ASTContext &Context = FD->getASTContext();
  const DeclarationName Variant(&Context.Idents.get(Name));
  const auto Find = [&](const DeclContext *DC) -> const FunctionDecl * {
    for (const NamedDecl *ND : DC->lookup(Variant))
      if (const auto *F = dyn_cast<FunctionDecl>(ND->getUnderlyingDecl()))
        return F;
    return nullptr;
  };
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD)) {
    const CXXRecordDecl *RD = MD->getParent()->getDefinition();
    return RD ? Find(RD) : nullptr;
  }
  return Find(FD->getDeclContext()->getRedeclContext());
}

} // namespace clang::tidy::torch::api
