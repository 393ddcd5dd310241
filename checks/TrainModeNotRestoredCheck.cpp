// SPDX-License-Identifier: Apache-2.0
// torch-train-mode-not-restored: a module put in evaluation mode in a
// training loop and not put back in training mode before the next training
// forward pass.

#include "TrainModeNotRestoredCheck.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "model/Objects.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/GradModeScope.h"
#include "utils/TorchApi.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

/// A forward pass whose result reaches `backward()`: the training forward.
struct TrainingForward {
  model::MethodCall Call;
  std::optional<model::AccessPath> Module;
};

/// A switch of the mode of modules: `m->eval()`, `m->train()`, or a call of
/// a function that switches it (`test(net, loader)`).
struct ModeSwitch {
  const Expr *E = nullptr;
  SourceLocation Loc;
  /// The modules switched: the object of `m->eval()`, or the modules handed
  /// to a helper (its arguments, and the object of a method call). Empty
  /// when they are not known.
  llvm::SmallVector<model::AccessPath, 2> Modules;
  /// The helper that switches the mode, for a call.
  const FunctionDecl *Helper = nullptr;
};

/// True when `A` and `B` may name the same module or one holds the other.
bool overlaps(const model::AccessPath &A, const model::AccessPath &B) {
  return A.isPrefixOf(B) || B.isPrefixOf(A);
}

bool switches(const ModeSwitch &Switch, const model::AccessPath &Module) {
  return llvm::any_of(Switch.Modules, [&](const model::AccessPath &P) {
    return overlaps(P, Module);
  });
}

/// True for `opt.step()` on an optimizer, or `step()` by name in a template.
bool isStep(const Stmt *S) {
  if (api::asOptimizerCall(S, "step"))
    return true;
  const model::MethodCall Named = model::memberCallByName(S);
  return Named && Named.Name == "step";
}

/// True when the forward pass is written through a pointer-like object:
/// `m->forward(x)`, `m(x)` on a module holder.
bool isThroughPointer(const model::MethodCall &Call) {
  const Expr *Callee = nullptr;
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call.E))
    Callee = Member->getCallee()->IgnoreParenImpCasts();
  else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call.E))
    return Op->getOperator() == OO_Call;
  else if (const auto *Plain = dyn_cast<CallExpr>(Call.E))
    Callee = Plain->getCallee()->IgnoreParenImpCasts();
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(Callee))
    return Member->isArrow();
  if (const auto *Member =
          dyn_cast_or_null<CXXDependentScopeMemberExpr>(Callee))
    return Member->isArrow();
  return false;
}

/// The object as spelled before `->`: `model` for `model->forward(x)`,
/// where the object is the call of a holder's or smart pointer's
/// `operator->`.
const Expr *spelledObject(const Expr *Object) {
  if (!Object)
    return nullptr;
  const Expr *E = Object->IgnoreImplicit();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
    if (Op->getOperator() == OO_Arrow && Op->getNumArgs() == 1)
      return Op->getArg(0);
  return Object;
}

/// The variables `E` names.
void namedVariables(const Stmt *S, llvm::SmallPtrSetImpl<const Decl *> &Out) {
  if (!S)
    return;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
    Out.insert(Ref->getDecl()->getCanonicalDecl());
  for (const Stmt *Child : S->children())
    namedVariables(Child, Out);
}

/// When `S` sits in an `if` inside `Loop` whose condition names a variable
/// of the loop's own condition (`if (epoch != epochs)` in `for (epoch = 0;
/// epoch < epochs; ...)`), that condition: the branch is skipped only on the
/// last iteration. Null otherwise.
const Stmt *counterCondition(const Stmt *S, const Stmt *Loop,
                             const ast::ParentIndex &Parents) {
  const Expr *LoopCond = nullptr;
  if (const auto *For = dyn_cast<ForStmt>(Loop))
    LoopCond = For->getCond();
  else if (const auto *While = dyn_cast<WhileStmt>(Loop))
    LoopCond = While->getCond();
  else if (const auto *Do = dyn_cast<DoStmt>(Loop))
    LoopCond = Do->getCond();
  if (!LoopCond)
    return nullptr;
  llvm::SmallPtrSet<const Decl *, 4> Counters;
  namedVariables(LoopCond, Counters);
  for (const Stmt *P = ast::parentStmt(S, Parents); P && P != Loop;
       P = ast::parentStmt(P, Parents)) {
    const auto *If = dyn_cast<IfStmt>(P);
    if (!If || !If->getCond())
      continue;
    llvm::SmallPtrSet<const Decl *, 4> Named;
    namedVariables(If->getCond(), Named);
    if (llvm::any_of(Named,
                     [&](const Decl *D) { return Counters.contains(D); }))
      return If->getCond();
  }
  return nullptr;
}

} // namespace

void TrainModeNotRestoredCheck::onStartOfTranslationUnit() { clear(); }

void TrainModeNotRestoredCheck::clear() {
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
  EvalSiteOf.clear();
}

void TrainModeNotRestoredCheck::registerMatchers(MatchFinder *Finder) {
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}

void TrainModeNotRestoredCheck::check(const MatchFinder::MatchResult &Result) {
  Parents.attach(*Result.Context);
  ASTContext &Context = *Result.Context;
  // The bodies that switch a module to evaluation or training mode
  // themselves; the summaries carry that through every chain of calls.
  llvm::DenseSet<const FunctionDecl *> Eval, Train;
  model::buildCallGraph(
      Summaries, Parents,
      [&](const CallExpr *Call, llvm::ArrayRef<const FunctionDecl *> Owners) {
        const bool IsEval = static_cast<bool>(model::asEvalMode(Call, Context));
        const bool IsTrain =
            !IsEval && static_cast<bool>(model::asTrainMode(Call, Context));
        for (const FunctionDecl *FD : Owners) {
          const FunctionDecl *Key = model::summaryKey(FD);
          if (IsEval) {
            Eval.insert(Key);
            EvalSiteOf.try_emplace(Key, Call);
          }
          if (IsTrain)
            Train.insert(Key);
        }
      });
  Summaries.compute([&](const FunctionDecl *FD) {
    model::FunctionSummary Local;
    Local.SetsEvalMode = Eval.contains(FD);
    Local.SetsTrainMode = Train.contains(FD);
    return Local;
  });
  for (const auto &[D, Body] : model::bodiesWithBackwardInLoop(Parents))
    analyzeBody(D, Body);
  clear();
}

void TrainModeNotRestoredCheck::analyzeBody(const Decl *D, Stmt *Body) {
  ASTContext &Context = Parents.context();
  const SourceManager &SM = Context.getSourceManager();
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  const model::ValueFlow Values(*Graph);

  std::vector<TrainingForward> Forwards;
  std::vector<ModeSwitch> Evals, Trains;
  std::vector<const Stmt *> Steps, Backwards;
  Graph->forEachStmt([&](const Stmt *S) {
    if (model::isBackward(S))
      Backwards.push_back(S);
    if (isStep(S))
      Steps.push_back(S);
    if (const model::MethodCall Forward = model::asForward(S)) {
      if (Forward.Object && scope::recordsGraph(S, Parents) &&
          Values.reaches(Forward.E, model::isBackward))
        Forwards.push_back({Forward, model::pathOf(Forward.Object, Parents)});
      return;
    }
    const bool IsEval = static_cast<bool>(model::asEvalMode(S, Context));
    if (IsEval || model::asTrainMode(S, Context)) {
      const model::MethodCall Call = IsEval ? model::asEvalMode(S, Context)
                                            : model::asTrainMode(S, Context);
      ModeSwitch Switch{Call.E, Call.loc(), {}, nullptr};
      if (Call.Object)
        if (std::optional<model::AccessPath> P =
                model::pathOf(Call.Object, Parents))
          Switch.Modules.push_back(*P);
      (IsEval ? Evals : Trains).push_back(std::move(Switch));
      return;
    }
    const auto *Call = dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    for (const FunctionDecl *Callee : model::calleesOf(Call)) {
      const model::FunctionSummary Facts = Summaries.of(Callee);
      if (!Facts.SetsEvalMode && !Facts.SetsTrainMode)
        continue;
      ModeSwitch Switch{Call, Call->getBeginLoc(), {}, Callee};
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
        if (const Expr *Object = Member->getImplicitObjectArgument())
          if (std::optional<model::AccessPath> P =
                  model::pathOf(Object, Parents))
            Switch.Modules.push_back(*P);
      for (const Expr *Arg : Call->arguments())
        if (std::optional<model::AccessPath> P = model::pathOf(Arg, Parents))
          Switch.Modules.push_back(*P);
      // A helper that also puts a module in training mode (it restores the
      // mode, or it trains first) is taken to leave it in training mode.
      if (Facts.SetsTrainMode) {
        Switch.Modules.clear();
        Trains.push_back(std::move(Switch));
      } else {
        Evals.push_back(std::move(Switch));
      }
      break;
    }
  });
  if (Evals.empty() || Forwards.empty())
    return;

  for (const ModeSwitch &Switch : Evals) {
    for (const TrainingForward &Forward : Forwards) {
      if (!Forward.Module || !switches(Switch, *Forward.Module))
        continue;
      // The training loop: the innermost loop around both that also runs
      // `backward()` and `step()`.
      const Stmt *Loop = nullptr;
      for (const Stmt *L : ast::enclosingLoops(Switch.E, Body, Parents)) {
        const auto Within = [&](const Stmt *S) {
          return ast::isWithin(S, L, Parents);
        };
        if (Within(Forward.Call.E) && llvm::any_of(Steps, Within) &&
            llvm::any_of(Backwards, Within)) {
          Loop = L;
          break;
        }
      }
      if (!Loop)
        continue;
      // A switch to training mode of this module, or of modules not known
      // (`setMode(true)` through a helper), ends the path; so does the
      // condition of an `if` on the loop's counter that holds one.
      llvm::SmallPtrSet<const Stmt *, 8> Restoring;
      for (const ModeSwitch &Train : Trains)
        if (Train.Modules.empty() || switches(Train, *Forward.Module)) {
          Restoring.insert(Train.E);
          if (const Stmt *Cond = counterCondition(Train.E, Loop, Parents))
            Restoring.insert(Cond);
        }
      const auto Restores = [&](const Stmt *S) {
        return Restoring.contains(S);
      };
      if (!Graph->reaches(Switch.E, Forward.Call.E, Restores))
        continue;

      const NamedDecl *Module = Forward.Module->leaf();
      const auto *Block = dyn_cast<CompoundStmt>(ast::loopBody(Loop));
      std::optional<FixItHint> Fix = fixit::insertCallAtTop(
          Block, spelledObject(Forward.Call.Object),
          isThroughPointer(Forward.Call), "train", SM, Context.getLangOpts());
      {
        auto Diag =
            Switch.Helper
                ? diag(Switch.Loc,
                       "%0 leaves %1 in evaluation mode, and nothing puts it "
                       "back in training mode before the next training "
                       "forward pass")
                      << Switch.Helper << Module
                : diag(Switch.Loc,
                       "%0 is put in evaluation mode here and not back in "
                       "training mode before the next training forward pass")
                      << Module;
        if (Fix)
          Diag << *Fix;
      }
      if (Switch.Helper)
        if (const auto It = EvalSiteOf.find(model::summaryKey(Switch.Helper));
            It != EvalSiteOf.end())
          diag(model::callLoc(It->second), "evaluation mode is set here",
               DiagnosticIDs::Note);
      diag(Forward.Call.loc(),
           "this forward pass then trains %0 in evaluation mode: dropout is "
           "off and batch norm uses its running statistics",
           DiagnosticIDs::Note)
          << Module;
      break;
    }
  }
}

} // namespace clang::tidy::torch
