// SPDX-License-Identifier: Apache-2.0
// Statement-level reachability over Clang's CFG of one function or lambda body.
#ifndef TORCH_TIDY_CHECKS_UTILS_FLOWGRAPH_H
#define TORCH_TIDY_CHECKS_UTILS_FLOWGRAPH_H

#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <memory>

namespace clang::tidy::torch::flow {

/// The CFG of one body with every statement mapped to its position.
///
/// Queries are flow-sensitive, not path-sensitive: every edge of the CFG is
/// assumed feasible, whatever the branch conditions say. Statements inside
/// lambdas and local classes belong to their own bodies, not to this one.
class FlowGraph {
public:
  using StmtPredicate = llvm::function_ref<bool(const Stmt *)>;
  using BlockPredicate = llvm::function_ref<bool(const CFGBlock *)>;

  /// Builds the graph of `Body` (the body of `D`); null when Clang cannot.
  static std::unique_ptr<FlowGraph> build(const Decl *D, Stmt *Body,
                                          ASTContext &Context);

  /// True when `S` is an element of the graph.
  bool contains(const Stmt *S) const { return Positions.count(S) != 0; }

  /// The first statement satisfying `IsTarget` on some path that starts right
  /// after `From` and meets no statement satisfying `IsBlocker` before it and
  /// enters no block satisfying `IsBlockedBlock`. `From` itself can be the
  /// target when a loop leads back to it. Null when there is none.
  const Stmt *findReachable(const Stmt *From, StmtPredicate IsTarget,
                            StmtPredicate IsBlocker,
                            BlockPredicate IsBlockedBlock = nullptr) const;

  /// True when `To` is reached from `From` as `findReachable` defines it.
  bool reaches(const Stmt *From, const Stmt *To, StmtPredicate IsBlocker,
               BlockPredicate IsBlockedBlock = nullptr) const;

  /// True when some path from the entry of the body reaches `To` without
  /// meeting a statement satisfying `IsBlocker` before it.
  bool reachedFromEntry(const Stmt *To, StmtPredicate IsBlocker) const;

  /// True when some path that starts right after `From` leaves the body
  /// (reaches the exit block) without meeting a statement satisfying
  /// `IsBlocker`.
  bool reachesExit(const Stmt *From, StmtPredicate IsBlocker) const;

  /// Calls `Visit` for every statement element of the graph, in block order.
  void forEachStmt(llvm::function_ref<void(const Stmt *)> Visit) const;

  const CFG &cfg() const { return *Graph; }

private:
  struct Position {
    const CFGBlock *Block;
    unsigned Index;
  };
  /// The search behind the queries: from element `Start.Index` of
  /// `Start.Block` on. `ReachedExit` (when given) is set when a path gets to
  /// the exit block.
  const Stmt *search(Position Start, StmtPredicate IsTarget,
                     StmtPredicate IsBlocker, BlockPredicate IsBlockedBlock,
                     bool *ReachedExit) const;
  std::unique_ptr<CFG> Graph;
  llvm::DenseMap<const Stmt *, Position> Positions;
};

} // namespace clang::tidy::torch::flow

#endif // TORCH_TIDY_CHECKS_UTILS_FLOWGRAPH_H
