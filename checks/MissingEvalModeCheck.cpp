// SPDX-License-Identifier: Apache-2.0
// torch-missing-eval-mode: an evaluation forward pass of a module with dropout
// or batch norm that may still be in training mode.

#include "MissingEvalModeCheck.h"
#include "model/Evaluation.h"
#include "model/Events.h"
#include "model/ModuleMode.h"
#include "model/Objects.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>
#include <optional>

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

/// The mode of one module at one point, as a set of the ways it may have
/// got there.
enum ModeBits : unsigned {
  /// Built in the body, or trained in it (`train()` then `backward()`, or a
  /// forward pass that reaches `backward()`): in training mode.
  Trained = 1U << 0,
  /// `train()` called with no `backward()` after it: training mode on
  /// purpose (Monte-Carlo dropout).
  TrainCalled = 1U << 1,
  /// As it came into the body: its callers decide.
  FromEntry = 1U << 2,
};

constexpr unsigned MaxCallerDepth = 3;

/// True when the access path `P` names `Whole` or a module inside it.
bool within(const model::AccessPath &Whole, const model::AccessPath &P) {
  return Whole.isPrefixOf(P);
}

/// True when `E` constructs an empty holder (`Net(nullptr)`, `{nullptr}`).
bool isNullHolder(const Expr *E) {
  E = E->IgnoreUnlessSpelledInSource();
  if (isa<CXXNullPtrLiteralExpr>(E))
    return true;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return Construct->getNumArgs() == 1 &&
           isa<CXXNullPtrLiteralExpr>(
               Construct->getArg(0)->IgnoreUnlessSpelledInSource());
  if (const auto *List = dyn_cast<InitListExpr>(E))
    return List->getNumInits() == 1 && isNullHolder(List->getInit(0));
  return false;
}

} // namespace

class MissingEvalModeCheck::Analysis {
public:
  explicit Analysis(MissingEvalModeCheck &Check)
      : Check(Check), Parents(Check.Parents), Context(Parents.context()),
        SM(Context.getSourceManager()) {}

  void run() {
    for (const auto &Entry : Check.Bodies)
      analyze(Entry.second);
  }

private:
  struct BodyFlow {
    scope::EnclosingBody Where;
    std::unique_ptr<flow::FlowGraph> Graph;
    std::unique_ptr<model::ValueFlow> Values;
    bool Trains = false;
    /// The body is a lambda's.
    bool IsLambda = false;
    model::EvaluationFunction Eval;
    llvm::DenseMap<const Stmt *, bool> Feeds;
    /// The mode of each module asked about, before each statement.
    std::vector<
        std::pair<model::AccessPath, llvm::DenseMap<const Stmt *, unsigned>>>
        Modes;
  };

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
    Flow.Values = std::make_unique<model::ValueFlow>(*Flow.Graph);
    // A lambda's call operator is a function of the call graph.
    Flow.Trains = Check.Summaries.of(Where.Function).Trains;
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Where.Function);
    Flow.IsLambda = Where.Lambda || (MD && MD->getParent()->isLambda());
    if (!Flow.IsLambda)
      Flow.Eval = model::evaluationFunction(Where.Function, Flow.Trains,
                                            *Flow.Graph, SM);
    return Flow;
  }

  bool feedsGradients(BodyFlow &Flow, const Expr *Forward) {
    auto [It, New] = Flow.Feeds.try_emplace(Forward, false);
    if (New)
      It->second = model::feedsGradients(Forward, *Flow.Values);
    return It->second;
  }

  /// The module a call names as its object: the path of `Object`, or the
  /// class of the method for an implicit `this`.
  std::optional<model::AccessPath> objectPath(const Expr *Object,
                                              const BodyFlow &Flow) const {
    if (Object)
      return model::pathOf(Object, Parents);
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Flow.Where.Function);
    if (!MD)
      return std::nullopt;
    model::AccessPath This;
    This.Root = MD->getParent()->getCanonicalDecl();
    return This;
  }

  bool covers(const Expr *Object, const BodyFlow &Flow,
              const model::AccessPath &P) const {
    const std::optional<model::AccessPath> Path = objectPath(Object, Flow);
    return Path && within(*Path, P);
  }

  /// True when the variable `VD` declared in the body gets a new module.
  static bool constructsModule(const VarDecl *VD,
                               const ast::ParentIndex &Parents) {
    const QualType T = VD->getType();
    if (T->isReferenceType() || T->isPointerType() || !api::isModuleLike(T))
      return false;
    const Expr *Init = VD->getInit();
    if (!Init)
      return true;
    return !isNullHolder(Init) && !model::pathOf(Init, Parents);
  }

  /// The mode of `P` after `S`, given the mode before it.
  unsigned transfer(BodyFlow &Flow, const model::AccessPath &P, const Stmt *S,
                    unsigned State) {
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D);
            VD && VD->getCanonicalDecl() == P.Root)
          // A module member of an object built here is built with it.
          State = constructsModule(VD, Parents) ||
                          (!P.Members.empty() && VD->getType()->isRecordType())
                      ? Trained
                      : 0;
      return State;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        api::isModuleLike(Op->getArg(0)->getType())) {
      const std::optional<model::AccessPath> Target =
          model::pathOf(Op->getArg(0), Parents);
      if (Target && within(*Target, P)) {
        const Expr *Value = Op->getArg(1);
        if (isNullHolder(Value))
          return 0;
        if (!model::pathOf(Value, Parents))
          return Trained;
      }
      return State;
    }
    if (const model::MethodCall Eval = model::asEvalMode(S, Context)) {
      if (covers(Eval.Object, Flow, P))
        return 0;
      return State;
    }
    if (const model::MethodCall Train = model::asTrainMode(S, Context)) {
      const std::optional<model::AccessPath> Path =
          objectPath(Train.Object, Flow);
      if (Path && within(*Path, P))
        return TrainCalled;
      if (Path && within(P, *Path))
        return State | TrainCalled;
      return State;
    }
    // Training: `backward()`, or a call of a function of the user's that
    // trains (`update_D(X, Z, net_D, net_G, ...)`).
    const auto *Call = dyn_cast<CallExpr>(S);
    const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
    if (model::isBackward(S) ||
        (Callee && !model::asForward(S) && Check.Summaries.of(Callee).Trains)) {
      if (State & TrainCalled)
        State = (State & ~TrainCalled) | Trained;
      return State;
    }
    if (const model::MethodCall Forward = model::asForward(S)) {
      if (State != 0 && covers(Forward.Object, Flow, P) &&
          feedsGradients(Flow, Forward.E))
        State |= Trained;
      return State;
    }
    // A helper of the user's that puts a module it is given in evaluation
    // mode (`set_eval(model)`, `validate(model, loader)`).
    if (Call) {
      if (!Callee || !Check.Summaries.of(Callee).SetsEvalMode)
        return State;
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
        if (covers(Member->getImplicitObjectArgument(), Flow, P))
          return 0;
      for (const Expr *Arg : Call->arguments())
        if (api::isModuleLike(Arg->getType()) && covers(Arg, Flow, P))
          return 0;
    }
    return State;
  }

  /// The mode of `P` when the body is entered.
  unsigned entryMode(const BodyFlow &Flow, const model::AccessPath &P) const {
    const auto *VD = dyn_cast_or_null<VarDecl>(P.Root);
    if (VD && !isa<ParmVarDecl>(VD) && VD->isLocalVarDecl() &&
        VD->getParentFunctionOrMethod() == Flow.Where.Function)
      return 0;
    // A module defined at namespace scope is as built when `main` starts.
    if (VD && VD->hasGlobalStorage() && !VD->isStaticDataMember() &&
        !VD->isLocalVarDecl() && Flow.Where.Function &&
        Flow.Where.Function->isMain())
      return Trained;
    return FromEntry;
  }

  /// The mode of `P` right before `At`, an element of the body's graph.
  unsigned modeBefore(BodyFlow &Flow, const model::AccessPath &P,
                      const Stmt *At) {
    if (!Flow.Graph)
      return 0;
    for (const auto &[Path, Before] : Flow.Modes)
      if (Path == P)
        return Before.lookup(At);
    Flow.Modes.emplace_back(P, llvm::DenseMap<const Stmt *, unsigned>());
    const unsigned Index = Flow.Modes.size() - 1;
    const CFG &Graph = Flow.Graph->cfg();
    std::vector<unsigned> Out(Graph.getNumBlockIDs(), 0);
    std::vector<bool> Done(Graph.getNumBlockIDs(), false);
    const unsigned Entry = entryMode(Flow, P);
    auto In = [&](const CFGBlock &Block) {
      if (&Block == &Graph.getEntry())
        return Entry;
      unsigned State = 0;
      for (const CFGBlock::AdjacentBlock &Pred : Block.preds())
        if (const CFGBlock *B = Pred.getReachableBlock())
          State |= Out[B->getBlockID()];
      return State;
    };
    auto Run = [&](const CFGBlock &Block, unsigned State, bool Record) {
      for (const CFGElement &Element : Block)
        if (auto S = Element.getAs<CFGStmt>()) {
          if (Record)
            Flow.Modes[Index].second.try_emplace(S->getStmt(), State);
          State = transfer(Flow, P, S->getStmt(), State);
        }
      return State;
    };
    llvm::SmallVector<const CFGBlock *, 32> Worklist{&Graph.getEntry()};
    while (!Worklist.empty()) {
      const CFGBlock *Block = Worklist.pop_back_val();
      const unsigned NewOut = Run(*Block, In(*Block), false);
      if (Done[Block->getBlockID()] && NewOut == Out[Block->getBlockID()])
        continue;
      Done[Block->getBlockID()] = true;
      Out[Block->getBlockID()] = NewOut;
      for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
        if (const CFGBlock *Next = Succ.getReachableBlock())
          Worklist.push_back(Next);
    }
    for (const CFGBlock *Block : Graph)
      if (Block && Done[Block->getBlockID()])
        Run(*Block, In(*Block), true);
    return Flow.Modes[Index].second.lookup(At);
  }

  /// True when `Forward` evaluates: a guard turns gradients off around it,
  /// its function evaluates, or it runs in training code and its result
  /// reaches no gradient and stays in the body.
  bool isEvaluation(BodyFlow &Flow, const Expr *Forward) {
    if (const std::optional<scope::ScopedGuard> Guard =
            scope::innermostGuard(Forward, Parents))
      return Guard->Effect == api::GradModeEffect::Disables;
    if (Flow.Eval.Kind != model::EvaluationKind::None)
      return true;
    if (!Flow.Trains || feedsGradients(Flow, Forward))
      return false;
    const auto Trains = [this](const FunctionDecl *FD) {
      return Check.Summaries.of(FD).Trains;
    };
    return !model::escapes(Forward, *Flow.Values, Flow.Where.Function, Trains,
                           SM) &&
           !model::onlyShapeQueries(Forward, *Flow.Values, Parents);
  }

  /// The layers of the module `Object` names that depend on the mode; for a
  /// TorchScript module, whose layers are not visible, `Opaque` is set.
  llvm::SmallVector<model::ModeDependentLayer, 4>
  layersOf(const Expr *Object, const model::AccessPath &P, bool &Opaque) {
    Opaque = false;
    const QualType T = Object->getType();
    if (model::isScriptModule(T)) {
      Opaque = true;
      return {};
    }
    const CXXRecordDecl *Impl = model::moduleClassOf(T);
    if (!Impl)
      return {};
    if (model::isModuleContainer(Impl))
      return model::modeDependentLayersOfContainer(
          dyn_cast_or_null<ValueDecl>(P.leaf()));
    return model::modeDependentLayersOf(Impl);
  }

  void analyze(const scope::EnclosingBody &Where) {
    BodyFlow &Flow = flowOf(Where);
    if (!Flow.Graph)
      return;
    llvm::SmallVector<model::MethodCall, 8> Forwards;
    Flow.Graph->forEachStmt([&](const Stmt *S) {
      if (const model::MethodCall Forward = model::asForward(S);
          Forward && Forward.Object)
        Forwards.push_back(Forward);
    });
    llvm::sort(Forwards,
               [this](const model::MethodCall &A, const model::MethodCall &B) {
                 return SM.isBeforeInTranslationUnit(A.E->getBeginLoc(),
                                                     B.E->getBeginLoc());
               });
    for (const model::MethodCall &Forward : Forwards) {
      if (Forward.loc().isInvalid() || !isEvaluation(Flow, Forward.E))
        continue;
      const std::optional<model::AccessPath> P =
          model::pathOf(Forward.Object, Parents);
      if (!P || !isa_and_nonnull<ValueDecl>(P->leaf()))
        continue;
      bool Opaque = false;
      const llvm::SmallVector<model::ModeDependentLayer, 4> Layers =
          layersOf(Forward.Object, *P, Opaque);
      if (Layers.empty() && !Opaque)
        continue;
      const unsigned Mode = modeBefore(Flow, *P, Forward.E);
      if (Mode & Trained) {
        report(Flow, *P, Forward, Layers);
        continue;
      }
      if (Mode & FromEntry)
        reportCallers(Flow, *P, Forward, Layers, 0);
    }
  }

  /// The last `train()` of a module containing `P` before `At` whose
  /// mode reaches `At`.
  const Expr *lastTrain(BodyFlow &Flow, const model::AccessPath &P,
                        const Stmt *At) {
    const Expr *Last = nullptr;
    Flow.Graph->forEachStmt([&](const Stmt *S) {
      const model::MethodCall Train = model::asTrainMode(S, Context);
      if (!Train || !covers(Train.Object, Flow, P) ||
          !SM.isBeforeInTranslationUnit(S->getBeginLoc(), At->getBeginLoc()) ||
          (Last &&
           SM.isBeforeInTranslationUnit(S->getBeginLoc(), Last->getBeginLoc())))
        return;
      const auto IsEval = [&](const Stmt *Other) {
        const model::MethodCall Eval = model::asEvalMode(Other, Context);
        return Eval && covers(Eval.Object, Flow, P);
      };
      if (Flow.Graph->reaches(S, At, IsEval))
        Last = Train.E;
    });
    return Last;
  }

  void noteLayers(const model::AccessPath &P,
                  llvm::ArrayRef<model::ModeDependentLayer> Layers) {
    if (Layers.empty())
      return;
    const model::ModeDependentLayer &Layer = Layers.front();
    const auto *Local = dyn_cast_or_null<VarDecl>(P.leaf());
    const bool InLocal = Layer.Holder.empty() ||
                         (Local && Local->getNameAsString() == Layer.Holder);
    Check.diag(Layer.Loc,
               "'%0' %select{member|layer in}1 '%2' behaves differently in "
               "training mode",
               DiagnosticIDs::Note)
        << Layer.Kind << InLocal
        << (Layer.Holder.empty() ? P.leaf()->getNameAsString() : Layer.Holder);
  }

  void report(BodyFlow &Flow, const model::AccessPath &P,
              const model::MethodCall &Forward,
              llvm::ArrayRef<model::ModeDependentLayer> Layers) {
    if (!Reported.insert(Forward.E).second)
      return;
    Check.diag(Forward.loc(), "'%0' may still be in training mode in this "
                              "evaluation forward pass, so its dropout and "
                              "batch-norm layers behave as in training")
        << P.leaf()->getNameAsString();
    noteLayers(P, Layers);
    if (const Expr *Train = lastTrain(Flow, P, Forward.E))
      Check.diag(model::callLoc(Train), "'%0' is put in training mode here",
                 DiagnosticIDs::Note)
          << P.leaf()->getNameAsString();
  }

  /// The module that `Site`, a call of the function of `Flow`, hands it as
  /// `P`.
  std::optional<model::AccessPath> callerPath(const BodyFlow &Flow,
                                              const model::AccessPath &P,
                                              const CallExpr *Site) const {
    const FunctionDecl *FD = Flow.Where.Function;
    if (const auto *Param = dyn_cast_or_null<ParmVarDecl>(P.Root)) {
      if (Param->getDeclContext() != FD->getCanonicalDecl() &&
          !llvm::is_contained(FD->parameters(), Param))
        return std::nullopt;
      unsigned Index = Param->getFunctionScopeIndex();
      if (isa<CXXOperatorCallExpr>(Site) && isa<CXXMethodDecl>(FD))
        ++Index;
      if (Index >= Site->getNumArgs())
        return std::nullopt;
      std::optional<model::AccessPath> Arg =
          model::pathOf(Site->getArg(Index), Parents);
      if (!Arg)
        return std::nullopt;
      Arg->Members.append(P.Members.begin(), P.Members.end());
      return Arg;
    }
    if (isa_and_nonnull<CXXRecordDecl>(P.Root)) {
      const auto *Member = dyn_cast<CXXMemberCallExpr>(Site);
      if (!Member)
        return std::nullopt;
      const Expr *Object = Member->getImplicitObjectArgument();
      if (isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
        return P;
      std::optional<model::AccessPath> Path = model::pathOf(Object, Parents);
      if (!Path)
        return std::nullopt;
      Path->Members.append(P.Members.begin(), P.Members.end());
      return Path;
    }
    // A global, or a variable that a lambda captures, is the same in the
    // caller.
    if (const auto *VD = dyn_cast_or_null<VarDecl>(P.Root);
        VD && (VD->hasGlobalStorage() || Flow.IsLambda))
      return P;
    return std::nullopt;
  }

  /// Reports the calls of the function of `Flow` that hand it `P` in
  /// training mode, for the evaluation forward pass `Forward` in it.
  void reportCallers(BodyFlow &Flow, const model::AccessPath &P,
                     const model::MethodCall &Forward,
                     llvm::ArrayRef<model::ModeDependentLayer> Layers,
                     unsigned Depth) {
    const FunctionDecl *FD = Flow.Where.Function;
    if (!FD || Depth > MaxCallerDepth)
      return;
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (MD && MD->isVirtual())
      return;
    for (const CallExpr *Site : Check.CallSites.lookup(model::summaryKey(FD))) {
      const scope::EnclosingBody Owner = scope::enclosingBody(Site, Parents);
      if (!Owner.Body || (Owner.Function && model::summaryKey(Owner.Function) ==
                                                model::summaryKey(FD)))
        continue;
      const std::optional<model::AccessPath> Outer = callerPath(Flow, P, Site);
      if (!Outer || !isa_and_nonnull<NamedDecl>(Outer->leaf()))
        continue;
      BodyFlow &Caller = flowOf(Owner);
      if (!Caller.Graph || !Caller.Graph->contains(Site))
        continue;
      const unsigned Mode = modeBefore(Caller, *Outer, Site);
      if (Mode & Trained) {
        if (!ReportedSites.insert(Site).second)
          continue;
        Check.diag(model::callLoc(Site),
                   "'%0' may still be in training mode when %select{%2|the "
                   "lambda}1 evaluates it, so its dropout and batch-norm "
                   "layers behave as in training")
            << Outer->leaf()->getNameAsString() << Flow.IsLambda << FD;
        Check.diag(Forward.loc(),
                   "evaluation forward pass in %select{%1|the lambda}0",
                   DiagnosticIDs::Note)
            << Flow.IsLambda << FD;
        noteLayers(P, Layers);
        if (const Expr *Train = lastTrain(Caller, *Outer, Site))
          Check.diag(model::callLoc(Train), "'%0' is put in training mode here",
                     DiagnosticIDs::Note)
              << Outer->leaf()->getNameAsString();
      } else if (Mode & FromEntry) {
        reportCallers(Caller, *Outer, Forward, Layers, Depth + 1);
      }
    }
  }

  MissingEvalModeCheck &Check;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
  const SourceManager &SM;
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyFlow>> Flows;
  llvm::DenseSet<const Expr *> Reported;
  llvm::DenseSet<const CallExpr *> ReportedSites;
};

MissingEvalModeCheck::~MissingEvalModeCheck() = default;

void MissingEvalModeCheck::onStartOfTranslationUnit() { clear(); }

void MissingEvalModeCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
  Bodies.clear();
  CallSites.clear();
  LocalTrains.clear();
  LocalSetsEval.clear();
}

void MissingEvalModeCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void MissingEvalModeCheck::check(const MatchFinder::MatchResult &Result) {
  ASTContext &Context = *Result.Context;
  Parents.attach(Context);
  const SourceManager &SM = Context.getSourceManager();
  model::buildCallGraph(
      Summaries, Parents,
      [&](const CallExpr *Call, llvm::ArrayRef<const FunctionDecl *> Owners) {
        if (model::asForward(Call)) {
          const scope::EnclosingBody Where =
              scope::enclosingBody(Call, Parents);
          if (Where.Body)
            Bodies.insert({Where.Body, Where});
        }
        const bool Sink = model::isGradientSink(Call);
        const bool Eval = static_cast<bool>(model::asEvalMode(Call, Context));
        for (const FunctionDecl *Owner : Owners) {
          if (Sink)
            LocalTrains.insert(model::summaryKey(Owner));
          if (Eval)
            LocalSetsEval.insert(model::summaryKey(Owner));
        }
        if (const FunctionDecl *Callee = Call->getDirectCallee();
            Callee && !ast::isInSystemHeader(Callee, SM))
          CallSites[model::summaryKey(Callee)].push_back(Call);
      });
  Summaries.compute([this](const FunctionDecl *FD) {
    model::FunctionSummary Local;
    Local.Trains = LocalTrains.contains(FD);
    Local.SetsEvalMode = LocalSetsEval.contains(FD);
    return Local;
  });
  Analysis(*this).run();
  clear();
}

} // namespace clang::tidy::torch
