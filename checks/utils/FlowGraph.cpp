// SPDX-License-Identifier: Apache-2.0
// Statement-level reachability over Clang's CFG of one function or lambda body.

#include "FlowGraph.h"
#include "llvm/ADT/SmallVector.h"
#include <vector>

namespace clang::tidy::torch::flow {

std::unique_ptr<FlowGraph> FlowGraph::build(const Decl *D, Stmt *Body,
                                            ASTContext &Context) {
  // Clang's CFG builder expects a valid declaration: one that did not
  // compile (a body left half-formed by a missing header) can crash it.
  if (!Body || (D && D->isInvalidDecl()))
    return nullptr;
  CFG::BuildOptions Options;
  Options.AddImplicitDtors = true;
  Options.AddTemporaryDtors = true;
  Options.AddScopes = false;
  std::unique_ptr<CFG> Graph = CFG::buildCFG(D, Body, &Context, Options);
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
