// SPDX-License-Identifier: Apache-2.0
// torch-missing-zero-grad: backward() in a loop whose gradients are never
// cleared.

#include "MissingZeroGradCheck.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "utils/TorchApi.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

using ast::enclosingBody;
using ast::enclosingLoops;
using ast::isLoop;
using ast::isWithin;
using ast::loopBody;
using ast::parentStmt;

using Event = MissingZeroGradCheck::Event;

/// The variable a tensor expression designates, through `.data()`.
const ValueDecl *tensorDecl(const Expr *E) {
  E = E->IgnoreUnlessSpelledInSource();
  while (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    if (!api::asTensorCall(Call, "data"))
      break;
    E = Call->getImplicitObjectArgument()->IgnoreUnlessSpelledInSource();
  }
  return api::getReferencedDecl(E);
}

/// True when `E` contains `X.grad()` or `X.mutable_grad()` with X naming `D`.
bool readsGradOf(const Stmt *E, const ValueDecl *D) {
  if (!E)
    return false;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E);
      Call && api::isGradAccess(Call) &&
      tensorDecl(Call->getImplicitObjectArgument()) == D)
    return true;
  if (isa<LambdaExpr>(E))
    return false;
  return llvm::any_of(E->children(),
                      [D](const Stmt *Child) { return readsGradOf(Child, D); });
}

/// For `p` declared by `for (auto &p : m->parameters())`, the module `m`.
void findParameterModule(const ValueDecl *Param,
                         const ast::ParentIndex &Parents, Event &Update) {
  const auto *VD = dyn_cast_or_null<VarDecl>(Param);
  if (!VD)
    return;
  const DynTypedNodeList Up = Parents.of(*VD);
  const auto *DS = Up.empty() ? nullptr : Up[0].get<DeclStmt>();
  const Stmt *Loop = DS ? parentStmt(DS, Parents) : nullptr;
  const auto *RangeFor = dyn_cast_or_null<CXXForRangeStmt>(Loop);
  if (!RangeFor || RangeFor->getLoopVariable() != VD)
    return;
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(
      RangeFor->getRangeInit()->IgnoreUnlessSpelledInSource());
  if (!Call || !api::asModuleCall(Call, "parameters"))
    return;
  const api::Receiver R = api::getReceiver(Call);
  Update.ModuleReceiver = R.Named;
  Update.ModuleThroughPointer = R.ThroughPointer;
}

/// An in-place update of a parameter from its own gradient:
/// `p.sub_(lr * p.grad())`, `p.data().add_(p.grad(), -lr)`, `p -= lr *
/// p.grad()`.
std::optional<Event> asManualUpdate(const Stmt *S,
                                    const ast::ParentIndex &Parents) {
  const ValueDecl *Target = nullptr;
  llvm::SmallVector<const Expr *, 2> Sources;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S)) {
    if (!api::isInPlaceTensorCall(Call) ||
        api::isGradAccess(Call->getImplicitObjectArgument()))
      return std::nullopt;
    Target = tensorDecl(Call->getImplicitObjectArgument());
    Sources.append(Call->arg_begin(), Call->arg_end());
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if ((Op->getOperator() != OO_MinusEqual &&
         Op->getOperator() != OO_PlusEqual) ||
        Op->getNumArgs() != 2 || !api::isTensorType(Op->getArg(0)->getType()))
      return std::nullopt;
    Target = tensorDecl(Op->getArg(0));
    Sources.push_back(Op->getArg(1));
  }
  if (!Target || llvm::none_of(Sources, [Target](const Expr *Source) {
        return readsGradOf(Source, Target);
      }))
    return std::nullopt;
  Event Update;
  Update.E = cast<Expr>(S);
  Update.Manual = true;
  findParameterModule(Target, Parents, Update);
  return Update;
}

/// `p.grad().zero_()`, `p.mutable_grad().reset()`, `p.mutable_grad() = ...`.
bool isGradClear(const Stmt *S) {
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S))
    return (api::asTensorCall(Call, "zero_") ||
            api::asTensorCall(Call, "reset")) &&
           api::isGradAccess(Call->getImplicitObjectArgument());
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S))
    return Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
           api::isGradAccess(Op->getArg(0));
  return false;
}

/// Loops in `Body` (outside lambdas) that clear gradients by hand, such as
/// `for (auto &P : M->parameters()) P.mutable_grad().zero_();`. Running the
/// loop clears, even on the CFG path that skips its body.
llvm::DenseSet<const Stmt *> findClearingLoops(Stmt *Body) {
  struct Visitor : RecursiveASTVisitor<Visitor> {
    llvm::SmallVector<const Stmt *, 4> Loops;
    llvm::DenseSet<const Stmt *> Found;
    bool TraverseLambdaExpr(LambdaExpr * /*Lambda*/) { return true; }
    bool dataTraverseStmtPre(Stmt *S) {
      if (isLoop(S))
        Loops.push_back(S);
      else if (isGradClear(S))
        Found.insert(Loops.begin(), Loops.end());
      return true;
    }
    bool dataTraverseStmtPost(Stmt *S) {
      if (!Loops.empty() && Loops.back() == S)
        Loops.pop_back();
      return true;
    }
  } V;
  V.TraverseStmt(Body);
  return std::move(V.Found);
}

const FunctionDecl *calleeOf(const Stmt *S) {
  const auto *Call = dyn_cast<CallExpr>(S);
  return Call ? Call->getDirectCallee() : nullptr;
}

/// The optimizer an update helper is given: its first optimizer argument.
const ValueDecl *optimizerArgument(const CallExpr *Call) {
  for (const Expr *Arg : Call->arguments())
    if (api::isOptimizerLike(Arg->getType()))
      return api::getReferencedDecl(Arg);
  return nullptr;
}

/// True when the tokens of `E` can be repeated at the top of `Loop`: they
/// only name declarations made outside it and call nothing.
bool isRepeatableOutside(const Expr *E, const Stmt *Loop,
                         const SourceManager &SM) {
  if (!E || E->getBeginLoc().isMacroID() || E->getEndLoc().isMacroID())
    return false;
  bool Ok = true;
  struct Visitor : RecursiveASTVisitor<Visitor> {
    bool &Ok;
    const Stmt *Loop;
    const SourceManager &SM;
    Visitor(bool &Ok, const Stmt *Loop, const SourceManager &SM)
        : Ok(Ok), Loop(Loop), SM(SM) {}
    bool VisitCallExpr(CallExpr * /*Call*/) { return Ok = false; }
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      const SourceLocation Loc = DRE->getDecl()->getLocation();
      if (!SM.isBeforeInTranslationUnit(Loc, Loop->getBeginLoc()) &&
          SM.isBeforeInTranslationUnit(Loc, Loop->getEndLoc()))
        Ok = false;
      return Ok;
    }
  } V(Ok, Loop, SM);
  V.TraverseStmt(const_cast<Expr *>(E));
  return Ok;
}

} // namespace

MissingZeroGradCheck::MissingZeroGradCheck(StringRef Name,
                                           ClangTidyContext *Context)
    : TorchCheck(Name, Context),
      ClearingFunctionsOption(Options.get("ClearingFunctions", "")),
      UpdateFunctionsOption(Options.get("UpdateFunctions", "")),
      ClearingFunctions(
          utils::options::parseStringList(ClearingFunctionsOption)),
      UpdateFunctions(utils::options::parseStringList(UpdateFunctionsOption)) {
  for (const auto &[Option, List] :
       {std::pair{"ClearingFunctions", &ClearingFunctions},
        std::pair{"UpdateFunctions", &UpdateFunctions}})
    if (std::optional<std::string> Error = List->invalidEntry())
      configurationDiag("invalid regular expression in option '%0': %1")
          << Option << *Error;
}

void MissingZeroGradCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ClearingFunctions", ClearingFunctionsOption);
  Options.store(Opts, "UpdateFunctions", UpdateFunctionsOption);
}

void MissingZeroGradCheck::onStartOfTranslationUnit() {
  Parents.reset();
  Summaries.clear();
  Optimizers.clear();
  StepHelperCandidates.clear();
  CallsOf.clear();
}

void MissingZeroGradCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the check finds its backward() calls in
  // the user's code itself (see ast::UserCodeVisitor).
  Finder->addMatcher(translationUnitDecl(), this);
}

void MissingZeroGradCheck::check(const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  const std::vector<api::FunctionBody> Bodies =
      model::bodiesWithBackwardInLoop(Parents);
  buildSummaries(*Result.Context);
  for (const auto &[D, Body] : Bodies)
    analyzeBody(D, Body);
  checkStepHelpers();
}

void MissingZeroGradCheck::buildSummaries(ASTContext &Context) {
  // The bodies (lambdas in them included) that clear gradients themselves;
  // the summaries carry that through every chain of calls.
  llvm::DenseSet<const FunctionDecl *> Clearing;
  model::buildCallGraph(
      Summaries, Parents,
      [&](const CallExpr *Call, llvm::ArrayRef<const FunctionDecl *> Owners) {
        if (const FunctionDecl *Callee = Call->getDirectCallee())
          CallsOf[model::summaryKey(Callee)].push_back(Call);
        if (!Owners.empty() && model::isBackward(Call) &&
            !ast::hasEnclosingLoop(Call, Parents)) {
          const auto *Method = dyn_cast<CXXMethodDecl>(Owners.front());
          if (!Method || !Method->getParent()->isLambda())
            StepHelperCandidates.insert(model::summaryKey(Owners.front()));
        }
        if (!model::asZeroGrad(Call, &Context) && !isGradClear(Call) &&
            !ClearingFunctions.matches(Call->getDirectCallee()))
          return;
        for (const FunctionDecl *FD : Owners)
          Clearing.insert(model::summaryKey(FD));
      });
  Summaries.compute([&Clearing](const FunctionDecl *FD) {
    model::FunctionSummary Local;
    Local.ClearsGradients = Clearing.contains(FD);
    return Local;
  });
}

namespace {

/// Classifies the CFG elements of one body and answers the check's questions.
class BodyAnalysis {
  /// Whether a path goes from `Update` through `Backward` to an update of the
  /// same parameters without clearing them; with `AvoidLoop`, also without
  /// passing that loop's head.
  bool accumulates(const Event &Update, const Expr *Backward,
                   const Stmt *AvoidLoop) const {
    const auto Blocker = [&](const Stmt *S) { return clears(Update, S); };
    const auto Blocked = [&](const CFGBlock *Block) {
      return inClearingLoop(Block) ||
             (AvoidLoop && Block->getTerminatorStmt() == AvoidLoop);
    };
    const auto IsUpdate = [&](const Stmt *S) { return updatesLike(Update, S); };
    return Graph.reaches(Update.E, Backward, Blocker, Blocked) &&
           Graph.findReachable(Backward, IsUpdate, Blocker, Blocked);
  }

  static bool sameOptimizer(const Event &A, const Event &B) {
    // An unknown optimizer is assumed to be the same one.
    return !A.Optimizer || !B.Optimizer || A.Optimizer == B.Optimizer;
  }

  /// Whether `S` clears the gradients `Update` consumes.
  bool clears(const Event &Update, const Stmt *S) const {
    const Event *Clear = ClearAt.lookup(S);
    if (!Clear)
      return false;
    if (Clear->Module)
      return Update.Manual || clearsOptimizerOf(*Clear, Update);
    return Clear->All || Update.Manual || sameOptimizer(*Clear, Update);
  }

  /// Whether a module's `zero_grad()` clears the parameters of `Update`'s
  /// optimizer: unless both are known and every parameter list of the
  /// optimizer comes from a module disjoint from the one cleared.
  bool clearsOptimizerOf(const Event &Clear, const Event &Update) const {
    if (!Clear.ModulePath)
      return true;
    const std::optional<llvm::ArrayRef<model::ParamSet>> Sets =
        Optimizers.of(Update.Optimizer);
    return !Sets || llvm::any_of(*Sets, [&](const model::ParamSet &Set) {
      return !model::disjoint(Set.Path, *Clear.ModulePath);
    });
  }

  /// Whether `S` updates the same parameters as `Update`.
  bool updatesLike(const Event &Update, const Stmt *S) const {
    const Event *Other = UpdateAt.lookup(S);
    return Other && Other->Manual == Update.Manual &&
           (Update.Manual || sameOptimizer(*Other, Update));
  }

  bool inClearingLoop(const CFGBlock *Block) const {
    return ClearingLoops.contains(Block->getTerminatorStmt());
  }

public:
  BodyAnalysis(const flow::FlowGraph &Graph, Stmt *Body,
               const ast::ParentIndex &Parents,
               const model::OptimizerParameters &Optimizers)
      : Graph(Graph), Body(Body), Parents(Parents), Optimizers(Optimizers),
        SM(Parents.context().getSourceManager()),
        ClearingLoops(findClearingLoops(Body)) {}

  llvm::SmallVector<const Expr *, 4> Backwards;
  llvm::SmallVector<Event, 4> Updates;
  llvm::SmallVector<Event, 4> Clears;

  /// Sorts the events in source order (CFG blocks come in no useful order)
  /// and indexes them.
  void finish() {
    auto Before = [this](const Stmt *A, const Stmt *B) {
      return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
    };
    llvm::sort(Backwards, Before);
    auto EventBefore = [&Before](const Event &A, const Event &B) {
      return Before(A.E, B.E);
    };
    llvm::sort(Updates, EventBefore);
    llvm::sort(Clears, EventBefore);
    for (const Event &Update : Updates)
      UpdateAt[Update.E] = &Update;
    for (const Event &Clear : Clears)
      ClearAt[Clear.E] = &Clear;
  }

  /// The first update whose gradients `Backward` adds to: some path goes from
  /// it through `Backward` to an update of the same parameters, and nothing
  /// on that path clears them.
  const Event *accumulatedUpdate(const Expr *Backward) const {
    for (const Event &Update : Updates)
      if (accumulates(Update, Backward, nullptr))
        return &Update;
    return nullptr;
  }

  /// Inserts `<optimizer>.zero_grad();` at the top of the innermost loop
  /// around `Backward` and `Update`. Offered only when that clearing ends
  /// every accumulating path: two updates in one iteration need a clearing
  /// between them, which is a decision for a human.
  std::optional<FixItHint> fix(const Expr *Backward,
                               const Event &Update) const {
    const auto Loops = enclosingLoops(Backward, Body, Parents);
    const Stmt *const *It = llvm::find_if(
        Loops, [&](const Stmt *L) { return isWithin(Update.E, L, Parents); });
    if (It == Loops.end())
      return std::nullopt;
    const Stmt *Loop = *It;
    const auto *LoopBody = dyn_cast<CompoundStmt>(loopBody(Loop));
    if (!LoopBody || LoopBody->body_empty() ||
        Backward->getBeginLoc().isMacroID() ||
        Update.E->getBeginLoc().isMacroID() ||
        accumulates(Update, Backward, Loop))
      return std::nullopt;

    const Expr *Receiver = Update.ModuleReceiver;
    bool ThroughPointer = Update.ModuleThroughPointer;
    if (!Update.Manual) {
      const auto *Step = dyn_cast<CXXMemberCallExpr>(Update.E);
      if (!Step)
        return std::nullopt;
      const api::Receiver R = api::getReceiver(Step);
      Receiver = R.Named;
      ThroughPointer = R.ThroughPointer;
    }
    if (!isRepeatableOutside(Receiver, Loop, SM))
      return std::nullopt;
    return fixit::insertCallAtTop(LoopBody, Receiver, ThroughPointer,
                                  "zero_grad", SM,
                                  Parents.context().getLangOpts());
  }

  /// A `zero_grad()` of `Update`'s optimizer that every path from a
  /// `backward()` to that `step()` passes, so the step sees zero gradients.
  const Event *clearedBeforeStep(const Event &Update) const {
    if (Update.Manual)
      return nullptr;
    const auto Blocker = [&](const Stmt *S) { return clears(Update, S); };
    const auto NoBlocker = [](const Stmt * /*S*/) { return false; };
    const auto Blocked = [this](const CFGBlock *B) {
      return inClearingLoop(B);
    };
    bool Reached = false;
    for (const Expr *Backward : Backwards) {
      if (Graph.reaches(Backward, Update.E, Blocker, Blocked))
        return nullptr;
      Reached |= Graph.reaches(Backward, Update.E, NoBlocker);
    }
    if (!Reached)
      return nullptr;
    for (const Event &Clear : Clears) {
      if (Clear.All || Clear.Module || !Blocker(Clear.E) ||
          !Graph.reaches(Clear.E, Update.E, NoBlocker))
        continue;
      if (llvm::any_of(Backwards, [&](const Expr *Backward) {
            return Graph.reaches(Backward, Clear.E, NoBlocker);
          }))
        return &Clear;
    }
    return nullptr;
  }

private:
  const flow::FlowGraph &Graph;
  Stmt *Body;
  const ast::ParentIndex &Parents;
  const model::OptimizerParameters &Optimizers;
  const SourceManager &SM;
  const llvm::DenseSet<const Stmt *> ClearingLoops;
  llvm::DenseMap<const Stmt *, const Event *> UpdateAt;
  llvm::DenseMap<const Stmt *, const Event *> ClearAt;
};

} // namespace

namespace {

/// For a training-step helper whose `step()` is made on a parameter or a
/// member (`trainer.step()`, `Opt->step()`): `trainer.zero_grad();` as the
/// first statement of its body, where such a helper clears.
std::optional<FixItHint>
stepHelperFix(const FunctionDecl *Helper,
              const MissingZeroGradCheck::Event &Update,
              const SourceManager &SM) {
  const auto *Step = dyn_cast<CXXMemberCallExpr>(Update.E);
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Helper->getBody());
  if (!Step || Update.Manual || !Body || Body->body_empty() ||
      Step->getBeginLoc().isMacroID())
    return std::nullopt;
  const api::Receiver R = api::getReceiver(Step);
  if (!R.Named || !R.Decl ||
      !(isa<ParmVarDecl>(R.Decl) ||
        (isa<FieldDecl>(R.Decl) && isa<CXXMethodDecl>(Helper))))
    return std::nullopt;
  return fixit::insertCallAtTop(Body, R.Named, R.ThroughPointer, "zero_grad",
                                SM, Helper->getASTContext().getLangOpts());
}

} // namespace

std::optional<Event> MissingZeroGradCheck::classifyUpdate(const Stmt *S) const {
  if (const CXXMemberCallExpr *Step = api::asOptimizerCall(S, "step")) {
    Event Update;
    Update.E = Step;
    Update.Optimizer = api::getReceiver(Step).Decl;
    return Update;
  }
  if (const FunctionDecl *FD = calleeOf(S); FD && UpdateFunctions.matches(FD)) {
    Event Update;
    Update.E = cast<Expr>(S);
    Update.Optimizer = optimizerArgument(cast<CallExpr>(S));
    return Update;
  }
  return asManualUpdate(S, Parents);
}

std::optional<Event> MissingZeroGradCheck::classifyClear(const Stmt *S) {
  Event Clear;
  Clear.E = dyn_cast<Expr>(S);
  if (!Clear.E)
    return std::nullopt;
  if (const CXXMemberCallExpr *Zero = api::asOptimizerCall(S, "zero_grad")) {
    Clear.Optimizer = api::getReceiver(Zero).Decl;
    return Clear;
  }
  if (const CXXMemberCallExpr *Zero = api::asModuleCall(S, "zero_grad")) {
    Clear.Module = true;
    Clear.ModulePath =
        model::pathOf(Zero->getImplicitObjectArgument(), Parents);
    return Clear;
  }
  // By name: on an object of dependent type, or in a call that did not
  // compile (a `RecoveryExpr` on an optimizer whose construction failed).
  if (const model::MethodCall Zero = model::asZeroGrad(S, &Parents.context());
      Zero.ByName) {
    const QualType T = Zero.Object ? Zero.Object->getType() : QualType();
    if (!T.isNull() && !T->isDependentType() && api::isOptimizerLike(T)) {
      Clear.Optimizer = api::getReferencedDecl(Zero.Object);
      if (Clear.Optimizer)
        return Clear;
    }
    if (!T.isNull() && !T->isDependentType() && api::isModuleLike(T)) {
      Clear.Module = true;
      Clear.ModulePath = model::pathOf(Zero.Object, Parents);
      return Clear;
    }
    Clear.All = true;
    return Clear;
  }
  Clear.All = isGradClear(S) || ClearingFunctions.matches(calleeOf(S)) ||
              Summaries.of(calleeOf(S)).ClearsGradients;
  return Clear.All ? std::optional<Event>(Clear) : std::nullopt;
}

void MissingZeroGradCheck::noteConsumer(const Event &Update,
                                        const FunctionDecl *Wrapper) {
  enum : unsigned { Step, ParameterUpdate, UpdateCall };
  unsigned Kind = Wrapper ? UpdateCall : Step;
  if (Update.Manual)
    Kind = ParameterUpdate;
  auto Note = diag(Update.E->getExprLoc(),
                   "the summed gradients are consumed by this "
                   "%select{'step()'|parameter update|call to %1}0",
                   DiagnosticIDs::Note)
              << Kind;
  if (Wrapper)
    Note << Wrapper;
}

void MissingZeroGradCheck::analyzeBody(const Decl *D, Stmt *Body) {
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Parents.context());
  if (!Graph)
    return;
  BodyAnalysis Analysis(*Graph, Body, Parents, Optimizers);
  Graph->forEachStmt([&](const Stmt *S) {
    if (model::isBackward(S))
      Analysis.Backwards.push_back(cast<Expr>(S));
    else if (std::optional<Event> Update = classifyUpdate(S))
      Analysis.Updates.push_back(*Update);
    else if (std::optional<Event> Clear = classifyClear(S))
      Analysis.Clears.push_back(*Clear);
  });
  if (Analysis.Backwards.empty() || Analysis.Updates.empty())
    return;
  if (llvm::any_of(Analysis.Clears, [](const Event &E) { return E.Module; }))
    Optimizers.build(Parents);
  Analysis.finish();

  llvm::DenseSet<const Stmt *> FixedLoops;
  for (const Expr *Backward : Analysis.Backwards) {
    if (enclosingLoops(Backward, Body, Parents).empty())
      continue;
    const Event *Update = Analysis.accumulatedUpdate(Backward);
    if (!Update)
      continue;
    {
      auto Diag = diag(model::callLoc(Backward),
                       "gradients are not cleared before this 'backward()', "
                       "so they accumulate across iterations");
      // Several backward() calls share one fix: the first one carries it.
      if (std::optional<FixItHint> Fix = Analysis.fix(Backward, *Update);
          Fix && FixedLoops.insert(Update->E).second)
        Diag << *Fix;
    }
    const FunctionDecl *Wrapper =
        Update->Manual || isa<CXXMemberCallExpr>(Update->E)
            ? nullptr
            : calleeOf(Update->E);
    noteConsumer(*Update, Wrapper);
  }

  llvm::DenseSet<const Expr *> Reported;
  for (const Event &Update : Analysis.Updates) {
    const Event *Clear = Analysis.clearedBeforeStep(Update);
    if (!Clear || !Reported.insert(Clear->E).second)
      continue;
    diag(model::callLoc(Clear->E), "'zero_grad()' clears the gradients from "
                                   "'backward()' before 'step()' uses them");
    diag(Update.E->getExprLoc(), "'step()' sees zero gradients here",
         DiagnosticIDs::Note);
  }
}

void MissingZeroGradCheck::checkStepHelpers() {
  const SourceManager &SM = Parents.context().getSourceManager();
  llvm::DenseMap<const Stmt *, std::unique_ptr<flow::FlowGraph>> Callers;
  for (const FunctionDecl *Key : StepHelperCandidates) {
    const FunctionDecl *Def = nullptr;
    if (Summaries.of(Key).ClearsGradients || !Key->hasBody(Def) ||
        !Def->getBody())
      continue;
    const std::unique_ptr<flow::FlowGraph> Graph =
        flow::FlowGraph::build(Def, Def->getBody(), Parents.context());
    if (!Graph)
      continue;
    llvm::SmallVector<const Expr *, 2> Backwards;
    llvm::SmallVector<Event, 2> Updates;
    Graph->forEachStmt([&](const Stmt *S) {
      if (model::isBackward(S)) {
        if (!ast::hasEnclosingLoop(S, Parents))
          Backwards.push_back(cast<Expr>(S));
      } else if (std::optional<Event> Update = classifyUpdate(S)) {
        Updates.push_back(*Update);
      }
    });
    // The helper's step: one that a backward() outside loops reaches.
    const Expr *Backward = nullptr;
    const Event *Update = nullptr;
    for (const Expr *B : Backwards)
      for (const Event &U : Updates)
        if (!Backward &&
            Graph->reaches(B, U.E, [](const Stmt *) { return false; })) {
          Backward = B;
          Update = &U;
        }
    if (!Backward)
      continue;
    // A call in a loop of its caller that comes back to itself with no
    // clearing of gradients on the way.
    const CallExpr *Site = nullptr;
    for (const CallExpr *Call : CallsOf.lookup(Key)) {
      if (!ast::hasEnclosingLoop(Call, Parents))
        continue;
      const auto [D, Body] = ast::enclosingBody(Call, Parents);
      if (!Body)
        continue;
      std::unique_ptr<flow::FlowGraph> &Caller = Callers[Body];
      if (!Caller)
        Caller = flow::FlowGraph::build(D, Body, Parents.context());
      if (!Caller || !Caller->contains(Call))
        continue;
      // The caller's optimizer that the helper steps, when it is handed in.
      const ValueDecl *Optimizer = nullptr;
      if (const auto *Param = dyn_cast_or_null<ParmVarDecl>(Update->Optimizer))
        if (Param->getFunctionScopeIndex() < Call->getNumArgs())
          Optimizer = api::getReferencedDecl(
              Call->getArg(Param->getFunctionScopeIndex()));
      const auto Clears = [&](const Stmt *S) {
        if (S == Call)
          return false;
        const std::optional<Event> Clear = classifyClear(S);
        if (!Clear || !Optimizer)
          return Clear.has_value();
        if (Clear->Optimizer)
          return Clear->Optimizer->getCanonicalDecl() ==
                 Optimizer->getCanonicalDecl();
        // A helper that clears and is handed optimizers clears those; one
        // handed none may clear any.
        const auto *Other = dyn_cast<CallExpr>(S);
        if (!Clear->All || !Other)
          return true;
        bool HandedOptimizer = false;
        for (const Expr *Arg : Other->arguments()) {
          if (!api::isOptimizerLike(Arg->getType()))
            continue;
          HandedOptimizer = true;
          const ValueDecl *D = api::getReferencedDecl(Arg);
          if (!D || D->getCanonicalDecl() == Optimizer->getCanonicalDecl())
            return true;
        }
        return !HandedOptimizer;
      };
      if (Caller->reaches(Call, Call, Clears)) {
        Site = Call;
        break;
      }
    }
    if (!Site)
      continue;
    {
      auto Diag = diag(model::callLoc(Backward),
                       "gradients are not cleared before this 'backward()', "
                       "so they accumulate across calls of %0")
                  << Def;
      if (std::optional<FixItHint> Fix = stepHelperFix(Def, *Update, SM))
        Diag << *Fix;
    }
    noteConsumer(*Update, nullptr);
    diag(Site->getExprLoc(),
         "%0 is called in a loop here, with no 'zero_grad()' between the "
         "calls",
         DiagnosticIDs::Note)
        << Def;
  }
}

} // namespace clang::tidy::torch
