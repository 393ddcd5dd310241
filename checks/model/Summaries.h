// SPDX-License-Identifier: Apache-2.0
// Function summaries: facts about the user's functions that hold through the
// functions they call, computed in strongly-connected-component order.
#ifndef TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H
#define TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::torch::model {

/// What a function does to training, through everything it calls. Plain
/// data, so that summaries can be stored per translation unit and merged.
struct FunctionSummary {
  /// Calls `backward()` or `torch::autograd::grad`, itself (lambdas in its
  /// body included) or through a function it calls.
  bool Trains = false;
  /// Clears gradients (`zero_grad()` on an optimizer or a module, by name in
  /// templates; `p.grad().zero_()` or a reset of `p.mutable_grad()`; a call
  /// to a function the check is told clears), itself (lambdas in its body
  /// included) or through a function it calls.
  bool ClearsGradients = false;

  /// Merges the facts of a callee into a caller's.
  void absorb(const FunctionSummary &Callee) {
    Trains |= Callee.Trains;
    ClearsGradients |= Callee.ClearsGradients;
  }
  friend bool operator==(const FunctionSummary &A, const FunctionSummary &B) {
    return A.Trains == B.Trains && A.ClearsGradients == B.ClearsGradients;
  }
};

/// The call graph of the user's functions and their summaries.
///
/// Clang's `CallGraph` leaves out templates, and real trainers are class
/// templates, so the graph is built from the calls the checks see in the
/// user's code: functions are keyed by their canonical declaration, a
/// template instantiation by its pattern. Summaries are computed over the
/// strongly connected components of that graph, callees first (Tarjan's
/// algorithm), iterating each component to a fixed point: the result does
/// not depend on the order of the functions in the file, recursion ends, and
/// there is no depth cut-off.
class CallGraphSummaries {
public:
  using LocalFacts = llvm::function_ref<FunctionSummary(const FunctionDecl *)>;

  /// The node of `FD` in the graph: its canonical declaration, the pattern's
  /// for a template instantiation.
  static const FunctionDecl *keyOf(const FunctionDecl *FD);
  /// Records that `Caller` calls `Callee`.
  void addCall(const FunctionDecl *Caller, const FunctionDecl *Callee);
  /// Records a function, called or not.
  void addFunction(const FunctionDecl *FD);
  /// Computes every summary from the facts of each body alone; `Local` is
  /// asked about each node (see `keyOf`).
  void compute(LocalFacts Local);
  /// The summary of `FD`; empty for a function never recorded.
  FunctionSummary of(const FunctionDecl *FD) const;
  void clear();

private:
  llvm::MapVector<const FunctionDecl *,
                  llvm::SmallVector<const FunctionDecl *, 4>>
      Callees;
  llvm::DenseMap<const FunctionDecl *, FunctionSummary> Summaries;
};

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H
