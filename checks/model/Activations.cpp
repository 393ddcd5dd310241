// SPDX-License-Identifier: Apache-2.0
// Output activations and the losses that apply one themselves.

#include "Activations.h"
#include "Events.h"
#include "utils/TorchApi.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::torch::model {

namespace {

/// `E` through implicit casts, temporaries, parentheses and copies.
const Expr *strip(const Expr *E) {
  while (E) {
    const Expr *Next = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Next))
      if (Construct->getNumArgs() == 1 && Construct->getConstructor() &&
          Construct->getConstructor()->isCopyOrMoveConstructor())
        Next = Construct->getArg(0);
    if (Next == E)
      return E;
    E = Next;
  }
  return E;
}

/// True when `FD` is declared directly in `torch::nn::functional`.
bool isFunctional(const FunctionDecl *FD) {
  const auto *NS = dyn_cast<NamespaceDecl>(FD->getDeclContext());
  if (!NS || !NS->getIdentifier() || NS->getName() != "functional")
    return false;
  NS = dyn_cast<NamespaceDecl>(NS->getDeclContext());
  return NS && NS->getIdentifier() && NS->getName() == "nn";
}

/// The integer constant `E` is, through an options construction
/// (`SoftmaxFuncOptions(1)`).
std::optional<std::int64_t> constantInt(const Expr *E,
                                        const ASTContext &Context) {
  if (!E)
    return std::nullopt;
  E = strip(E);
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    E = strip(Cast->getSubExpr());
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
    if (Construct->getNumArgs() != 1)
      return std::nullopt;
    E = strip(Construct->getArg(0));
  }
  if (E->isValueDependent() || !E->getType()->isIntegralOrEnumerationType())
    return std::nullopt;
  if (auto Value = E->getIntegerConstantExpr(Context))
    return Value->getExtValue();
  return std::nullopt;
}

/// The last identifier of a LibTorch loss module class (`CrossEntropyLoss`
/// for `CrossEntropyLossImpl`), or empty.
llvm::StringRef lossModuleName(const CXXMethodDecl *Forward) {
  const CXXRecordDecl *RD = Forward->getParent();
  if (!RD->getIdentifier() || !api::isLibTorchDecl(RD))
    return {};
  llvm::StringRef Name = RD->getName();
  Name.consume_back("Impl");
  return Name;
}

/// The `return` statements of a body, not those of the lambdas and local
/// classes in it.
void collectReturns(const Stmt *S,
                    llvm::SmallVectorImpl<const ReturnStmt *> &Returns) {
  if (!S || isa<LambdaExpr>(S) || isa<DeclStmt>(S))
    return;
  if (const auto *Return = dyn_cast<ReturnStmt>(S)) {
    Returns.push_back(Return);
    return;
  }
  for (const Stmt *Child : S->children())
    collectReturns(Child, Returns);
}

} // namespace

llvm::StringRef activationName(Activation A) {
  switch (A) {
  case Activation::Softmax:
    return "softmax";
  case Activation::LogSoftmax:
    return "log_softmax";
  case Activation::Sigmoid:
    return "sigmoid";
  case Activation::None:
    break;
  }
  return "";
}

ActivationCall asActivationCall(const Expr *E) {
  ActivationCall Result;
  const auto *Call = dyn_cast_or_null<CallExpr>(E ? strip(E) : nullptr);
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  if (!FD || !FD->getIdentifier() || !api::isLibTorchDecl(FD) ||
      isa<CXXOperatorCallExpr>(Call))
    return Result;
  const Activation Kind = llvm::StringSwitch<Activation>(FD->getName())
                              .Case("softmax", Activation::Softmax)
                              .Case("log_softmax", Activation::LogSoftmax)
                              .Case("sigmoid", Activation::Sigmoid)
                              .Default(Activation::None);
  if (Kind == Activation::None)
    return Result;
  const Expr *Input = nullptr;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
    if (!api::isTensorType(Member->getImplicitObjectArgument()->getType()))
      return Result;
    Input = Member->getImplicitObjectArgument();
  } else if (Call->getNumArgs() > 0 &&
             api::isTensorType(Call->getArg(0)->getType())) {
    Input = Call->getArg(0);
  } else {
    return Result;
  }
  Result.Call = Call;
  Result.Kind = Kind;
  Result.Input = Input;
  Result.Functional = !isa<CXXMemberCallExpr>(Call) && isFunctional(FD);
  return Result;
}

std::optional<std::int64_t>
ActivationCall::dim(const ASTContext &Context) const {
  if (!Call || Kind == Activation::Sigmoid)
    return std::nullopt;
  const unsigned At = isa<CXXMemberCallExpr>(Call) ? 0 : 1;
  if (Call->getNumArgs() <= At)
    return std::nullopt;
  return constantInt(Call->getArg(At), Context);
}

bool ActivationCall::hasExtraArguments() const {
  if (!Call)
    return false;
  const unsigned Given = isa<CXXMemberCallExpr>(Call) ? 0 : 1;
  const unsigned Dim = Kind == Activation::Sigmoid ? 0 : 1;
  for (unsigned I = Given + Dim; I < Call->getNumArgs(); ++I)
    if (!isa<CXXDefaultArgExpr>(Call->getArg(I)))
      return true;
  return false;
}

LossCall asLossCall(const Stmt *S) {
  LossCall Result;
  const auto *Call = dyn_cast_or_null<CallExpr>(S);
  if (!Call)
    return Result;
  llvm::StringRef Name;
  const Expr *Input = nullptr;
  if (isa<CXXMemberCallExpr>(Call) || isa<CXXOperatorCallExpr>(Call)) {
    // A loss module's forward pass.
    const auto Methods = forwardMethods(Call);
    if (Methods.empty())
      return Result;
    Name = lossModuleName(Methods.front());
    const unsigned At = isa<CXXOperatorCallExpr>(Call) ? 1 : 0;
    if (Call->getNumArgs() <= At)
      return Result;
    Input = Call->getArg(At);
  } else {
    const FunctionDecl *FD = Call->getDirectCallee();
    if (!FD || !FD->getIdentifier() || !api::isLibTorchDecl(FD) ||
        Call->getNumArgs() == 0)
      return Result;
    Name = FD->getName();
    Input = Call->getArg(0);
  }
  const Loss Kind = llvm::StringSwitch<Loss>(Name)
                        .Cases("cross_entropy", "cross_entropy_loss",
                               "CrossEntropyLoss", Loss::CrossEntropy)
                        .Cases("nll_loss", "NLLLoss", Loss::NLL)
                        .Cases("binary_cross_entropy_with_logits",
                               "BCEWithLogitsLoss", Loss::BCEWithLogits)
                        .Default(Loss::None);
  if (Kind == Loss::None || !api::isTensorType(Input->getType()))
    return Result;
  Result.Call = Call;
  Result.Kind = Kind;
  Result.Input = Input;
  Result.Name = Name;
  return Result;
}

bool isMismatch(Loss L, Activation A) {
  switch (L) {
  case Loss::CrossEntropy:
    return A == Activation::Softmax || A == Activation::LogSoftmax;
  case Loss::NLL:
    return A == Activation::Softmax;
  case Loss::BCEWithLogits:
    return A == Activation::Sigmoid;
  case Loss::None:
    break;
  }
  return false;
}

FinalActivation forwardActivation(const Expr *Call) {
  FinalActivation Result;
  const FunctionDecl *Definition = nullptr;
  for (const CXXMethodDecl *Method : forwardMethods(strip(Call))) {
    const FunctionDecl *D = Method->getDefinition();
    if (!D || !D->doesThisDeclarationHaveABody() || api::isLibTorchDecl(D))
      continue;
    // Overloads of `forward` for the same call: the one that runs is the
    // callee of a member call; for `m(...)` it is known only when there is
    // one definition.
    if (Definition)
      return Result;
    Definition = D;
  }
  if (!Definition)
    return Result;
  llvm::SmallVector<const ReturnStmt *, 4> Returns;
  collectReturns(Definition->getBody(), Returns);
  for (const ReturnStmt *Return : Returns) {
    const ActivationCall Last = asActivationCall(Return->getRetValue());
    if (!Last || (Result.Kind != Activation::None && Last.Kind != Result.Kind))
      return {};
    if (!Result.At) {
      Result.Kind = Last.Kind;
      Result.At = Last.Call;
    }
  }
  return Result;
}

} // namespace clang::tidy::torch::model
