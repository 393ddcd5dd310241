// SPDX-License-Identifier: Apache-2.0
// torch-eval-without-no-grad: eval-mode forward passes with autograd recording.

#include "EvalWithoutNoGradCheck.h"
#include "model/Evaluation.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "model/Objects.h"
#include "model/Summaries.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/LlvmCompat.h"
#include "utils/TorchApi.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include <functional>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

constexpr llvm::StringLiteral DefaultGuardType = "torch::NoGradGuard";

using api::GradModeEffect;

/// A module as the model's access path (`model` covers `model->encoder`,
/// through references, pointers, holders and local aliases). Expressions that
/// are no access path are compared by their spelling.
struct ModuleRef {
  std::optional<model::AccessPath> Path;
  std::string Text;
};

/// The module that `E` designates; for a null `E` (an implicit `this`, or a
/// function that is given no module), the object of `FD`: its class's path,
/// or the empty path outside a method.
ModuleRef moduleRef(const Expr *E, const FunctionDecl *FD,
                    const ast::ParentIndex &Parents) {
  ModuleRef Ref;
  if (!E) {
    Ref.Path.emplace();
    if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(FD))
      Ref.Path->Root = MD->getParent()->getCanonicalDecl();
    return Ref;
  }
  Ref.Path = model::pathOf(E, Parents);
  if (!Ref.Path) {
    const ASTContext &Context = Parents.context();
    const StringRef Text = Lexer::getSourceText(
        CharSourceRange::getTokenRange(E->getSourceRange()),
        Context.getSourceManager(), Context.getLangOpts());
    for (char C : Text)
      if (!isWhitespace(C))
        Ref.Text.push_back(C);
  }
  return Ref;
}

/// The functions of the user's that `Call` may call: its callee, or in a
/// template, the candidates of a call whose arguments are dependent
/// (`embed(M, X)` with `Model &M`).
llvm::SmallVector<const FunctionDecl *, 2> calleesOf(const CallExpr *Call) {
  if (const FunctionDecl *FD = Call->getDirectCallee())
    return {FD};
  llvm::SmallVector<const FunctionDecl *, 2> Candidates;
  if (const auto *Lookup = dyn_cast<UnresolvedLookupExpr>(
          Call->getCallee()->IgnoreParenImpCasts()))
    for (const NamedDecl *D : Lookup->decls()) {
      D = D->getUnderlyingDecl();
      if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
        Candidates.push_back(Template->getTemplatedDecl());
      else if (const auto *FD = dyn_cast<FunctionDecl>(D))
        Candidates.push_back(FD);
    }
  return Candidates;
}

/// True when `Outer` is `Inner` or a module that contains it.
bool covers(const ModuleRef &Outer, const ModuleRef &Inner) {
  if (Outer.Path && Inner.Path)
    return Outer.Path->isPrefixOf(*Inner.Path);
  return !Outer.Path && !Inner.Path && !Outer.Text.empty() &&
         Outer.Text == Inner.Text;
}

std::optional<DynTypedNode> onlyParent(const DynTypedNodeList &Parents) {
  if (Parents.empty())
    return std::nullopt;
  return Parents[0];
}

/// Why a whole function is an evaluation region.
enum class EvalFunctionKind : std::uint8_t {
  None,
  /// Named by the `EvalFunctions` option.
  Option,
  /// Its name says it evaluates, and it does not train.
  Name,
  /// It loads a trained model (`torch::load`, `torch::jit::load`) and does
  /// not train.
  Loaded,
};

bool isEnablingGuard(const std::optional<scope::ScopedGuard> &Guard) {
  return Guard && Guard->Effect == GradModeEffect::Enables;
}

} // namespace

/// The whole-translation-unit analysis, run once when check() has collected
/// the user's code.
class EvalWithoutNoGradCheck::Analysis {
public:
  explicit Analysis(EvalWithoutNoGradCheck &Check)
      : Check(Check), Parents(Check.Parents), Context(Parents.context()),
        SM(Context.getSourceManager()), LangOpts(Context.getLangOpts()) {}

  void run() {
    findForwardingFunctions();
    for (const Stmt *Temporary : Check.TemporaryGuards)
      reportTemporary(Temporary);
    for (const auto &Entry : Check.Bodies)
      analyzeRegions(Entry.second);
  }

private:
  /// One start of an evaluation region.
  struct Source {
    /// `eval()` or `train(false)`; null for an evaluation function.
    const Expr *Call = nullptr;
    /// The call is `train(false)`.
    bool TrainFalse = false;
    ModuleRef Module;
  };

  /// The CFG facts of one body. Bit 0 of a state: gradients may be enabled
  /// by `GradMode`; bit I + 1: region `Sources[I]` may be active.
  struct BodyFlow {
    scope::EnclosingBody Where;
    std::unique_ptr<flow::FlowGraph> Graph;
    std::vector<Source> Sources;
    llvm::DenseMap<const Stmt *, unsigned> SourceIndex;
    llvm::DenseMap<const Stmt *, llvm::BitVector> Before;
    llvm::SmallVector<const Expr *, 8> Forwards;
    std::unique_ptr<model::ValueFlow> Values;
    /// Why the body is an evaluation function, when it is one.
    EvalFunctionKind FunctionKind = EvalFunctionKind::None;
    /// For `CalledFromEvaluation`: one call of the function.
    const Expr *CallSite = nullptr;
    /// For `EvalFunctionKind::Loaded`: the first load of a model.
    const Expr *Load = nullptr;
  };

  /// A declaration to be inserted by a fix, for choosing distinct names.
  struct Allocation {
    SourceRange Scope;
    SourceLocation At;
    std::string Name;
  };

  bool isEvalFunction(const FunctionDecl *FD) const {
    if (!FD || !Check.EvalFunctionsRegex || !FD->getIdentifier())
      return false;
    const std::string Qualified = FD->getQualifiedNameAsString();
    return Check.EvalFunctionsRegex->match(FD->getName()) ||
           Check.EvalFunctionsRegex->match(Qualified) ||
           Check.EvalFunctionsRegex->match("::" + Qualified);
  }

  void applyTransfer(const BodyFlow &Flow, const Stmt *S,
                     llvm::BitVector &State) const {
    if (auto It = Flow.SourceIndex.find(S); It != Flow.SourceIndex.end()) {
      // A new eval() of a module starts the region of its submodules anew.
      const ModuleRef &Module = Flow.Sources[It->second].Module;
      for (unsigned I = 0; I < Flow.Sources.size(); ++I)
        if (Flow.Sources[I].Call && covers(Module, Flow.Sources[I].Module))
          State.reset(I + 1);
      State.set(It->second + 1);
    }
    if (const model::MethodCall Train = model::asTrainMode(S, Context)) {
      const ModuleRef Ref =
          moduleRef(Train.Object, Flow.Where.Function, Parents);
      for (unsigned I = 0; I < Flow.Sources.size(); ++I)
        if (!Flow.Sources[I].Call || covers(Ref, Flow.Sources[I].Module))
          State.reset(I + 1);
    }
    switch (api::setGradEnabledEffect(S, Context)) {
    case GradModeEffect::None:
      break;
    case GradModeEffect::Disables:
      State.reset(0);
      break;
    case GradModeEffect::Enables:
    case GradModeEffect::Unknown:
      State.set(0);
      break;
    }
  }

  /// Builds the CFG facts of the body `Where`.
  BodyFlow &flowOf(const scope::EnclosingBody &Where) {
    std::unique_ptr<BodyFlow> &Slot = Flows[Where.Body];
    if (Slot)
      return *Slot;
    Slot = std::make_unique<BodyFlow>();
    BodyFlow &Flow = *Slot;
    Flow.Where = Where;
    Flow.Graph = flow::FlowGraph::build(Where.Function, Where.Body, Context);
    if (!Flow.Graph)
      return Flow;

    if (!Where.Lambda && isEvalFunction(Where.Function)) {
      Flow.FunctionKind = EvalFunctionKind::Option;
    } else if (!Where.Lambda) {
      const model::EvaluationFunction Eval = model::evaluationFunction(
          Where.Function, trains(Where), *Flow.Graph, SM);
      if (Eval.Kind == model::EvaluationKind::Name)
        Flow.FunctionKind = EvalFunctionKind::Name;
      else if (Eval.Kind == model::EvaluationKind::Loaded)
        Flow.FunctionKind = EvalFunctionKind::Loaded;
      Flow.Load = Eval.Load;
    }
    if (Flow.FunctionKind != EvalFunctionKind::None)
      Flow.Sources.push_back({});
    Flow.Values = std::make_unique<model::ValueFlow>(*Flow.Graph);
    llvm::SmallVector<model::MethodCall, 4> Evals;
    Flow.Graph->forEachStmt([&](const Stmt *S) {
      if (const model::MethodCall Eval = model::asEvalMode(S, Context))
        Evals.push_back(Eval);
      else if (const model::MethodCall Forward = model::asForward(S)) {
        // `torch::nn::ReLU()->forward(x)` and the like record a graph
        // only when their input has one; that input is what is reported.
        if (!model::runsParameterFreeLayer(Forward.E))
          Flow.Forwards.push_back(Forward.E);
      } else if (model::isModuleMethodDefinedElsewhere(S) ||
                 (ForwardingKnown && forwardingCallee(S)))
        Flow.Forwards.push_back(cast<Expr>(S));
    });
    const auto Before = [this](const Stmt *A, const Stmt *B) {
      return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
    };
    llvm::sort(Evals,
               [&](const model::MethodCall &A, const model::MethodCall &B) {
                 return Before(A.E, B.E);
               });
    llvm::sort(Flow.Forwards, Before);
    // Regions that start at an `eval()` come first, in source order.
    std::vector<Source> Sources;
    for (const model::MethodCall &Eval : Evals) {
      Flow.SourceIndex[Eval.E] = Sources.size();
      Sources.push_back({Eval.E, Eval.Name == "train",
                         moduleRef(Eval.Object, Flow.Where.Function, Parents)});
    }
    Sources.insert(Sources.end(), Flow.Sources.begin(), Flow.Sources.end());
    Flow.Sources = std::move(Sources);

    // A forward may-analysis over the CFG, to a fixed point.
    const CFG &Graph = Flow.Graph->cfg();
    const unsigned Bits = Flow.Sources.size() + 1;
    llvm::BitVector Entry(Bits);
    Entry.set(0);
    for (unsigned I = 0; I < Flow.Sources.size(); ++I)
      if (!Flow.Sources[I].Call)
        Entry.set(I + 1);
    std::vector<llvm::BitVector> Out(Graph.getNumBlockIDs(),
                                     llvm::BitVector(Bits));
    std::vector<bool> Done(Graph.getNumBlockIDs(), false);
    auto In = [&](const CFGBlock &Block) {
      if (&Block == &Graph.getEntry())
        return Entry;
      llvm::BitVector State(Bits);
      for (const CFGBlock::AdjacentBlock &Pred : Block.preds())
        if (const CFGBlock *P = Pred.getReachableBlock())
          State |= Out[P->getBlockID()];
      return State;
    };
    auto Transfer = [&](const CFGBlock &Block, llvm::BitVector State,
                        bool Record) {
      for (const CFGElement &Element : Block)
        if (auto S = Element.getAs<CFGStmt>()) {
          if (Record && isa<CallExpr, RecoveryExpr>(S->getStmt()))
            Flow.Before.try_emplace(S->getStmt(), State);
          applyTransfer(Flow, S->getStmt(), State);
        }
      return State;
    };
    llvm::SmallVector<const CFGBlock *, 32> Worklist{&Graph.getEntry()};
    while (!Worklist.empty()) {
      const CFGBlock *Block = Worklist.pop_back_val();
      llvm::BitVector NewOut = Transfer(*Block, In(*Block), false);
      if (Done[Block->getBlockID()] && NewOut == Out[Block->getBlockID()])
        continue;
      Done[Block->getBlockID()] = true;
      Out[Block->getBlockID()] = std::move(NewOut);
      for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
        if (const CFGBlock *Next = Succ.getReachableBlock())
          Worklist.push_back(Next);
    }
    for (const CFGBlock *Block : Graph)
      if (Block && Done[Block->getBlockID()])
        Transfer(*Block, In(*Block), true);
    return Flow;
  }

  // --- Forwarding functions ----------------------------------------------

  /// For a call of a function of the user's that returns the result of one
  /// of its forward passes (`auto [out, code] = ae_forward(x);`), that
  /// function; such a call is a forward pass where it is made.
  const FunctionDecl *forwardingCallee(const Stmt *S) const {
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call || model::asForward(S))
      return nullptr;
    for (const FunctionDecl *FD : calleesOf(Call))
      if (const FunctionDecl *Target = model::summaryKey(FD);
          Forwarding.count(Target) != 0)
        return Target;
    return nullptr;
  }

  /// The module a forward pass runs, as written; null for `this`.
  static const Expr *forwardObject(const Expr *Forward) {
    if (const model::MethodCall Call = model::asForward(Forward))
      return Call.Object;
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Forward)) {
      const Expr *Object = Member->getImplicitObjectArgument();
      return isa<CXXThisExpr>(Object->IgnoreImpCasts()) ? nullptr : Object;
    }
    // A free function runs the module it is given.
    for (const Expr *Arg : cast<CallExpr>(Forward)->arguments())
      if (api::isModuleLike(Arg->getType()))
        return Arg;
    return nullptr;
  }

  /// Where a diagnostic about a forward pass points.
  static SourceLocation forwardLoc(const Expr *Forward) {
    if (const model::MethodCall Call = model::asForward(Forward))
      return Call.loc();
    return Forward->getExprLoc();
  }

  /// Finds the functions that return the result of an unguarded forward
  /// pass, directly or through another such function: the least fixed
  /// point, so the order of the functions in the file does not matter and
  /// recursion ends. Their callers' bodies are analysed as well.
  void findForwardingFunctions() {
    llvm::SmallVector<scope::EnclosingBody, 16> Work;
    for (const auto &Entry : Check.Bodies)
      Work.push_back(Entry.second);
    for (bool Changed = true; Changed;) {
      Changed = false;
      for (unsigned I = 0; I < Work.size(); ++I) {
        const scope::EnclosingBody Where = Work[I];
        // A function that trains (`update_D` runs backward() on the loss
        // it returns) is a training step, not a forward pass.
        if (Where.Lambda || !Where.Function ||
            Forwarding.count(model::summaryKey(Where.Function)) != 0 ||
            trains(Where) ||
            !model::mayHoldGraph(Where.Function->getReturnType()) ||
            Where.Function->getReturnType()->isVoidType())
          continue;
        const Expr *Returned = returnedForward(flowOf(Where));
        if (!Returned)
          continue;
        const FunctionDecl *Target = model::summaryKey(Where.Function);
        Forwarding[Target] = Returned;
        Changed = true;
        for (const CallExpr *Site : Check.CallSites.lookup(Target)) {
          const scope::EnclosingBody Caller =
              scope::enclosingBody(Site, Parents);
          if (Caller.Body && Check.Bodies.insert({Caller.Body, Caller}).second)
            Work.push_back(Caller);
        }
      }
    }
    ForwardingKnown = true;
    // Bodies analysed before the set was known learn their forwarding calls.
    for (auto &Entry : Flows) {
      BodyFlow &Flow = *Entry.second;
      if (!Flow.Graph)
        continue;
      Flow.Graph->forEachStmt([&](const Stmt *S) {
        if (forwardingCallee(S))
          Flow.Forwards.push_back(cast<Expr>(S));
      });
      llvm::sort(Flow.Forwards, [this](const Stmt *A, const Stmt *B) {
        return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
      });
    }
  }

  /// A forward pass of the body, or a call of a forwarding function, whose
  /// unguarded result the body returns; null when there is none.
  const Expr *returnedForward(BodyFlow &Flow) {
    if (!Flow.Graph || !Flow.Values)
      return nullptr;
    const Expr *Found = nullptr;
    Flow.Graph->forEachStmt([&](const Stmt *S) {
      if (Found || !(model::asForward(S) || forwardingCallee(S)))
        return;
      const auto *E = cast<Expr>(S);
      if (isGuarded(E, Flow, 0))
        return;
      const std::vector<const Stmt *> Uses = Flow.Values->uses(E);
      if (llvm::any_of(Uses,
                       [](const Stmt *Use) { return isa<ReturnStmt>(Use); }))
        Found = E;
    });
    return Found;
  }

  // --- Guards --------------------------------------------------------------

  /// True when a guard's scope, `GradMode::set_enabled(false)` or every
  /// caller turns gradients off at `Call` in the body of `Flow`.
  bool isGuarded(const Expr *Call, const BodyFlow &Flow, unsigned Depth) {
    const std::optional<scope::ScopedGuard> Guard =
        scope::innermostGuard(Call, Parents);
    if (Guard)
      return Guard->Effect != GradModeEffect::Enables;
    auto It = Flow.Before.find(Call);
    if (It != Flow.Before.end() && !It->second.test(0))
      return true;
    return callersGuarded(Flow.Where.Function, Depth);
  }

  /// For a lambda stored in a local variable (or called where it is
  /// written), its calls; false when the lambda may be called elsewhere.
  bool lambdaCallSites(const CXXMethodDecl *CallOperator,
                       llvm::SmallVectorImpl<const CallExpr *> &Sites) {
    const LambdaExpr *Lambda =
        Check.Lambdas.lookup(CallOperator->getCanonicalDecl());
    if (!Lambda)
      return false;
    DynTypedNode Node = DynTypedNode::create(*Lambda);
    const Stmt *Child = Lambda;
    for (unsigned Depth = 0; Depth < 8; ++Depth) {
      std::optional<DynTypedNode> Parent = onlyParent(Parents.of(Node));
      if (!Parent)
        return false;
      if (const auto *Op = Parent->get<CXXOperatorCallExpr>()) {
        if (Op->getOperator() != OO_Call || Op->getArg(0) != Child)
          return false;
        Sites.push_back(Op);
        return true;
      }
      if (const auto *VD = Parent->get<VarDecl>())
        return variableCallSites(VD, CallOperator, Sites);
      const auto *E = Parent->get<Expr>();
      if (!E ||
          !isa<MaterializeTemporaryExpr, ImplicitCastExpr, CXXBindTemporaryExpr,
               ExprWithCleanups, CXXConstructExpr>(E))
        return false;
      Child = E;
      Node = *Parent;
    }
    return false;
  }

  bool variableCallSites(const VarDecl *VD, const CXXMethodDecl *CallOperator,
                         llvm::SmallVectorImpl<const CallExpr *> &Sites) {
    if (!VD->isLocalVarDecl() ||
        VD->getType().getNonReferenceType()->getAsCXXRecordDecl() !=
            CallOperator->getParent())
      return false;
    std::optional<DynTypedNode> Parent = onlyParent(Parents.of(*VD));
    const auto *DS = Parent ? Parent->get<DeclStmt>() : nullptr;
    const scope::EnclosingBody Owner =
        DS ? scope::enclosingBody(DS, Parents) : scope::EnclosingBody{};
    if (!Owner.Body)
      return false;
    struct Finder : RecursiveASTVisitor<Finder> {
      const VarDecl *VD;
      llvm::SmallVector<const DeclRefExpr *, 4> Refs;
      bool VisitDeclRefExpr(DeclRefExpr *DRE) {
        if (DRE->getDecl() == VD)
          Refs.push_back(DRE);
        return true;
      }
    } F;
    F.VD = VD;
    F.TraverseStmt(Owner.Body);
    for (const DeclRefExpr *Ref : F.Refs) {
      const Stmt *Child = Ref;
      std::optional<DynTypedNode> P = onlyParent(Parents.of(*Ref));
      while (P && P->get<ImplicitCastExpr>()) {
        Child = P->get<ImplicitCastExpr>();
        P = onlyParent(Parents.of(*P));
      }
      const auto *Op = P ? P->get<CXXOperatorCallExpr>() : nullptr;
      if (!Op || Op->getOperator() != OO_Call || Op->getArg(0) != Child ||
          Op->getDirectCallee() != CallOperator)
        return false;
      Sites.push_back(Op);
    }
    return true;
  }

  /// The calls of `FD` (a function, or a lambda's call operator) in the
  /// translation unit, recursive calls left out; false when `FD` may be
  /// called from elsewhere: it is virtual, its address is taken, or it is a
  /// lambda that is passed on.
  bool callSites(const FunctionDecl *FD,
                 llvm::SmallVectorImpl<const CallExpr *> &Sites) {
    FD = FD->getCanonicalDecl();
    llvm::SmallVector<const CallExpr *, 4> All;
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (MD && MD->getParent()->isLambda()) {
      if (!lambdaCallSites(MD, All))
        return false;
    } else {
      if (Check.Escaping.contains(FD) || (MD && MD->isVirtual()))
        return false;
      auto It = Check.CallSites.find(FD);
      if (It != Check.CallSites.end())
        All.append(It->second.begin(), It->second.end());
    }
    // Recursive calls do not count: the first call comes from elsewhere.
    for (const CallExpr *Site : All) {
      const scope::EnclosingBody Owner = scope::enclosingBody(Site, Parents);
      if (!Owner.Body)
        return false;
      if (!Owner.Function || Owner.Function->getCanonicalDecl() != FD)
        Sites.push_back(Site);
    }
    return true;
  }

  /// True when every call of `FD` in the translation unit is guarded.
  bool callersGuarded(const FunctionDecl *FD, unsigned Depth) {
    if (!FD || Depth > 4)
      return false;
    FD = FD->getCanonicalDecl();
    if (auto It = CallersGuarded.find(FD); It != CallersGuarded.end())
      return It->second;
    CallersGuarded[FD] = false; // Breaks recursion.
    llvm::SmallVector<const CallExpr *, 4> Sites;
    if (!callSites(FD, Sites) || Sites.empty())
      return false;
    for (const CallExpr *Site : Sites)
      if (!isGuarded(Site, flowOf(scope::enclosingBody(Site, Parents)),
                     Depth + 1))
        return false;
    return CallersGuarded[FD] = true;
  }

  // --- Where forward results go (model/Evaluation.h) ----------------------

  static bool feedsGradients(const Expr *Forward, const BodyFlow &Flow) {
    return Flow.Values && model::feedsGradients(Forward, *Flow.Values);
  }

  bool escapes(const Expr *Forward, const BodyFlow &Flow,
               bool CountUnknownCode = true) const {
    return !Flow.Values || model::escapes(
                               Forward, *Flow.Values, Flow.Where.Function,
                               [this](const FunctionDecl *FD) {
                                 return Check.Summaries.of(FD).Trains;
                               },
                               SM, CountUnknownCode);
  }

  bool onlyShapeQueries(const Expr *Forward, const BodyFlow &Flow) const {
    return Flow.Values &&
           model::onlyShapeQueries(Forward, *Flow.Values, Parents);
  }

  // --- Fix-its -------------------------------------------------------------

  /// True when a helper defined in the translation unit (outside system
  /// headers) needs gradients or changes the training or grad mode.
  bool helperNeedsGrad(const FunctionDecl *FD, unsigned Depth) {
    const FunctionDecl *Def = nullptr;
    if (!FD || !FD->hasBody(Def) || Depth > 3 ||
        SM.isInSystemHeader(Def->getLocation()))
      return false;
    if (auto It = HelperNeedsGrad.find(Def); It != HelperNeedsGrad.end())
      return It->second;
    HelperNeedsGrad[Def] = false; // Breaks recursion.
    const bool Needs =
        !keepsMeaningUnderGuard({Def->getBody()}, nullptr, Depth + 1);
    return HelperNeedsGrad[Def] = Needs;
  }

  /// True when running `Range` with gradients off changes nothing but the
  /// forward passes that `ForwardAllowed` accepts (all when it is null):
  /// nothing in it computes gradients, switches to training or changes the
  /// grad mode, directly or through a helper.
  bool
  keepsMeaningUnderGuard(llvm::ArrayRef<const Stmt *> Range,
                         llvm::function_ref<bool(const Expr *)> ForwardAllowed,
                         unsigned Depth = 0) {
    struct Finder : RecursiveASTVisitor<Finder> {
      Analysis &A;
      llvm::function_ref<bool(const Expr *)> ForwardAllowed;
      unsigned Depth;
      bool Ok = true;
      Finder(Analysis &A, llvm::function_ref<bool(const Expr *)> Allowed,
             unsigned Depth)
          : A(A), ForwardAllowed(Allowed), Depth(Depth) {}
      bool VisitStmt(Stmt *S) {
        const Expr *Forward = model::asForward(S).E;
        const auto *Call = dyn_cast<CallExpr>(S);
        Ok = !model::isGradientSink(S) && !model::asTrainMode(S, A.Context) &&
             api::setGradEnabledEffect(S, A.Context) == GradModeEffect::None &&
             (!Forward || !ForwardAllowed || ForwardAllowed(Forward)) &&
             (!Call || !A.helperNeedsGrad(Call->getDirectCallee(), Depth));
        return Ok;
      }
    } F(*this, ForwardAllowed, Depth);
    for (const Stmt *S : Range)
      if (!F.TraverseStmt(const_cast<Stmt *>(S)))
        return false;
    return F.Ok;
  }

  /// True when a declaration inserted before `Range`, the statements up to
  /// the end of `Scope`, would be jumped over: a `case` of a `switch` whose
  /// body is `Scope`, or any label, follows it.
  bool isJumpedOver(const CompoundStmt *Scope,
                    llvm::ArrayRef<const Stmt *> Range) {
    const std::optional<DynTypedNode> Parent = onlyParent(Parents.of(*Scope));
    struct Finder : RecursiveASTVisitor<Finder> {
      bool SwitchBody;
      bool Found = false;
      bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
      bool TraverseSwitchStmt(SwitchStmt *Nested) {
        // Its cases jump within it; only its labels matter.
        const bool Outer = SwitchBody;
        SwitchBody = false;
        RecursiveASTVisitor::TraverseSwitchStmt(Nested);
        SwitchBody = Outer;
        return !Found;
      }
      bool VisitStmt(Stmt *S) {
        Found = isa<LabelStmt>(S) || (SwitchBody && isa<SwitchCase>(S));
        return !Found;
      }
    } F;
    F.SwitchBody = Parent && Parent->get<SwitchStmt>();
    for (const Stmt *S : Range)
      if (!F.TraverseStmt(const_cast<Stmt *>(S)))
        return true;
    return F.Found;
  }

  const llvm::StringSet<> &identifiersOf(const scope::EnclosingBody &Where) {
    llvm::StringSet<> &Names = Identifiers[Where.Body];
    if (!Names.empty())
      return Names;
    Names.insert(""); // Marks the set as computed.
    if (Where.Function)
      for (const ParmVarDecl *Param : Where.Function->parameters())
        if (Param->getIdentifier())
          Names.insert(Param->getName());
    const CharSourceRange Range = Lexer::makeFileCharRange(
        CharSourceRange::getTokenRange(Where.Body->getSourceRange()), SM,
        LangOpts);
    if (Range.isInvalid())
      return Names;
    bool Invalid = false;
    const StringRef Text = Lexer::getSourceText(Range, SM, LangOpts, &Invalid);
    if (Invalid)
      return Names;
    Lexer Raw(Range.getBegin(), LangOpts, Text.begin(), Text.begin(),
              Text.end());
    Token Tok;
    while (!Raw.LexFromRawLexer(Tok))
      if (Tok.is(tok::raw_identifier))
        Names.insert(Tok.getRawIdentifier());
    if (Tok.is(tok::raw_identifier))
      Names.insert(Tok.getRawIdentifier());
    return Names;
  }

  /// A name for a guard declared in `Scope`: not an identifier of the body,
  /// and not the name of another inserted guard in an enclosing or enclosed
  /// scope.
  std::string chooseName(const scope::EnclosingBody &Where, SourceRange Scope,
                         SourceLocation At, StringRef Base) {
    const llvm::StringSet<> &Used = identifiersOf(Where);
    std::vector<Allocation> &Taken = Allocations[Where.Body];
    // Whether a declaration in `Outer` at `OuterAt` is visible in `Inner`.
    const auto Visible = [this](SourceRange Outer, SourceLocation OuterAt,
                                SourceRange Inner) {
      return !SM.isBeforeInTranslationUnit(Inner.getBegin(),
                                           Outer.getBegin()) &&
             !SM.isBeforeInTranslationUnit(Outer.getEnd(), Inner.getEnd()) &&
             SM.isBeforeInTranslationUnit(OuterAt, Inner.getEnd());
    };
    for (unsigned Attempt = 0;; ++Attempt) {
      std::string Name = Base.str();
      if (Attempt > 0)
        Name += "_guard";
      if (Attempt > 1)
        Name += std::to_string(Attempt);
      if (Used.contains(Name) ||
          llvm::any_of(Taken, [&](const Allocation &Other) {
            return Other.Name == Name &&
                   (Visible(Scope, At, Other.Scope) ||
                    Visible(Other.Scope, Other.At, Scope));
          }))
        continue;
      Taken.push_back({Scope, At, Name});
      return Name;
    }
  }

  /// The statement of `E` in a compound statement, and that statement.
  std::pair<const Stmt *, const CompoundStmt *> statementOf(const Expr *E) {
    const Stmt *S = E;
    for (unsigned Depth = 0; Depth < 4; ++Depth) {
      std::optional<DynTypedNode> Parent = onlyParent(Parents.of(*S));
      if (!Parent)
        return {};
      if (const auto *Compound = Parent->get<CompoundStmt>())
        return {S, Compound};
      const auto *Cleanups = Parent->get<ExprWithCleanups>();
      if (!Cleanups)
        return {};
      S = Cleanups;
    }
    return {};
  }

  bool within(SourceLocation Loc, SourceLocation Begin,
              SourceLocation End) const {
    return SM.isBeforeInTranslationUnit(Begin, Loc) &&
           SM.isBeforeInTranslationUnit(Loc, End);
  }

  /// The guard declaration that makes `Forwards`, the unguarded forward
  /// passes of one region, run without gradients, or nothing when no place
  /// is safe.
  std::optional<FixItHint> regionFix(const BodyFlow &Flow, const Source &Src,
                                     llvm::ArrayRef<const Expr *> Forwards) {
    if (Src.Call && (Src.Call->getBeginLoc().isMacroID() ||
                     Src.Call->getEndLoc().isMacroID()))
      return std::nullopt;
    for (const Expr *Forward : Forwards)
      if (Forward->getBeginLoc().isMacroID() ||
          Forward->getEndLoc().isMacroID())
        return std::nullopt;
    const llvm::SmallPtrSet<const Expr *, 8> InRegion(Forwards.begin(),
                                                      Forwards.end());
    const auto Allowed = [&](const Expr *Forward) {
      return InRegion.contains(Forward) || isGuarded(Forward, Flow, 0);
    };
    const auto NotReEnabled = [&](SourceLocation At) {
      return llvm::none_of(Forwards, [&](const Expr *Forward) {
        const auto Guard = scope::innermostGuard(Forward, Parents);
        return isEnablingGuard(Guard) &&
               !SM.isBeforeInTranslationUnit(Guard->Declaration->getBeginLoc(),
                                             At);
      });
    };
    const bool Inference =
        StringRef(Check.GuardTypeToInsert).ends_with("InferenceMode");
    const StringRef Base = Inference ? "inference_mode" : "no_grad";

    // Right after the `eval()` statement, when its scope holds the region.
    if (Src.Call) {
      const auto [EvalStmt, Scope] = statementOf(Src.Call);
      if (EvalStmt &&
          llvm::all_of(Forwards, [&, Scope = Scope,
                                  EvalStmt = EvalStmt](const Expr *Forward) {
            return within(Forward->getBeginLoc(), EvalStmt->getEndLoc(),
                          Scope->getRBracLoc());
          })) {
        const auto *After = llvm::find(Scope->body(), EvalStmt) + 1;
        const llvm::SmallVector<const Stmt *, 8> Range(After,
                                                       Scope->body_end());
        const SourceLocation AfterSemi = Lexer::findLocationAfterToken(
            EvalStmt->getEndLoc(), tok::semi, SM, LangOpts,
            /*SkipTrailingWhitespaceAndNewLine=*/false);
        if (AfterSemi.isValid() && !AfterSemi.isMacroID() &&
            !isJumpedOver(Scope, Range) &&
            keepsMeaningUnderGuard(Range, Allowed) && NotReEnabled(AfterSemi))
          return fixit::insertAfter(
              EvalStmt,
              {Check.GuardTypeToInsert + " " +
               chooseName(Flow.Where, Scope->getSourceRange(), AfterSemi,
                          Base) +
               ";"},
              SM, LangOpts);
      }
    }

    // First in the innermost scope that holds all of them.
    DynTypedNode Node = DynTypedNode::create(*Forwards.front());
    for (unsigned Depth = 0; Depth < 512; ++Depth) {
      std::optional<DynTypedNode> Parent = onlyParent(Parents.of(Node));
      if (!Parent || Parent->get<LambdaExpr>() ||
          (Parent->get<Decl>() && !Parent->get<VarDecl>()))
        return std::nullopt;
      Node = *Parent;
      const auto *Scope = Parent->get<CompoundStmt>();
      if (!Scope || Scope->body_empty() ||
          !llvm::all_of(Forwards, [&](const Expr *Forward) {
            return within(Forward->getBeginLoc(), Scope->getLBracLoc(),
                          Scope->getRBracLoc());
          }))
        continue;
      const llvm::SmallVector<const Stmt *, 8> Range(Scope->body_begin(),
                                                     Scope->body_end());
      const SourceLocation At = Scope->body_front()->getBeginLoc();
      if (At.isMacroID() || isJumpedOver(Scope, Range) ||
          !keepsMeaningUnderGuard(Range, Allowed) || !NotReEnabled(At))
        return std::nullopt;
      return fixit::insertBefore(
          At,
          {Check.GuardTypeToInsert + " " +
           chooseName(Flow.Where, Scope->getSourceRange(), At, Base) + ";"},
          SM);
    }
    return std::nullopt;
  }

  // --- Diagnostics -----------------------------------------------------------

  void reportTemporary(const Stmt *S) {
    const Expr *Temporary = scope::asDiscardedGuard(S);
    if (!Temporary)
      return;
    const CXXRecordDecl *Class = api::asGradModeGuardConstruction(Temporary)
                                     ->getConstructor()
                                     ->getParent();
    auto Diag = Check.diag(Temporary->getBeginLoc(),
                           "temporary %0 is destroyed at the end of the "
                           "statement and guards nothing")
                << Class;

    // The fix names the temporary, when that leaves the rest of the scope
    // meaning the same but for the grad mode.
    std::optional<DynTypedNode> Parent = onlyParent(Parents.of(*S));
    const auto *Scope = Parent ? Parent->get<CompoundStmt>() : nullptr;
    const scope::EnclosingBody Where = scope::enclosingBody(S, Parents);
    if (!Scope || !Where.Body || S->getBeginLoc().isMacroID() ||
        S->getEndLoc().isMacroID())
      return;
    const GradModeEffect Effect = api::gradModeGuardEffect(Temporary, Context);
    const auto *After = llvm::find(Scope->body(), S) + 1;
    const llvm::SmallVector<const Stmt *, 8> Range(After, Scope->body_end());
    if (isJumpedOver(Scope, Range) || (Effect != GradModeEffect::Enables &&
                                       !keepsMeaningUnderGuard(Range, nullptr)))
      return;

    StringRef Base = "grad_mode";
    if (Class->getName() == "InferenceMode")
      Base = "inference_mode";
    else if (Effect == GradModeEffect::Disables)
      Base = "no_grad";
    SourceLocation TypeEnd;
    SourceRange Empty;
    if (const auto *Object = dyn_cast<CXXTemporaryObjectExpr>(Temporary)) {
      TypeEnd = Object->getTypeSourceInfo()->getTypeLoc().getEndLoc();
      if (llvm::all_of(Object->arguments(), [](const Expr *Arg) {
            return isa<CXXDefaultArgExpr>(Arg);
          }))
        Empty = Object->getParenOrBraceRange();
    } else {
      TypeEnd = cast<CXXFunctionalCastExpr>(Temporary)
                    ->getTypeInfoAsWritten()
                    ->getTypeLoc()
                    .getEndLoc();
    }
    const SourceLocation AfterType =
        Lexer::getLocForEndOfToken(TypeEnd, 0, SM, LangOpts);
    if (AfterType.isInvalid())
      return;
    const std::string Name =
        chooseName(Where, Scope->getSourceRange(), S->getBeginLoc(), Base);
    if (Empty.isValid())
      Diag << FixItHint::CreateReplacement(
          CharSourceRange::getTokenRange(Empty), " " + Name);
    else
      Diag << FixItHint::CreateInsertion(AfterType, " " + Name);
    FixedTemporaries.insert(S);
  }

  /// True when naming the discarded temporaries before `Forward` (their
  /// own fix-its) turns gradients off for it.
  bool coveredByFixedTemporary(const Expr *Forward) {
    const auto Guard =
        scope::innermostGuard(Forward, Parents, /*CountTemporaries=*/true);
    return Guard && !Guard->Var && Guard->Effect != GradModeEffect::Enables &&
           FixedTemporaries.contains(Guard->Declaration);
  }

  /// True when the result of `Forward` flows back into its own arguments on
  /// the next iteration: a generation or sampling loop (`z = z - eps *
  /// forward(z, t)`), whose graph grows with every step. In an evaluation
  /// function, such a loop is reported even when its result is returned.
  bool feedsItself(const Expr *Forward, const BodyFlow &Flow) const {
    if (!Flow.Values)
      return false;
    for (const Expr *Mention : Flow.Values->mentions(Forward)) {
      const Stmt *Child = Mention;
      for (unsigned Depth = 0; Child && Depth < 32; ++Depth) {
        const DynTypedNodeList Up = Parents.of(*Child);
        Child = Up.empty() ? nullptr : Up[0].get<Stmt>();
        if (Child == Forward)
          return true;
      }
    }
    return false;
  }

  /// True for a module's tensor-to-tensor method other than `forward`
  /// defined in another file (`model->decode(z)`, `model->render_image()`):
  /// taken to run the module's layers, though it may guard itself.
  static bool mayGuardItself(const Expr *Forward) {
    if (!model::isModuleMethodDefinedElsewhere(Forward))
      return false;
    const CXXMethodDecl *MD = cast<CXXMemberCallExpr>(Forward)->getMethodDecl();
    return MD->getName() != "forward";
  }

  /// True when the function or lambda of `Where` trains: it calls
  /// `backward()` or `torch::autograd::grad`, itself or through a callee.
  bool trains(const scope::EnclosingBody &Where) const {
    if (Where.Lambda)
      return model::isGradientUse(Where.Lambda);
    return Check.Summaries.of(Where.Function).Trains;
  }

  /// How the callers of an evaluation helper use it.
  struct HelperUse {
    /// Every call comes where evaluation goes on: after `eval()`, or in
    /// code that trains, with autograd recording.
    bool AllEvaluating = false;
    /// The calls that evaluate with autograd recording, when some other
    /// calls are guarded.
    llvm::SmallVector<const CallExpr *, 2> Unguarded;
    /// One evaluating call, and whether it comes after `eval()`.
    const CallExpr *Example = nullptr;
    bool AfterEval = false;
  };

  /// How the calls of `FD`, a function whose forward passes feed nothing
  /// but evaluation, use it.
  HelperUse helperUse(const FunctionDecl *FD) {
    HelperUse Use;
    llvm::SmallVector<const CallExpr *, 4> Sites;
    if (!FD || !callSites(FD, Sites) || Sites.empty())
      return Use;
    bool AnyGuarded = false;
    for (const CallExpr *Site : Sites) {
      const scope::EnclosingBody Owner = scope::enclosingBody(Site, Parents);
      BodyFlow &Caller = flowOf(Owner);
      if (isGuarded(Site, Caller, 0)) {
        AnyGuarded = true;
        continue;
      }
      bool AfterEval = false;
      if (auto It = Caller.Before.find(Site); It != Caller.Before.end())
        for (unsigned I = 0; I < Caller.Sources.size(); ++I)
          AfterEval |= Caller.Sources[I].Call && It->second.test(I + 1);
      if (!AfterEval && !trains(Owner))
        return {};
      Use.Unguarded.push_back(Site);
      if (!Use.Example || (AfterEval && !Use.AfterEval)) {
        Use.Example = Site;
        Use.AfterEval = AfterEval;
      }
    }
    Use.AllEvaluating = !AnyGuarded && !Use.Unguarded.empty();
    if (Use.AllEvaluating || !AnyGuarded)
      Use.Unguarded.clear();
    return Use;
  }

  void analyzeRegions(const scope::EnclosingBody &Where) {
    BodyFlow &Flow = flowOf(Where);
    if (!Flow.Graph)
      return;

    std::vector<llvm::SmallVector<const Expr *, 4>> Regions(
        Flow.Sources.size());
    // Forward passes in no region whose results reach no gradient and stay
    // in the body.
    llvm::SmallVector<const Expr *, 4> Unused;
    for (const Expr *Forward : Flow.Forwards) {
      auto It = Flow.Before.find(Forward);
      if (It == Flow.Before.end() || Forward->getBeginLoc().isInvalid())
        continue;
      const ModuleRef Module =
          moduleRef(forwardObject(Forward), Where.Function, Parents);
      llvm::SmallVector<unsigned, 2> In;
      for (unsigned I = 0; I < Flow.Sources.size(); ++I) {
        const Source &Src = Flow.Sources[I];
        if (!It->second.test(I + 1))
          continue;
        if (Src.Call ? covers(Src.Module, Module)
                     : Flow.FunctionKind == EvalFunctionKind::Option ||
                           !escapes(Forward, Flow,
                                    /*CountUnknownCode=*/false) ||
                           feedsItself(Forward, Flow))
          In.push_back(I);
      }
      if (isGuarded(Forward, Flow, 0) || feedsGradients(Forward, Flow) ||
          onlyShapeQueries(Forward, Flow))
        continue;
      if (In.empty()) {
        // A method defined elsewhere may guard itself (a `render_image()`
        // for a progress picture): outside an evaluation region, that is
        // not known here.
        if (!escapes(Forward, Flow) && !mayGuardItself(Forward))
          Unused.push_back(Forward);
        continue;
      }
      for (unsigned I : In)
        Regions[I].push_back(Forward);
    }

    for (unsigned I = 0; I < Flow.Sources.size(); ++I)
      reportGroup(Flow, Flow.Sources[I], Regions[I]);
    if (Unused.empty())
      return;
    if (trains(Where)) {
      reportGroup(Flow, Source{}, Unused, GroupKind::Unused);
      return;
    }
    const HelperUse Use = helperUse(Where.Function);
    if (Use.AllEvaluating) {
      reportGroup(Flow, Source{}, Unused, GroupKind::Helper, Use.Example,
                  Use.AfterEval);
      return;
    }
    for (const CallExpr *Site : Use.Unguarded) {
      Check.diag(Site->getExprLoc(),
                 "call of %0 runs its forward passes with autograd "
                 "recording")
          << Where.Function;
      Check.diag(forwardLoc(Unused.front()),
                 "forward pass in %0 that records a graph", DiagnosticIDs::Note)
          << Where.Function;
    }
  }

  enum class GroupKind : std::uint8_t { Region, Unused, Helper };

  /// Reports the unguarded forward passes of one region, with the fix that
  /// guards them all.
  void reportGroup(BodyFlow &Flow, const Source &Src,
                   llvm::ArrayRef<const Expr *> Group,
                   GroupKind Kind = GroupKind::Region,
                   const CallExpr *Site = nullptr, bool AfterEval = false) {
    // Forward passes in several regions belong to the first.
    llvm::SmallVector<const Expr *, 4> Forwards;
    for (const Expr *Forward : Group)
      if (Reported.insert(Forward).second)
        Forwards.push_back(Forward);
    if (Forwards.empty())
      return;
    std::optional<FixItHint> Fix;
    if (!llvm::all_of(Forwards, [this](const Expr *Forward) {
          return coveredByFixedTemporary(Forward);
        }))
      Fix = regionFix(Flow, Src, Forwards);
    // One warning per statement: the first carries the fix for them all.
    llvm::SmallPtrSet<const Stmt *, 8> Statements;
    bool First = true;
    for (const Expr *Forward : Forwards) {
      if (!Statements.insert(topStatement(Forward)).second)
        continue;
      reportForward(Flow, Src, Forward, First ? Fix : std::nullopt, Kind, Site,
                    AfterEval);
      First = false;
    }
  }

  /// The statement `E` is part of: its outermost enclosing expression or
  /// declaration statement.
  const Stmt *topStatement(const Stmt *E) const {
    const Stmt *Top = E;
    for (unsigned Depth = 0; Depth < 256; ++Depth) {
      const DynTypedNodeList Up = Parents.of(*Top);
      if (Up.empty())
        break;
      if (const auto *VD = Up[0].get<VarDecl>()) {
        const DynTypedNodeList Decl = Parents.of(*VD);
        const auto *DS = Decl.empty() ? nullptr : Decl[0].get<DeclStmt>();
        if (!DS)
          break;
        Top = DS;
        continue;
      }
      const auto *Parent = Up[0].get<Expr>();
      if (!Parent)
        break;
      Top = Parent;
    }
    return Top;
  }

  DiagnosticBuilder warnForward(SourceLocation Loc, GroupKind Kind,
                                const Source &Src, const FunctionDecl *FD) {
    if (Kind == GroupKind::Unused)
      return Check.diag(Loc, "forward pass whose result reaches no "
                             "'backward()' still records an autograd graph");
    if (Kind == GroupKind::Helper)
      return Check.diag(Loc,
                        "forward pass in %0 still records an autograd graph")
             << FD;
    if (Src.Call)
      return Check.diag(Loc, "forward pass after %select{'eval()'|"
                             "'train(false)'}0 still records an autograd graph")
             << Src.TrainFalse;
    return Check.diag(Loc, "forward pass in evaluation function %0 still "
                           "records an autograd graph")
           << FD;
  }

  void reportForward(BodyFlow &Flow, const Source &Src, const Expr *Forward,
                     const std::optional<FixItHint> &Fix, GroupKind Kind,
                     const CallExpr *Site, bool AfterEval) {
    const scope::EnclosingBody &Where = Flow.Where;
    const SourceLocation Loc = forwardLoc(Forward);
    {
      DiagnosticBuilder Diag = warnForward(Loc, Kind, Src, Where.Function);
      if (Fix)
        Diag << *Fix;
    }
    if (const FunctionDecl *Helper = forwardingCallee(Forward))
      Check.diag(forwardLoc(Forwarding.lookup(Helper)),
                 "%0 returns the result of this forward pass",
                 DiagnosticIDs::Note)
          << Helper;
    else if (mayGuardItself(Forward))
      Check.diag(Forward->getExprLoc(),
                 "%0 is defined in another file; it is taken to run the "
                 "module's layers",
                 DiagnosticIDs::Note)
          << cast<CXXMemberCallExpr>(Forward)->getMethodDecl();
    if (Kind == GroupKind::Helper)
      Check.diag(Site->getExprLoc(),
                 "%0 is called here %select{from training code|after "
                 "'eval()'}1",
                 DiagnosticIDs::Note)
          << Where.Function << AfterEval;
    else if (Kind == GroupKind::Region && Src.Call)
      Check.diag(model::asEvalMode(Src.Call, Context).loc(),
                 "module put in evaluation mode here", DiagnosticIDs::Note);
    else if (Kind == GroupKind::Region &&
             Flow.FunctionKind == EvalFunctionKind::Option)
      Check.diag(Where.Function->getLocation(),
                 "%0 is an evaluation function through option "
                 "'EvalFunctions'",
                 DiagnosticIDs::Note)
          << Where.Function;
    else if (Kind == GroupKind::Region &&
             Flow.FunctionKind == EvalFunctionKind::Loaded)
      Check.diag(Flow.Load->getExprLoc(),
                 "%0 loads a trained model here and does not train",
                 DiagnosticIDs::Note)
          << Where.Function;
    else if (Kind == GroupKind::Region)
      Check.diag(Where.Function->getLocation(),
                 "%0 is an evaluation function by its name",
                 DiagnosticIDs::Note)
          << Where.Function;
  }

  EvalWithoutNoGradCheck &Check;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
  const SourceManager &SM;
  const LangOptions &LangOpts;
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyFlow>> Flows;
  llvm::DenseMap<const Stmt *, llvm::StringSet<>> Identifiers;
  llvm::DenseMap<const Stmt *, std::vector<Allocation>> Allocations;
  llvm::DenseMap<const FunctionDecl *, bool> CallersGuarded;
  llvm::DenseMap<const FunctionDecl *, bool> HelperNeedsGrad;
  llvm::DenseSet<const Stmt *> FixedTemporaries;
  llvm::DenseSet<const Expr *> Reported;
  /// Functions that return the result of a forward pass, with that pass.
  llvm::DenseMap<const FunctionDecl *, const Expr *> Forwarding;
  bool ForwardingKnown = false;
};

EvalWithoutNoGradCheck::EvalWithoutNoGradCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : TorchCheck(Name, Context),
      EvalFunctions(Options.get("EvalFunctions", "")),
      GuardType(Options.get("GuardType", DefaultGuardType)) {
  if (!EvalFunctions.empty()) {
    llvm::Regex Regex("^(" + EvalFunctions + ")$");
    std::string Error;
    if (Regex.isValid(Error))
      EvalFunctionsRegex.emplace(std::move(Regex));
    else
      configurationDiag("invalid regular expression '%0' for option "
                        "'EvalFunctions': %1")
          << EvalFunctions << Error;
  }
  StringRef Type = GuardType;
  Type.consume_front("::");
  if (compat::isOneOf(Type, {"torch::NoGradGuard", "at::NoGradGuard",
                             "c10::NoGradGuard", "torch::InferenceMode",
                             "c10::InferenceMode",
                             "torch::autograd::InferenceMode"})) {
    GuardTypeToInsert = GuardType;
  } else {
    GuardTypeToInsert = DefaultGuardType;
    configurationDiag("invalid value '%0' for option 'GuardType': expected "
                      "'torch::NoGradGuard' or 'torch::InferenceMode'")
        << GuardType;
  }
}

EvalWithoutNoGradCheck::~EvalWithoutNoGradCheck() = default;

void EvalWithoutNoGradCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "EvalFunctions", EvalFunctions);
  Options.store(Opts, "GuardType", GuardType);
}

void EvalWithoutNoGradCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check collects the forward passes,
  // calls, lambdas and guards of the user's code itself (see
  // ast::UserCodeVisitor), then analyzes them together.
  Finder->addMatcher(translationUnitDecl(), this);
}

void EvalWithoutNoGradCheck::check(const MatchFinder::MatchResult &Result) {
  ASTContext &Context = *Result.Context;
  Parents.attach(Context);

  struct Collector : ast::UserCodeVisitor<Collector> {
    EvalWithoutNoGradCheck &Check;
    const SourceManager &SM;
    llvm::SmallVector<const Expr *, 4> Temporaries;

    Collector(EvalWithoutNoGradCheck &Check, const SourceManager &SM)
        : Check(Check), SM(SM) {}

    bool isUserFunction(const Decl *D) const {
      return isa_and_nonnull<FunctionDecl>(D) &&
             !SM.isInSystemHeader(D->getBeginLoc());
    }
    /// The function whose body holds `S`, through lambdas.
    const FunctionDecl *outerFunction(const Stmt *S) const {
      scope::EnclosingBody Where = scope::enclosingBody(S, Check.Parents);
      for (unsigned Depth = 0; Where.Lambda && Depth < 64; ++Depth)
        Where = scope::enclosingBody(Where.Lambda, Check.Parents);
      return Where.Lambda ? nullptr : Where.Function;
    }
    void noteForward(const Stmt *S) {
      const scope::EnclosingBody Where = scope::enclosingBody(S, Check.Parents);
      if (Where.Body)
        Check.Bodies.insert({Where.Body, Where});
    }
    bool VisitFunctionDecl(FunctionDecl *FD) {
      if (FD->doesThisDeclarationHaveABody())
        Check.Summaries.addFunction(FD);
      return true;
    }
    bool VisitRecoveryExpr(RecoveryExpr *E) {
      if (model::asForward(E))
        noteForward(E);
      return true;
    }
    bool VisitCallExpr(CallExpr *Call) {
      if (model::asForward(Call))
        noteForward(Call);
      if (model::isGradientSink(Call))
        if (const FunctionDecl *Outer = outerFunction(Call))
          Check.LocalTrains.insert(model::summaryKey(Outer));
      for (const FunctionDecl *FD : calleesOf(Call))
        if (isUserFunction(FD)) {
          Check.CallSites[model::summaryKey(FD)].push_back(Call);
          Check.Summaries.addCall(outerFunction(Call), FD);
        }
      return true;
    }
    bool VisitDeclRefExpr(DeclRefExpr *Ref) {
      if (!isUserFunction(Ref->getDecl()))
        return true;
      // A function named other than as the callee of a call may be called
      // from anywhere.
      const Expr *Child = Ref;
      DynTypedNodeList Up = Check.Parents.of(*Ref);
      while (!Up.empty() && Up[0].get<ImplicitCastExpr>()) {
        Child = Up[0].get<ImplicitCastExpr>();
        Up = Check.Parents.of(*Child);
      }
      const auto *Call = Up.empty() ? nullptr : Up[0].get<CallExpr>();
      if (!Call || Call->getCallee() != Child)
        Check.Escaping.insert(
            model::summaryKey(cast<FunctionDecl>(Ref->getDecl())));
      return true;
    }
    bool VisitLambdaExpr(LambdaExpr *Lambda) {
      Check.Lambdas[Lambda->getCallOperator()->getCanonicalDecl()] = Lambda;
      return true;
    }
    bool VisitCXXTemporaryObjectExpr(CXXTemporaryObjectExpr *E) {
      Temporaries.push_back(E);
      return true;
    }
    bool VisitCXXFunctionalCastExpr(CXXFunctionalCastExpr *E) {
      Temporaries.push_back(E);
      return true;
    }
  } C(*this, Context.getSourceManager());
  C.traverseUserCode(Context);
  Summaries.compute([this](const FunctionDecl *FD) {
    model::FunctionSummary Local;
    Local.Trains = LocalTrains.contains(FD);
    return Local;
  });

  const auto GuardClass = cxxRecordDecl(isSameOrDerivedFrom(
      hasAnyName("::c10::AutoGradMode", "::c10::InferenceMode")));
  const auto IsGuardType = expr(hasType(
      hasUnqualifiedDesugaredType(recordType(hasDeclaration(GuardClass)))));
  for (const Expr *Temporary : C.Temporaries) {
    if (match(IsGuardType, *Temporary, Context).empty())
      continue;
    // The statement is the temporary with its cleanups.
    const Stmt *S = Temporary;
    for (unsigned Depth = 0; Depth < 3; ++Depth) {
      const DynTypedNodeList Up = Parents.of(*S);
      const auto *Wrapper = Up.empty() ? nullptr : Up[0].get<Expr>();
      if (!Wrapper || !isa<ExprWithCleanups, CXXBindTemporaryExpr>(Wrapper))
        break;
      S = Wrapper;
    }
    if (scope::asDiscardedGuard(S) == Temporary &&
        scope::isInStatementPosition(S, Parents)) {
      TemporaryGuards.push_back(S);
      const scope::EnclosingBody Where = scope::enclosingBody(S, Parents);
      if (Where.Body)
        Bodies.insert({Where.Body, Where});
    }
  }

  Analysis(*this).run();
  clear();
}

void EvalWithoutNoGradCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Bodies.clear();
  TemporaryGuards.clear();
  CallSites.clear();
  Escaping.clear();
  LocalTrains.clear();
  Summaries.clear();
  Lambdas.clear();
}

} // namespace clang::tidy::torch
