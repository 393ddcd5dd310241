// SPDX-License-Identifier: Apache-2.0
// torch-inplace-leaf-update: an in-place update of a leaf tensor that
// requires grad (a parameter, a tensor made with requires_grad), with grad
// mode on.

#include "InplaceLeafUpdateCheck.h"
#include "model/Events.h"
#include "model/Objects.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSwitch.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

/// The in-place operations that write a tensor's values.
bool isInPlaceUpdateName(StringRef Name) {
  return llvm::StringSwitch<bool>(Name)
      .Cases("add_", "sub_", "mul_", "div_", "copy_", "zero_", "fill_", true)
      .Cases("addcmul_", "addcdiv_", "clamp_", "uniform_", "normal_", true)
      .Default(false);
}

/// The tensor an in-place update writes, when `S` is one: the object of
/// `t.sub_(...)` or the left side of `t -= ...`.
const Expr *updatedTensor(const Stmt *S, SourceLocation &Loc) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *MD = Call->getMethodDecl();
    if (!MD || !MD->getIdentifier() || !isInPlaceUpdateName(MD->getName()) ||
        !api::isTensorType(Call->getImplicitObjectArgument()->getType()))
      return nullptr;
    Loc = model::callLoc(Call);
    return Call->getImplicitObjectArgument();
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    const OverloadedOperatorKind K = Op->getOperator();
    if ((K != OO_MinusEqual && K != OO_PlusEqual && K != OO_StarEqual &&
         K != OO_SlashEqual) ||
        Op->getNumArgs() != 2 || !api::isTensorType(Op->getArg(0)->getType()))
      return nullptr;
    Loc = Op->getOperatorLoc();
    return Op->getArg(0);
  }
  return nullptr;
}

/// The method `E` calls on a tensor, and its object: `grad` for `p.grad()`.
const CXXMemberCallExpr *tensorMethodCall(const Expr *E, StringRef &Name) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(E->IgnoreImplicit());
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  if (!MD || !MD->getIdentifier())
    return nullptr;
  Name = MD->getName();
  return Call;
}

/// True when `Call`'s value is a module's parameter list:
/// `m->parameters()`, `m.parameters()`, `m->named_parameters()`.
bool isParameterList(const Expr *E, StringRef Method) {
  E = E ? E->IgnoreUnlessSpelledInSource() : nullptr;
  if (!E)
    return false;
  if (api::asModuleCall(E, Method))
    return true;
  const model::MethodCall Named = model::memberCallByName(E);
  return Named && Named.Name == Method;
}

/// The source text of the lines `R` spans, from the start of its first
/// line; empty when code other than whitespace shares those lines.
std::optional<std::pair<CharSourceRange, std::string>>
wholeLines(SourceRange R, const SourceManager &SM, const LangOptions &LO) {
  if (R.getBegin().isMacroID() || R.getEnd().isMacroID())
    return std::nullopt;
  const SourceLocation End = Lexer::getLocForEndOfToken(R.getEnd(), 0, SM, LO);
  const auto [File, BeginOffset] = SM.getDecomposedLoc(R.getBegin());
  const auto [EndFile, EndOffset] = SM.getDecomposedLoc(End);
  if (File != EndFile)
    return std::nullopt;
  const StringRef Buffer = SM.getBufferData(File);
  size_t LineStart = BeginOffset;
  while (LineStart > 0 && Buffer[LineStart - 1] != '\n')
    --LineStart;
  if (!Buffer.slice(LineStart, BeginOffset).trim(" \t").empty())
    return std::nullopt;
  size_t Rest = EndOffset;
  // A `;` of an expression statement ends the line.
  while (Rest < Buffer.size() && (Buffer[Rest] == ' ' || Buffer[Rest] == '\t'))
    ++Rest;
  if (Rest < Buffer.size() && Buffer[Rest] == ';')
    ++Rest;
  size_t LineEnd = Rest;
  while (LineEnd < Buffer.size() && Buffer[LineEnd] != '\n')
    ++LineEnd;
  if (!Buffer.slice(Rest, LineEnd).trim(" \t\r").empty())
    return std::nullopt;
  const SourceLocation FileStart = SM.getLocForStartOfFile(File);
  return std::make_pair(
      CharSourceRange::getCharRange(
          FileStart.getLocWithOffset(static_cast<int>(LineStart)),
          FileStart.getLocWithOffset(static_cast<int>(LineEnd))),
      Buffer.slice(LineStart, LineEnd).str());
}

/// `S` (the whole lines it spans) wrapped in a block that opens with a
/// `NoGradGuard`, indented one level more; none when `S` shares its lines
/// or is in a macro.
std::optional<FixItHint> wrapInNoGrad(const Stmt *S, const SourceManager &SM,
                                      const LangOptions &LO) {
  const auto Lines = wholeLines(S->getSourceRange(), SM, LO);
  if (!Lines)
    return std::nullopt;
  const StringRef Text = Lines->second;
  const StringRef Indent =
      Text.take_while([](char C) { return C == ' ' || C == '\t'; });
  std::string Out =
      (Indent + "{\n" + Indent + "  torch::NoGradGuard no_grad;\n").str();
  SmallVector<StringRef, 8> Split;
  Text.split(Split, '\n');
  for (StringRef Raw : Split) {
    const StringRef Line = Raw.rtrim('\r');
    if (!Line.trim(" \t").empty())
      Out += ("  " + Line).str();
    Out += "\n";
  }
  Out += (Indent + "}").str();
  return FixItHint::CreateReplacement(Lines->first, Out);
}

} // namespace

void InplaceLeafUpdateCheck::onStartOfTranslationUnit() { clear(); }

void InplaceLeafUpdateCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
  CallsOf.clear();
  RegisteredParameters.clear();
  RequiresGrad.clear();
  Flows.clear();
  Wrapped.clear();
}

void InplaceLeafUpdateCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

namespace {

/// The updates of the user's code, and the leaves the code declares:
/// fields stored from `register_parameter(...)`, variables marked with
/// `requires_grad_()` or made with a `requires_grad(true)` option.
struct Collector : ast::UserCodeVisitor<Collector> {
  llvm::DenseSet<const Decl *> &Registered;
  llvm::DenseSet<const Decl *> &RequiresGrad;
  std::vector<std::pair<const Expr *, SourceLocation>> Updates;
  Collector(llvm::DenseSet<const Decl *> &Registered,
            llvm::DenseSet<const Decl *> &RequiresGrad)
      : Registered(Registered), RequiresGrad(RequiresGrad) {}

  static bool callsNamed(const Stmt *S, StringRef Name) {
    if (!S)
      return false;
    if (const auto *Call = dyn_cast<CallExpr>(S))
      if (const FunctionDecl *FD = Call->getDirectCallee())
        if (FD->getIdentifier() && FD->getName() == Name)
          return true;
    if (const model::MethodCall Named = model::memberCallByName(S))
      if (Named.Name == Name)
        return true;
    return llvm::any_of(S->children(), [&](const Stmt *Child) {
      return callsNamed(Child, Name);
    });
  }

  /// True when `E` makes a tensor with `requires_grad(true)` in its options.
  static bool madeRequiringGrad(const Expr *E) {
    if (!E)
      return false;
    bool Found = false;
    const std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || Found)
        return;
      if (const auto *Call = dyn_cast<CallExpr>(S))
        if (const FunctionDecl *FD = Call->getDirectCallee())
          if (FD->getIdentifier() && FD->getName() == "requires_grad" &&
              api::isLibTorchDecl(FD)) {
            const bool On =
                Call->getNumArgs() == 0 ||
                isa<CXXDefaultArgExpr>(Call->getArg(0)) ||
                !isa<CXXBoolLiteralExpr>(Call->getArg(0)->IgnoreImplicit()) ||
                cast<CXXBoolLiteralExpr>(Call->getArg(0)->IgnoreImplicit())
                    ->getValue();
            Found = On;
          }
      for (const Stmt *Child : S->children())
        Walk(Child);
    };
    Walk(E);
    return Found;
  }

  bool VisitCXXConstructorDecl(CXXConstructorDecl *Ctor) {
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (Init->getMember() && Init->isWritten() &&
          callsNamed(Init->getInit(), "register_parameter"))
        Registered.insert(Init->getMember()->getCanonicalDecl());
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    if (api::isTensorType(VD->getType()) && madeRequiringGrad(VD->getInit()))
      RequiresGrad.insert(VD->getCanonicalDecl());
    return true;
  }
  bool VisitExpr(Expr *E) {
    // `w = register_parameter("w", ...)`, `w = torch::randn({3},
    // torch::requires_grad())`.
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      if (const Decl *Target = model::definedVariable(Op->getArg(0))) {
        if (callsNamed(Op->getArg(1), "register_parameter"))
          Registered.insert(Target->getCanonicalDecl());
        if (madeRequiringGrad(Op->getArg(1)))
          RequiresGrad.insert(Target->getCanonicalDecl());
      }
    }
    // `w.requires_grad_()`, `w.set_requires_grad(true)`.
    StringRef Name;
    if (const CXXMemberCallExpr *Call = tensorMethodCall(E, Name);
        Call && (Name == "requires_grad_" || Name == "set_requires_grad") &&
        api::isTensorType(Call->getImplicitObjectArgument()->getType())) {
      const Expr *Arg = Call->getNumArgs() ? Call->getArg(0) : nullptr;
      const auto *Lit =
          Arg ? dyn_cast<CXXBoolLiteralExpr>(Arg->IgnoreImplicit()) : nullptr;
      const bool On =
          !Arg || isa<CXXDefaultArgExpr>(Arg) || !Lit || Lit->getValue();
      if (const Decl *Target =
              model::definedVariable(Call->getImplicitObjectArgument());
          Target && On)
        RequiresGrad.insert(Target->getCanonicalDecl());
    }
    if (SourceLocation Loc; updatedTensor(E, Loc))
      Updates.emplace_back(E, Loc);
    return true;
  }
};

} // namespace

void InplaceLeafUpdateCheck::check(const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  model::buildCallGraph(
      Summaries, Parents,
      [&](const CallExpr *Call, llvm::ArrayRef<const FunctionDecl *>) {
        for (const FunctionDecl *Callee : model::calleesOf(Call))
          CallsOf[model::summaryKey(Callee)].push_back(Call);
      });
  Collector C(RegisteredParameters, RequiresGrad);
  C.traverseUserCode(*Result.Context);
  for (const auto &[Update, Loc] : C.Updates)
    checkUpdate(Update, Loc);
  clear();
}

const scope::GradModeFlow *InplaceLeafUpdateCheck::flowOf(const Decl *D,
                                                          Stmt *Body) {
  auto [It, Inserted] = Flows.try_emplace(Body);
  if (Inserted) {
    It->second.Graph = flow::FlowGraph::build(D, Body, Parents.context());
    if (It->second.Graph)
      It->second.Modes =
          std::make_unique<scope::GradModeFlow>(*It->second.Graph, Parents);
  }
  return It->second.Modes.get();
}

bool InplaceLeafUpdateCheck::recordsAt(const Stmt *S, unsigned Depth) {
  const auto [D, Body] = ast::enclosingBody(S, Parents);
  if (!Body)
    return true;
  const scope::GradModeFlow *Modes = flowOf(D, Body);
  if (!Modes)
    return scope::recordsGraph(S, Parents);
  const scope::GradModeAt At = Modes->at(S);
  if (At.Mode == scope::BodyGradMode::Disabled)
    return false;
  if (At.Mode == scope::BodyGradMode::MayBeEnabled || Depth > 4)
    return true;
  // The caller's mode: disabled when every call of the function in the
  // translation unit is made with grad mode disabled (a helper every caller
  // guards); recording when it is called nowhere here.
  const auto *FD = dyn_cast_or_null<FunctionDecl>(D);
  if (!FD)
    return true;
  const auto It = CallsOf.find(model::summaryKey(FD));
  if (It == CallsOf.end() || It->second.empty())
    return true;
  return llvm::any_of(It->second, [&](const CallExpr *Call) {
    return recordsAt(Call, Depth + 1);
  });
}

/// Where a fix that wraps the update in a no-grad block goes: the loop over
/// the parameters that declares the updated variable, or the statement.
static const Stmt *wrapTarget(const Expr *Update, const VarDecl *LoopVar,
                              const ast::ParentIndex &Parents) {
  if (LoopVar)
    if (const CXXForRangeStmt *Loop = model::loopDeclaring(LoopVar, Parents))
      return Loop;
  const Stmt *S = Update;
  for (const Stmt *P = ast::parentStmt(S, Parents); P;
       S = P, P = ast::parentStmt(P, Parents))
    if (!isa<Expr>(P))
      break;
  return S;
}

void InplaceLeafUpdateCheck::checkUpdate(const Expr *Update,
                                         SourceLocation Loc) {
  SourceLocation Unused;
  const Expr *Target = updatedTensor(Update, Unused)->IgnoreImplicit();
  // Through `.data()`, or on the gradient: no leaf's history.
  StringRef Method;
  if (tensorMethodCall(Target, Method) &&
      (Method == "data" || Method == "grad" || Method == "mutable_grad" ||
       Method == "detach"))
    return;

  // Which leaf: a parameter from `parameters()` / `named_parameters()`, a
  // registered parameter field, a LibTorch layer's `weight`/`bias`, or a
  // tensor marked as requiring grad.
  const VarDecl *LoopVar = nullptr;
  bool IsParameter = false;
  if (const CXXMemberCallExpr *Value = tensorMethodCall(Target, Method);
      Value && Method == "value") {
    // `item.value()` over `named_parameters()`.
    const auto *Ref = dyn_cast<DeclRefExpr>(
        Value->getImplicitObjectArgument()->IgnoreImplicit());
    const auto *VD = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    const CXXForRangeStmt *Loop =
        VD ? model::loopDeclaring(VD, Parents) : nullptr;
    if (!Loop || !isParameterList(Loop->getRangeInit(), "named_parameters"))
      return;
    LoopVar = VD;
    IsParameter = true;
  } else if (const auto *Ref = dyn_cast<DeclRefExpr>(Target)) {
    const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
    if (!VD)
      return;
    if (const CXXForRangeStmt *Loop = model::loopDeclaring(VD, Parents);
        Loop && isParameterList(Loop->getRangeInit(), "parameters")) {
      LoopVar = VD;
      IsParameter = true;
    } else if (!RequiresGrad.contains(VD->getCanonicalDecl())) {
      return;
    }
  } else if (const auto *Member = dyn_cast<MemberExpr>(Target)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return;
    const bool LayerParameter =
        api::isLibTorchDecl(Field) && Field->getIdentifier() &&
        (Field->getName() == "weight" || Field->getName() == "bias");
    IsParameter = LayerParameter ||
                  RegisteredParameters.contains(Field->getCanonicalDecl());
    if (!IsParameter && !RequiresGrad.contains(Field->getCanonicalDecl()))
      return;
  } else {
    return;
  }
  if (!recordsAt(Update, 0))
    return;

  const Stmt *Wrap = wrapTarget(Update, LoopVar, Parents);
  auto Diag = diag(Loc, "in-place update of %0 that requires grad with grad "
                        "mode on: autograd throws ('a leaf Variable that "
                        "requires grad is being used in an in-place "
                        "operation')")
              << (IsParameter ? "a parameter" : "a leaf tensor");
  // One fix per wrapped statement: the loop of a hand-written SGD step holds
  // several updates.
  // Inside a macro the warning stands alone.
  if (!Update->getBeginLoc().isMacroID() && Wrapped.insert(Wrap).second)
    if (std::optional<FixItHint> Fix =
            wrapInNoGrad(Wrap, Parents.context().getSourceManager(),
                         Parents.context().getLangOpts()))
      Diag << *Fix;
}

} // namespace clang::tidy::torch
