// SPDX-License-Identifier: Apache-2.0
// torch-missing-zero-grad: backward() in a loop whose gradients are never cleared.

#include "MissingZeroGradCheck.h"
#include "utils/FlowGraph.h"
#include "utils/TorchApi.h"
#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/Regex.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {

namespace {

constexpr llvm::StringLiteral BackwardId = "backward";

/// A parameter update or a clearing of gradients, at one CFG element.
struct Event {
  const Expr *E = nullptr;
  /// The optimizer an update or `zero_grad()` is made on; null when unknown.
  const ValueDecl *Optimizer = nullptr;
  /// Update: an in-place update of parameters from their `.grad()`.
  bool Manual = false;
  /// Clear: clears the gradients of every parameter (module `zero_grad()`,
  /// `p.grad().zero_()`, a clearing helper), whatever the optimizer.
  bool All = false;
  /// Manual update: the module whose `parameters()` the update iterates.
  const Expr *ModuleReceiver = nullptr;
  bool ModuleThroughPointer = false;
};

bool isLoop(const Stmt *S) {
  return isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S);
}

const Stmt *loopBody(const Stmt *Loop) {
  if (const auto *For = dyn_cast<ForStmt>(Loop))
    return For->getBody();
  if (const auto *While = dyn_cast<WhileStmt>(Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast<DoStmt>(Loop))
    return Do->getBody();
  return cast<CXXForRangeStmt>(Loop)->getBody();
}

const Stmt *parentStmt(const Stmt *S, ASTContext &Context) {
  const DynTypedNodeList Parents = Context.getParents(*S);
  return Parents.empty() ? nullptr : Parents[0].get<Stmt>();
}

/// The loops around `S`, innermost first, up to `Body`.
llvm::SmallVector<const Stmt *, 4> enclosingLoops(const Stmt *S,
                                                  const Stmt *Body,
                                                  ASTContext &Context) {
  llvm::SmallVector<const Stmt *, 4> Loops;
  for (const Stmt *P = parentStmt(S, Context); P && P != Body;
       P = parentStmt(P, Context))
    if (isLoop(P))
      Loops.push_back(P);
  return Loops;
}

bool isWithin(const Stmt *S, const Stmt *Ancestor, ASTContext &Context) {
  for (const Stmt *P = S; P; P = parentStmt(P, Context))
    if (P == Ancestor)
      return true;
  return false;
}

/// The function or lambda whose body directly contains `S`.
std::pair<const Decl *, Stmt *> enclosingBody(const Stmt *S,
                                              ASTContext &Context) {
  DynTypedNode Node = DynTypedNode::create(*S);
  for (unsigned Depth = 0; Depth < 256; ++Depth) {
    const DynTypedNodeList Parents = Context.getParents(Node);
    if (Parents.empty())
      return {};
    Node = Parents[0];
    if (const auto *Lambda = Node.get<LambdaExpr>())
      return {Lambda->getCallOperator(), Lambda->getBody()};
    if (const auto *FD = Node.get<FunctionDecl>())
      return {FD, FD->getBody()};
    if (Node.get<Decl>() && !Node.get<VarDecl>() && !Node.get<DeclStmt>())
      return {};
  }
  return {};
}

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
  for (const Stmt *Child : E->children())
    if (readsGradOf(Child, D))
      return true;
  return false;
}

/// For `p` declared by `for (auto &p : m->parameters())`, the module `m`.
void findParameterModule(const ValueDecl *Param, ASTContext &Context,
                         Event &Update) {
  const auto *VD = dyn_cast_or_null<VarDecl>(Param);
  if (!VD)
    return;
  const DynTypedNodeList Parents = Context.getParents(*VD);
  const auto *DS = Parents.empty() ? nullptr : Parents[0].get<DeclStmt>();
  const Stmt *Loop = DS ? parentStmt(DS, Context) : nullptr;
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
/// `p.sub_(lr * p.grad())`, `p.data().add_(p.grad(), -lr)`, `p -= lr * p.grad()`.
std::optional<Event> asManualUpdate(const Stmt *S, ASTContext &Context) {
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
  findParameterModule(Target, Context, Update);
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
    bool TraverseLambdaExpr(LambdaExpr *) { return true; }
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

bool isOptimizerZeroGrad(const Stmt *S) {
  return api::asOptimizerCall(S, "zero_grad") != nullptr;
}

/// Compiled `;`-separated regular expressions over function names; an entry
/// with `::` is matched against the qualified name, others against the name.
class NameList {
public:
  explicit NameList(llvm::ArrayRef<StringRef> Entries) {
    for (StringRef Entry : Entries) {
      std::string Pattern = Entry.starts_with("::") ? Entry.drop_front(2).str()
                                                    : Entry.str();
      Regexes.emplace_back(Entry.contains("::"),
                           llvm::Regex("^(" + Pattern + ")$"));
    }
  }
  bool matches(const FunctionDecl *FD) const {
    if (!FD || Regexes.empty())
      return false;
    const std::string Qualified = FD->getQualifiedNameAsString();
    const std::string Name = FD->getNameAsString();
    return llvm::any_of(Regexes, [&](const auto &Entry) {
      return Entry.second.match(Entry.first ? Qualified : Name);
    });
  }

private:
  std::vector<std::pair<bool, llvm::Regex>> Regexes;
};

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
    bool VisitCallExpr(CallExpr *) { return Ok = false; }
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
    : ClangTidyCheck(Name, Context),
      ClearingFunctions(utils::options::parseStringList(
          Options.get("ClearingFunctions", ""))),
      UpdateFunctions(utils::options::parseStringList(
          Options.get("UpdateFunctions", ""))) {}

void MissingZeroGradCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "ClearingFunctions",
                utils::options::serializeStringList(ClearingFunctions));
  Options.store(Opts, "UpdateFunctions",
                utils::options::serializeStringList(UpdateFunctions));
}

void MissingZeroGradCheck::registerMatchers(MatchFinder *Finder) {
  const auto InLoop = hasAncestor(
      stmt(anyOf(forStmt(), whileStmt(), doStmt(), cxxForRangeStmt())));
  Finder->addMatcher(
      expr(api::backwardCall(), InLoop, unless(isInTemplateInstantiation()))
          .bind(BackwardId),
      this);
}

bool MissingZeroGradCheck::clearsGradients(const FunctionDecl *FD,
                                           unsigned Depth) {
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || Depth > 3)
    return false;
  if (auto It = HelperClears.find(Def); It != HelperClears.end())
    return It->second;
  HelperClears[Def] = false; // Breaks recursion.
  struct Finder : RecursiveASTVisitor<Finder> {
    MissingZeroGradCheck &Check;
    unsigned Depth;
    bool Found = false;
    Finder(MissingZeroGradCheck &Check, unsigned Depth)
        : Check(Check), Depth(Depth) {}
    bool VisitStmt(Stmt *S) {
      Found = api::asOptimizerCall(S, "zero_grad") ||
              api::asModuleCall(S, "zero_grad") || isGradClear(S) ||
              (isa<CallExpr>(S) && Check.clearsGradients(calleeOf(S), Depth));
      return !Found;
    }
  } F(*this, Depth + 1);
  F.TraverseStmt(Def->getBody());
  return HelperClears[Def] = F.Found;
}

void MissingZeroGradCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Backward = Result.Nodes.getNodeAs<Expr>(BackwardId);
  auto [D, Body] = enclosingBody(Backward, *Result.Context);
  if (!Body || !AnalyzedBodies.insert(Body).second)
    return;
  analyzeBody(D, Body, *Result.Context);
}

void MissingZeroGradCheck::analyzeBody(const Decl *D, Stmt *Body,
                                       ASTContext &Context) {
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  const NameList Clearing(ClearingFunctions);
  const NameList Updating(UpdateFunctions);

  llvm::SmallVector<const Expr *, 4> Backwards;
  llvm::SmallVector<Event, 4> Updates;
  llvm::DenseMap<const Stmt *, Event> Clears;
  llvm::SmallVector<const Stmt *, 4> ClearOrder;
  llvm::DenseMap<const Stmt *, unsigned> UpdateIndex;
  Graph->forEachStmt([&](const Stmt *S) {
    if (api::isBackwardCall(S)) {
      Backwards.push_back(cast<Expr>(S));
      return;
    }
    if (const CXXMemberCallExpr *Step = api::asOptimizerCall(S, "step")) {
      Event Update;
      Update.E = Step;
      Update.Optimizer = api::getReceiver(Step).Decl;
      Updates.push_back(Update);
      return;
    }
    if (const FunctionDecl *FD = calleeOf(S); FD && Updating.matches(FD)) {
      Event Update;
      Update.E = cast<Expr>(S);
      Update.Optimizer = optimizerArgument(cast<CallExpr>(S));
      Updates.push_back(Update);
      return;
    }
    if (std::optional<Event> Manual = asManualUpdate(S, Context)) {
      Updates.push_back(*Manual);
      return;
    }
    Event Clear;
    Clear.E = dyn_cast<Expr>(S);
    if (const CXXMemberCallExpr *Zero = api::asOptimizerCall(S, "zero_grad"))
      Clear.Optimizer = api::getReceiver(Zero).Decl;
    else if (api::asModuleCall(S, "zero_grad") || isGradClear(S) ||
             Clearing.matches(calleeOf(S)) ||
             (!api::asOptimizerCall(S, "step") &&
              clearsGradients(calleeOf(S), 0)))
      Clear.All = true;
    else
      return;
    Clears[S] = Clear;
    ClearOrder.push_back(S);
  });
  if (Backwards.empty() || Updates.empty())
    return;
  // CFG blocks come in no useful order: report in source order.
  const SourceManager &SM = Context.getSourceManager();
  auto Before = [&SM](const Stmt *A, const Stmt *B) {
    return SM.isBeforeInTranslationUnit(A->getBeginLoc(), B->getBeginLoc());
  };
  llvm::sort(Backwards, Before);
  llvm::sort(ClearOrder, Before);
  llvm::sort(Updates, [&Before](const Event &A, const Event &B) {
    return Before(A.E, B.E);
  });
  for (unsigned I = 0; I < Updates.size(); ++I)
    UpdateIndex[Updates[I].E] = I;

  // Whether a clearing or another update concerns the same parameters as
  // `Update`. Unknown optimizers are assumed to be the same one.
  auto SameOptimizer = [](const Event &A, const Event &B) {
    return !A.Optimizer || !B.Optimizer || A.Optimizer == B.Optimizer;
  };
  auto ClearsFor = [&](const Event &Update) {
    return [&Clears, &Update, SameOptimizer](const Stmt *S) {
      auto It = Clears.find(S);
      if (It == Clears.end())
        return false;
      return It->second.All || Update.Manual ||
             SameOptimizer(It->second, Update);
    };
  };
  auto UpdatesLike = [&](const Event &Update) {
    return [&UpdateIndex, &Updates, &Update, SameOptimizer](const Stmt *S) {
      auto It = UpdateIndex.find(S);
      if (It == UpdateIndex.end())
        return false;
      const Event &Other = Updates[It->second];
      return Other.Manual == Update.Manual &&
             (Update.Manual || SameOptimizer(Other, Update));
    };
  };

  const llvm::DenseSet<const Stmt *> ClearingLoops = findClearingLoops(Body);
  const auto InClearingLoop = [&ClearingLoops](const CFGBlock *Block) {
    return ClearingLoops.contains(Block->getTerminatorStmt());
  };
  llvm::DenseSet<const Stmt *> FixedLoops;
  for (const Expr *Backward : Backwards) {
    const auto Loops = enclosingLoops(Backward, Body, Context);
    if (Loops.empty())
      continue;
    for (const Event &Update : Updates) {
      const auto Blocker = ClearsFor(Update);
      if (!Graph->reaches(Update.E, Backward, Blocker, InClearingLoop) ||
          !Graph->findReachable(Backward, UpdatesLike(Update), Blocker,
                                InClearingLoop))
        continue;

      {
        auto Diag = diag(Backward->getExprLoc(),
                         "gradients are not cleared before this "
                         "'backward()', so they accumulate across iterations");
        const Stmt *const *Loop = llvm::find_if(Loops, [&](const Stmt *L) {
          return isWithin(Update.E, L, Context);
        });
        // The fix clears at the top of the innermost loop around both calls;
        // it is offered only when that ends every accumulating path (two
        // updates in one iteration need a clearing between them instead).
        const Expr *Receiver = nullptr;
        bool ThroughPointer = false;
        if (Update.Manual) {
          Receiver = Update.ModuleReceiver;
          ThroughPointer = Update.ModuleThroughPointer;
        } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(Update.E)) {
          const api::Receiver R = api::getReceiver(Call);
          Receiver = R.Named;
          ThroughPointer = R.ThroughPointer;
        }
        const auto *LoopBody = dyn_cast_or_null<CompoundStmt>(
            Loop == Loops.end() ? nullptr : loopBody(*Loop));
        if (LoopBody && !LoopBody->body_empty() && Receiver &&
            isRepeatableOutside(Receiver, *Loop, SM) &&
            !Backward->getBeginLoc().isMacroID() &&
            !Update.E->getBeginLoc().isMacroID() &&
            !FixedLoops.contains(*Loop)) {
          const Stmt *First = LoopBody->body_front();
          const SourceLocation At = First->getBeginLoc();
          const auto IsHead = [&, Head = *Loop](const CFGBlock *Block) {
            return Block->getTerminatorStmt() == Head || InClearingLoop(Block);
          };
          const bool PathAvoidsHead =
              Graph->reaches(Update.E, Backward, Blocker, IsHead) &&
              Graph->findReachable(Backward, UpdatesLike(Update), Blocker,
                                   IsHead);
          if (!At.isMacroID() && !PathAvoidsHead) {
            const StringRef Name = Lexer::getSourceText(
                CharSourceRange::getTokenRange(Receiver->getSourceRange()), SM,
                Context.getLangOpts());
            const std::string Indent =
                Lexer::getIndentationForLine(At, SM).str();
            const unsigned Column = SM.getSpellingColumnNumber(At);
            const bool OwnLine = Indent.size() + 1 == Column;
            const std::string Text =
                (Name + (ThroughPointer ? "->" : ".") + "zero_grad();" +
                 (OwnLine ? "\n" + Indent : std::string(" ")))
                    .str();
            Diag << FixItHint::CreateInsertion(At, Text);
            FixedLoops.insert(*Loop);
          }
        }
      }
      const FunctionDecl *Wrapper = Update.Manual || isa<CXXMemberCallExpr>(
                                                         Update.E)
                                        ? nullptr
                                        : calleeOf(Update.E);
      auto Note = diag(Update.E->getExprLoc(),
                       "the summed gradients are consumed by this "
                       "%select{'step()'|parameter update|call to %1}0",
                       DiagnosticIDs::Note)
                  << (Update.Manual ? 1 : Wrapper ? 2 : 0);
      if (Wrapper)
        Note << Wrapper;
      break;
    }
  }

  // `zero_grad()` between `backward()` and `step()` on every path.
  llvm::DenseSet<const Stmt *> Reported;
  for (const Event &Update : Updates) {
    if (Update.Manual)
      continue;
    const auto Blocker = ClearsFor(Update);
    const auto NoBlocker = [](const Stmt *) { return false; };
    bool Reached = false;
    bool ReachedUncleared = false;
    for (const Expr *Backward : Backwards) {
      Reached |= Graph->reaches(Backward, Update.E, NoBlocker);
      ReachedUncleared |=
          Graph->reaches(Backward, Update.E, Blocker, InClearingLoop);
    }
    if (!Reached || ReachedUncleared)
      continue;
    for (const Stmt *S : ClearOrder) {
      if (!isOptimizerZeroGrad(S) || !Blocker(S) || Reported.contains(S) ||
          !Graph->reaches(S, Update.E, NoBlocker) ||
          llvm::none_of(Backwards, [&](const Expr *Backward) {
            return Graph->reaches(Backward, S, NoBlocker);
          }))
        continue;
      Reported.insert(S);
      diag(Clears[S].E->getExprLoc(),
           "'zero_grad()' clears the gradients from 'backward()' before "
           "'step()' uses them");
      diag(Update.E->getExprLoc(), "'step()' sees zero gradients here",
           DiagnosticIDs::Note);
      break;
    }
  }
}

} // namespace clang::tidy::torch
