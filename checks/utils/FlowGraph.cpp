// SPDX-License-Identifier: Apache-2.0
// Statement-level reachability over Clang's CFG of one function or lambda body.

#include "FlowGraph.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallVector.h"
#include <vector>

namespace clang::tidy::torch::flow {

namespace {

/// Gives the range-based `for` loops of a template whose range is dependent
/// the parts Clang's CFG builder needs, for as long as the object lives.
///
/// In a template, a loop over a dependent range (`for (auto &B : *Loader)`
/// with `Loader` of a template parameter's type) has no begin and end
/// variables, condition or increment: Clang builds them only when it
/// instantiates the template. The CFG builder gives up on a body holding such
/// a loop, so every check saw nothing of a class-template trainer. While the
/// graph is built, each such loop gets stand-ins: declarations of an unnamed
/// variable of dependent type for begin and end, and a reference to it as
/// condition and increment. The loop then reads as one whose condition is
/// unknown: its body may run any number of times and the code after it is
/// reachable. The destructor puts the loops back as Clang left them; the
/// stand-ins, allocated in the ASTContext, stay in the graph's elements.
class DependentLoopParts {
public:
  DependentLoopParts(const Decl *D, Stmt *Body, ASTContext &Context) {
    collect(Body);
    if (Loops.empty())
      return;
    DeclContext *DC =
        D ? const_cast<DeclContext *>(dyn_cast<DeclContext>(D)) : nullptr;
    if (!DC)
      DC = Context.getTranslationUnitDecl();
    for (CXXForRangeStmt *Loop : Loops) {
      const SourceLocation Loc = Loop->getColonLoc();
      auto *Var =
          VarDecl::Create(Context, DC, Loc, Loc, /*Id=*/nullptr,
                          Context.DependentTy, /*TInfo=*/nullptr, SC_None);
      Var->setImplicit();
      const auto Declare = [&] {
        return new (Context) DeclStmt(DeclGroupRef(Var), Loc, Loc);
      };
      const auto Refer = [&] {
        return DeclRefExpr::Create(Context, NestedNameSpecifierLoc(),
                                   SourceLocation(), Var,
                                   /*RefersToEnclosingVariableOrCapture=*/false,
                                   Loc, Context.DependentTy, VK_LValue);
      };
      Loop->setBeginStmt(Declare());
      Loop->setEndStmt(Declare());
      Loop->setCond(Refer());
      Loop->setInc(Refer());
    }
  }
  ~DependentLoopParts() {
    for (CXXForRangeStmt *Loop : Loops) {
      Loop->setBeginStmt(nullptr);
      Loop->setEndStmt(nullptr);
      Loop->setCond(nullptr);
      Loop->setInc(nullptr);
    }
  }
  DependentLoopParts(const DependentLoopParts &) = delete;
  DependentLoopParts &operator=(const DependentLoopParts &) = delete;

private:
  void collect(Stmt *S) {
    if (!S)
      return;
    if (auto *Loop = dyn_cast<CXXForRangeStmt>(S))
      if (!Loop->getBeginStmt() && !Loop->getEndStmt() && !Loop->getCond() &&
          !Loop->getInc() && Loop->getRangeStmt() && Loop->getBody())
        Loops.push_back(Loop);
    for (Stmt *Child : S->children())
      collect(Child);
  }
  llvm::SmallVector<CXXForRangeStmt *, 4> Loops;
};

} // namespace

std::unique_ptr<FlowGraph> FlowGraph::build(const Decl *D, Stmt *Body,
                                            ASTContext &Context) {
  // A function whose signature names a type from a missing header is
  // invalid, but its body is the user's and is kept (calls that did not
  // resolve are recovery expressions). Members the compiler writes, which
  // are invalid when a member's type is, are not meant for the CFG builder.
  if (!Body)
    return nullptr;
  if (D && D->isInvalidDecl()) {
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (!FD || FD->isImplicit() || FD->isDefaulted() ||
        !isa<CompoundStmt>(Body))
      return nullptr;
  }
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddTemporaryDtors = true;
  Options.AddScopes = false;
  std::unique_ptr<CFG> Graph;
  {
    const DependentLoopParts Parts(D, Body, Context);
    Graph = CFG::buildCFG(D, Body, &Context, Options);
  }
  if (!Graph)
    return nullptr;
  auto Result = std::make_unique<FlowGraph>();
  for (const CFGBlock *Block : *Graph) {
    if (!Block)
      continue;
    unsigned Index = 0;
    for (const CFGElement &Element : *Block) {
      if (auto S = Element.getAs<CFGStmt>())
        Result->Positions.try_emplace(S->getStmt(), Position{Block, Index});
      ++Index;
    }
  }
  Result->Graph = std::move(Graph);
  return Result;
}

const Stmt *FlowGraph::findReachable(const Stmt *From, StmtPredicate IsTarget,
                                     StmtPredicate IsBlocker,
                                     BlockPredicate IsBlockedBlock) const {
  auto It = Positions.find(From);
  if (It == Positions.end())
    return nullptr;
  return search({It->second.Block, It->second.Index + 1}, IsTarget, IsBlocker,
                IsBlockedBlock, nullptr);
}

bool FlowGraph::reachedFromEntry(const Stmt *To,
                                 StmtPredicate IsBlocker) const {
  if (!contains(To))
    return false;
  return search(
             {&Graph->getEntry(), 0}, [To](const Stmt *S) { return S == To; },
             IsBlocker, nullptr, nullptr) != nullptr;
}

bool FlowGraph::reachesExit(const Stmt *From, StmtPredicate IsBlocker) const {
  auto It = Positions.find(From);
  if (It == Positions.end())
    return false;
  bool ReachedExit = false;
  search(
      {It->second.Block, It->second.Index + 1},
      [](const Stmt *) { return false; }, IsBlocker, nullptr, &ReachedExit);
  return ReachedExit;
}

const Stmt *FlowGraph::search(Position Start, StmtPredicate IsTarget,
                              StmtPredicate IsBlocker,
                              BlockPredicate IsBlockedBlock,
                              bool *ReachedExit) const {
  // Scans one block from `First`; returns true when the path goes on.
  const Stmt *Found = nullptr;
  auto Scan = [&](const CFGBlock *Block, unsigned First) {
    for (unsigned I = First, E = Block->size(); I < E; ++I) {
      auto S = (*Block)[I].getAs<CFGStmt>();
      if (!S)
        continue;
      if (IsTarget(S->getStmt())) {
        Found = S->getStmt();
        return false;
      }
      if (IsBlocker(S->getStmt()))
        return false;
    }
    if (ReachedExit && Block == &Graph->getExit())
      *ReachedExit = true;
    return true;
  };

  std::vector<bool> Visited(Graph->getNumBlockIDs(), false);
  llvm::SmallVector<const CFGBlock *, 32> Worklist;
  auto PushSuccessors = [&](const CFGBlock *Block) {
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next || Visited[Next->getBlockID()])
        continue;
      Visited[Next->getBlockID()] = true;
      if (IsBlockedBlock && IsBlockedBlock(Next))
        continue;
      Worklist.push_back(Next);
    }
  };

  if (!Scan(Start.Block, Start.Index))
    return Found;
  PushSuccessors(Start.Block);
  while (!Worklist.empty()) {
    const CFGBlock *Block = Worklist.pop_back_val();
    if (!Scan(Block, 0)) {
      if (Found)
        return Found;
      continue;
    }
    PushSuccessors(Block);
  }
  return nullptr;
}

bool FlowGraph::reaches(const Stmt *From, const Stmt *To,
                        StmtPredicate IsBlocker,
                        BlockPredicate IsBlockedBlock) const {
  return findReachable(
             From, [To](const Stmt *S) { return S == To; }, IsBlocker,
             IsBlockedBlock) != nullptr;
}

void FlowGraph::forEachStmt(
    llvm::function_ref<void(const Stmt *)> Visit) const {
  for (const CFGBlock *Block : *Graph) {
    if (!Block)
      continue;
    for (const CFGElement &Element : *Block)
      if (auto S = Element.getAs<CFGStmt>())
        Visit(S->getStmt());
  }
}

} // namespace clang::tidy::torch::flow
