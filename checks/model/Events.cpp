// SPDX-License-Identifier: Apache-2.0
// Training events: the calls of a training program, resolved or by name.

#include "Events.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::torch::model {

namespace {

/// The member name and object of an unresolved member expression.
bool unresolvedMember(const Expr *Callee, llvm::StringRef &Name,
                      const Expr *&Object) {
  Callee = Callee->IgnoreParenImpCasts();
  if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee)) {
    if (!Dependent->getMember().isIdentifier())
      return false;
    Name = Dependent->getMember().getAsIdentifierInfo()->getName();
    Object = Dependent->isImplicitAccess() ? nullptr : Dependent->getBase();
    return true;
  }
  if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee)) {
    if (!Unresolved->getMemberName().isIdentifier())
      return false;
    Name = Unresolved->getMemberName().getAsIdentifierInfo()->getName();
    Object = Unresolved->isImplicitAccess() ? nullptr : Unresolved->getBase();
    return true;
  }
  return false;
}

/// The method name and object of a call left unresolved because an argument
/// is type-dependent, on an object whose type is not
/// (`Net->forward(Batch.data)` in a template over the batch type): the callee
/// is a plain `MemberExpr`.
bool memberWithDependentArguments(const CallExpr *Call, llvm::StringRef &Name,
                                  const Expr *&Object) {
  if (!Call->isTypeDependent() || isa<CXXMemberCallExpr>(Call))
    return false;
  const auto *ME = dyn_cast<MemberExpr>(Call->getCallee()->IgnoreParens());
  const auto *Method =
      ME ? dyn_cast<CXXMethodDecl>(ME->getMemberDecl()) : nullptr;
  if (!Method || !Method->getIdentifier())
    return false;
  Name = Method->getName();
  Object = ME->isImplicitAccess() ? nullptr : ME->getBase();
  return true;
}

/// The member name and object of a call of a method whose declaration did
/// not compile (`void zero_grad() override;` where nothing is overridden):
/// Clang keeps only the object, in a `RecoveryExpr` that ends at the member's
/// name, so the name is read from the source.
bool invalidMember(const Expr *Callee, const ASTContext *Context,
                   llvm::StringRef &Name, const Expr *&Object) {
  const auto *Recovery = dyn_cast<RecoveryExpr>(Callee->IgnoreParenImpCasts());
  if (!Context || !Recovery || Recovery->subExpressions().size() != 1 ||
      !Recovery->subExpressions().front())
    return false;
  const SourceManager &SM = Context->getSourceManager();
  const SourceLocation End = Recovery->getEndLoc();
  if (End.isInvalid() || End.isMacroID())
    return false;
  Token Tok;
  if (Lexer::getRawToken(End, Tok, SM, Context->getLangOpts()) ||
      !Tok.is(tok::raw_identifier))
    return false;
  // The name must follow the member access (`.` or `->`, maybe spaced).
  bool Invalid = false;
  const llvm::StringRef Buffer = SM.getBufferData(SM.getFileID(End), &Invalid);
  if (Invalid)
    return false;
  const llvm::StringRef Before =
      Buffer.take_front(SM.getFileOffset(End)).rtrim();
  if (!Before.ends_with(".") && !Before.ends_with("->"))
    return false;
  Name = Tok.getRawIdentifier();
  Object = Recovery->subExpressions().front();
  return true;
}

/// A member call on an object whose type is dependent, or one that did not
/// compile, by the member's name; with `Context`, also a call of a method
/// whose declaration did not compile.
MethodCall byName(const Stmt *S, const ASTContext *Context = nullptr) {
  MethodCall Result;
  if (const auto *Call = dyn_cast_or_null<CallExpr>(S)) {
    if (!Call->getCallee() ||
        (!unresolvedMember(Call->getCallee(), Result.Name, Result.Object) &&
         !memberWithDependentArguments(Call, Result.Name, Result.Object) &&
         !invalidMember(Call->getCallee(), Context, Result.Name,
                        Result.Object)))
      return {};
    Result.E = Call;
    Result.Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
  } else if (const auto *Recovery = dyn_cast_or_null<RecoveryExpr>(S)) {
    const llvm::ArrayRef<const Expr *> Parts = Recovery->subExpressions();
    if (Parts.empty() || !Parts.front())
      return {};
    const Expr *Callee = Parts.front()->IgnoreParenImpCasts();
    if (const auto *ME = dyn_cast<MemberExpr>(Callee)) {
      const auto *Method = dyn_cast<CXXMethodDecl>(ME->getMemberDecl());
      if (!Method || !Method->getIdentifier())
        return {};
      Result.Name = Method->getName();
      Result.Object = ME->getBase();
    } else if (!unresolvedMember(Callee, Result.Name, Result.Object)) {
      return {};
    }
    Result.E = Recovery;
    Result.Args = Parts.drop_front();
  } else {
    return {};
  }
  Result.ByName = true;
  // A tensor's own methods are never training calls on a module.
  if (Result.Object && !Result.Object->isTypeDependent() &&
      api::isTensorType(Result.Object->getType()) && Result.Name != "backward")
    return {};
  return Result;
}

MethodCall resolved(const CXXMemberCallExpr *Call) {
  if (!Call)
    return {};
  MethodCall Result;
  Result.E = Call;
  Result.Object = Call->getImplicitObjectArgument();
  if (Result.Object && Result.Object->isImplicitCXXThis())
    Result.Object = nullptr;
  Result.Name = Call->getMethodDecl()->getName();
  Result.Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
  return Result;
}

} // namespace

MethodCall memberCallByName(const Stmt *S) { return byName(S); }

SourceLocation MethodCall::loc() const {
  if (!E)
    return {};
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    return Op->getBeginLoc();
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const Expr *Callee = Call->getCallee()->IgnoreParenImpCasts();
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee))
      return Dependent->getMemberLoc();
    if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee))
      return Unresolved->getMemberLoc();
    if (const auto *ME = dyn_cast<MemberExpr>(Callee);
        ME && !isa<CXXMemberCallExpr>(Call))
      return ME->getMemberLoc();
    return Call->getExprLoc().isValid() ? Call->getExprLoc()
                                        : Call->getBeginLoc();
  }
  // A RecoveryExpr: at the member name.
  if (const auto *Recovery = dyn_cast<RecoveryExpr>(E))
    if (!Recovery->subExpressions().empty())
      if (const Expr *Callee = Recovery->subExpressions().front()) {
        Callee = Callee->IgnoreParenImpCasts();
        if (const auto *ME = dyn_cast<MemberExpr>(Callee))
          return ME->getMemberLoc();
        if (const auto *Dependent =
                dyn_cast<CXXDependentScopeMemberExpr>(Callee))
          return Dependent->getMemberLoc();
        if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee))
          return Unresolved->getMemberLoc();
        return Callee->getExprLoc();
      }
  return E->getBeginLoc();
}

/// True for a model written without `torch::nn::Module`: a class of the
/// program that keeps tensors as members (`std::vector<Tensor> params`).
static bool isScratchModel(const CXXRecordDecl *RD) {
  RD = RD ? RD->getDefinition() : nullptr;
  if (!RD || RD->isLambda() || RD->isInStdNamespace() ||
      api::isLibTorchDecl(RD))
    return false;
  return llvm::any_of(RD->fields(), [](const FieldDecl *Field) {
    return api::isTensorType(Field->getType()) ||
           api::isTensorVectorType(Field->getType());
  });
}

MethodCall asForward(const Stmt *S) {
  if (const CallExpr *Call = api::asForwardCall(S)) {
    MethodCall Result;
    Result.E = Call;
    Result.Object = api::getForwardReceiver(Call);
    Result.Name = "forward";
    Result.Args = api::forwardArguments(Call);
    return Result;
  }
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *MD = Call->getMethodDecl();
    if (MD && MD->getIdentifier() && MD->getName() == "forward" &&
        Call->getImplicitObjectArgument() &&
        !Call->getImplicitObjectArgument()->isImplicitCXXThis() &&
        isScratchModel(MD->getParent()))
      return resolved(Call);
  }
  MethodCall Named = byName(S);
  if (Named && Named.Name == "forward")
    return Named;
  return {};
}

llvm::SmallVector<const CXXMethodDecl *, 2> forwardMethods(const Expr *Call) {
  llvm::SmallVector<const CXXMethodDecl *, 2> Methods;
  if (const auto *Member = dyn_cast_or_null<CXXMemberCallExpr>(Call)) {
    const CXXMethodDecl *MD = Member->getMethodDecl();
    if (MD && MD->getIdentifier() && MD->getName() == "forward")
      Methods.push_back(MD);
    return Methods;
  }
  const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(Call);
  const auto *MD = Op && Op->getOperator() == OO_Call
                       ? dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee())
                       : nullptr;
  const auto *Holder =
      MD ? dyn_cast<ClassTemplateSpecializationDecl>(MD->getParent()) : nullptr;
  if (!Holder || !Holder->getIdentifier() ||
      Holder->getName() != "ModuleHolder" ||
      Holder->getTemplateArgs().size() == 0 ||
      Holder->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return Methods;
  const CXXRecordDecl *Impl =
      Holder->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  if (!Impl || !Impl->hasDefinition())
    return Methods;
  for (const CXXMethodDecl *Method : Impl->getDefinition()->methods())
    if (Method->getIdentifier() && Method->getName() == "forward")
      Methods.push_back(Method);
  return Methods;
}

/// The name of a LibTorch layer class, without `Impl` and dimension
/// (`MaxPool2dImpl` and `MaxPool2d` are `MaxPool`); empty for other classes.
static llvm::StringRef libTorchLayerName(const CXXRecordDecl *RD) {
  if (!RD->getIdentifier() || !api::isLibTorchDecl(RD))
    return {};
  llvm::StringRef Name = RD->getName();
  Name.consume_back("Impl");
  if (Name.ends_with("1d") || Name.ends_with("2d") || Name.ends_with("3d"))
    Name = Name.drop_back(2);
  return Name;
}

/// True for a loss: a LibTorch loss or a class of the program derived from
/// one (`struct MaskedLoss : torch::nn::CrossEntropyLoss`).
static bool isLoss(const CXXRecordDecl *RD, unsigned Depth = 0) {
  RD = RD ? RD->getDefinition() : nullptr;
  if (!RD || Depth > 8)
    return false;
  if (libTorchLayerName(RD).ends_with("Loss"))
    return true;
  return llvm::any_of(RD->bases(), [Depth](const CXXBaseSpecifier &Base) {
    return isLoss(Base.getType()->getAsCXXRecordDecl(), Depth + 1);
  });
}

bool runsParameterFreeLayer(const Expr *Call) {
  const llvm::SmallVector<const CXXMethodDecl *, 2> Methods =
      forwardMethods(Call);
  if (Methods.empty())
    return false;
  const CXXRecordDecl *Layer = Methods.front()->getParent();
  // Losses keep their class weights as buffers.
  if (isLoss(Layer))
    return true;
  static const llvm::StringSet<> Layers = {
      // Activations (PReLU has a weight).
      "ReLU", "ReLU6", "RReLU", "LeakyReLU", "ELU", "SELU", "CELU", "GELU",
      "SiLU", "Mish", "Sigmoid", "LogSigmoid", "Tanh", "Tanhshrink", "Hardtanh",
      "Hardshrink", "Softshrink", "Softplus", "Softsign", "Threshold", "GLU",
      "Softmax", "Softmin", "LogSoftmax",
      // Regularisation, pooling, reshaping, padding.
      "Dropout", "AlphaDropout", "FeatureAlphaDropout", "MaxPool", "AvgPool",
      "AdaptiveMaxPool", "AdaptiveAvgPool", "LPPool", "FractionalMaxPool",
      "Flatten", "Unflatten", "Identity", "Upsample", "PixelShuffle",
      "PixelUnshuffle", "ChannelShuffle", "Fold", "Unfold", "ZeroPad",
      "ConstantPad", "ReflectionPad", "ReplicationPad", "CosineSimilarity",
      "PairwiseDistance"};
  const llvm::StringRef Name = libTorchLayerName(Layer);
  return !Name.empty() && Layers.contains(Name);
}

/// True for a tensor, or a tuple or pair of them.
static bool holdsTensors(QualType T) {
  if (api::isTensorType(T))
    return true;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || !Spec->isInStdNamespace() || !Spec->getIdentifier() ||
      (Spec->getName() != "tuple" && Spec->getName() != "pair"))
    return false;
  return llvm::any_of(Spec->getTemplateArgs().asArray(),
                      [](const TemplateArgument &Arg) {
                        return Arg.getKind() == TemplateArgument::Type &&
                               holdsTensors(Arg.getAsType());
                      });
}

bool isModuleMethodDefinedElsewhere(const Stmt *S) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  // A virtual method may be overridden by a body in this file.
  if (!MD || !MD->getIdentifier() || MD->hasBody() || MD->isStatic() ||
      MD->isVirtual() || api::isLibTorchFunction(MD))
    return false;
  const Expr *Object = Call->getImplicitObjectArgument();
  if (!Object || Object->isImplicitCXXThis() ||
      !api::isModuleLike(Object->getType()) ||
      !holdsTensors(MD->getReturnType()))
    return false;
  return llvm::any_of(MD->parameters(), [](const ParmVarDecl *P) {
    return holdsTensors(P->getType());
  });
}

bool isModelLoad(const Stmt *S) {
  const auto *Call = dyn_cast<CallExpr>(S);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || FD->getName() != "load" ||
      isa<CXXMethodDecl>(FD) || !api::isLibTorchFunction(FD))
    return false;
  // `torch::load(module, path)` loads into its first argument, which must be
  // a module (`torch::load(optimizer, path)` restores an optimizer);
  // `torch::jit::load(path)` returns the module.
  const auto IsModule = [](QualType T) {
    const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
    return api::isModuleLike(T) ||
           (RD && RD->getQualifiedNameAsString() == "torch::jit::Module");
  };
  if (FD->getReturnType()->isVoidType())
    return Call->getNumArgs() >= 2 && IsModule(Call->getArg(0)->getType());
  return IsModule(FD->getReturnType());
}

MethodCall asEvalMode(const Stmt *S, const ASTContext &Context) {
  if (const CXXMemberCallExpr *Call = api::asEvalModeCall(S, Context))
    return resolved(Call);
  MethodCall Named = byName(S);
  if (Named && Named.Name == "eval" && Named.Args.empty())
    return Named;
  if (Named && Named.Name == "train" && Named.Args.size() == 1) {
    const std::optional<bool> On =
        api::constantScalarBool(Named.Args[0], Context);
    if (On && !*On)
      return Named;
  }
  return {};
}

MethodCall asTrainMode(const Stmt *S, const ASTContext &Context) {
  if (const CXXMemberCallExpr *Call = api::asTrainModeCall(S, Context))
    return resolved(Call);
  MethodCall Named = byName(S);
  if (Named && Named.Name == "train" && Named.Args.size() <= 1 &&
      !asEvalMode(S, Context))
    return Named;
  return {};
}

MethodCall asZeroGrad(const Stmt *S, const ASTContext *Context) {
  if (const CXXMemberCallExpr *Call = api::asOptimizerCall(S, "zero_grad"))
    return resolved(Call);
  if (const CXXMemberCallExpr *Call = api::asModuleCall(S, "zero_grad"))
    return resolved(Call);
  MethodCall Named = byName(S, Context);
  if (Named && Named.Name == "zero_grad")
    return Named;
  return {};
}

bool isBackward(const Stmt *S) {
  if (api::isBackwardCall(S))
    return true;
  const MethodCall Named = byName(S);
  return Named && Named.Name == "backward";
}

bool isGradientSink(const Stmt *S) {
  return isBackward(S) || api::isAutogradGradCall(S);
}

std::vector<api::FunctionBody>
bodiesWithBackwardInLoop(const ast::ParentIndex &Parents) {
  struct Finder : ast::UserCodeVisitor<Finder> {
    const ast::ParentIndex &Parents;
    std::vector<api::FunctionBody> Bodies;
    llvm::DenseSet<const Stmt *> Seen;
    explicit Finder(const ast::ParentIndex &Parents) : Parents(Parents) {}
    bool VisitExpr(Expr *E) {
      if (!isa<CallExpr, RecoveryExpr>(E) || !isBackward(E) ||
          !ast::hasEnclosingLoop(E, Parents))
        return true;
      const api::FunctionBody B = ast::enclosingBody(E, Parents);
      if (B.second && Seen.insert(B.second).second)
        Bodies.push_back(B);
      return true;
    }
  } F(Parents);
  F.traverseUserCode(Parents.context());
  return std::move(F.Bodies);
}

bool isDetach(const Stmt *S) {
  if (api::asTensorCall(S, "detach") || api::asTensorCall(S, "detach_"))
    return true;
  const MethodCall Named = byName(S);
  return Named && isa<CallExpr>(Named.E) &&
         (Named.Name == "detach" || Named.Name == "detach_");
}

namespace {

/// The words of a function's name, lower-case: split at `_`, digits and
/// lower-to-upper case changes (`predict_ch8`, `runTrainStep`).
llvm::SmallVector<std::string, 4> nameWords(const FunctionDecl *FD) {
  llvm::SmallVector<std::string, 4> Words;
  if (!FD || !FD->getIdentifier())
    return Words;
  const llvm::StringRef Name = FD->getName();
  std::string Word;
  for (size_t I = 0; I < Name.size(); ++I) {
    const char C = Name[I];
    const bool Boundary =
        C == '_' || llvm::isDigit(C) ||
        (I > 0 && compat::isUpper(C) && compat::isLower(Name[I - 1]));
    if (Boundary && !Word.empty()) {
      Words.push_back(Word);
      Word.clear();
    }
    if (C != '_' && !llvm::isDigit(C))
      Word.push_back(llvm::toLower(C));
  }
  if (!Word.empty())
    Words.push_back(Word);
  return Words;
}

} // namespace

bool hasInferenceName(const FunctionDecl *FD) {
  return llvm::any_of(nameWords(FD), [](llvm::StringRef W) {
    return llvm::StringSwitch<bool>(W)
        .Cases("predict", "infer", "inference", "evaluate", true)
        .Cases("evaluation", "validate", "validation", "valid", "test", true)
        .Cases("sample", "sampling", "generate", "generation", "detect", true)
        .Default(false);
  });
}

bool hasTrainingName(const FunctionDecl *FD) {
  return llvm::any_of(nameWords(FD), [](llvm::StringRef W) {
    return W.starts_with("train") || W.starts_with("optim") ||
           W.starts_with("learn") || W.starts_with("backprop") ||
           llvm::StringSwitch<bool>(W)
               .Cases("step", "backward", "fit", "update", "loss", true)
               .Cases("grad", "grads", "gradient", "gradients", true)
               .Default(false);
  });
}

} // namespace clang::tidy::torch::model
