// SPDX-License-Identifier: Apache-2.0
// Function summaries: facts about the user's functions that hold through the
// functions they call, computed in strongly-connected-component order.
#ifndef TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H
#define TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H

#include "utils/AstWalk.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <vector>

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
  /// Calls `detach()` or `detach_()` on a tensor, itself (lambdas in its body
  /// included) or through a function it calls: a detaching helper
  /// (`repackage(state)`, `model->detachHidden()`).
  bool Detaches = false;
  /// Assigns a field of its object that holds recurrent state a value
  /// computed from neither a module call nor recurrent state
  /// (`hidden = torch::zeros(...)`), itself or through a function it calls:
  /// a method that resets the state (`model->reset_state()`).
  bool ResetsState = false;
  /// Hands a field of its object that holds recurrent state to a module call
  /// and stores the call's output back in it, so that the history of one
  /// call reaches the next (`out = lstm(x, hidden); hidden = get<1>(out);`),
  /// itself or through a function it calls: the method makes its module
  /// stateful. A method that starts from a fresh state, or detaches the
  /// state it stores, does not.
  bool StoresRecurrentState = false;
  /// Puts a module in evaluation mode (`eval()` or `train(false)`, by name
  /// in templates), itself (lambdas in its body included) or through a
  /// function it calls: after a call that hands it a module
  /// (`set_eval(model)`, `validate(model)`), the module is taken to be in
  /// evaluation mode.
  bool SetsEvalMode = false;

  /// Merges the facts of a callee into a caller's.
  void absorb(const FunctionSummary &Callee) {
    Trains |= Callee.Trains;
    ClearsGradients |= Callee.ClearsGradients;
    Detaches |= Callee.Detaches;
    ResetsState |= Callee.ResetsState;
    StoresRecurrentState |= Callee.StoresRecurrentState;
    SetsEvalMode |= Callee.SetsEvalMode;
  }
  friend bool operator==(const FunctionSummary &A, const FunctionSummary &B) {
    return A.Trains == B.Trains && A.ClearsGradients == B.ClearsGradients &&
           A.Detaches == B.Detaches && A.ResetsState == B.ResetsState &&
           A.StoresRecurrentState == B.StoresRecurrentState &&
           A.SetsEvalMode == B.SetsEvalMode;
  }
};

/// The function a summary is kept under: the canonical declaration, a
/// template instantiation's pattern's; null for null.
const FunctionDecl *summaryKey(const FunctionDecl *FD);

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

  /// Records that `Caller` calls `Callee`.
  void addCall(const FunctionDecl *Caller, const FunctionDecl *Callee);
  /// Records a function, called or not.
  void addFunction(const FunctionDecl *FD);
  /// Computes every summary from the facts of each body alone; `Local` is
  /// asked about each node (see `summaryKey`).
  void compute(LocalFacts Local);
  /// The functions recorded, by their keys (`summaryKey`), in the order
  /// they were first recorded.
  std::vector<const FunctionDecl *> functions() const;
  /// The summary of `FD`; empty for a function never recorded.
  FunctionSummary of(const FunctionDecl *FD) const;
  void clear();

private:
  llvm::MapVector<const FunctionDecl *,
                  llvm::SmallVector<const FunctionDecl *, 4>>
      Callees;
  llvm::DenseMap<const FunctionDecl *, FunctionSummary> Summaries;
};

/// Records in `Graph` every function of the user's code of the attached
/// translation unit (as `ast::UserCodeVisitor` walks it) that has a body,
/// every lambda (by its call operator) and every call from one to a
/// function not declared in a system header. A call in a lambda's body is a
/// call of the lambda and of each function around it, as its effects are
/// when the lambda runs there. `Visit` is called for every call expression
/// (a `CallExpr`, resolved or not) with the functions it counts for,
/// innermost first, so that the caller can collect the facts of each body.
void buildCallGraph(CallGraphSummaries &Graph, const ast::ParentIndex &Parents,
                    llvm::function_ref<void(
                        const CallExpr *, llvm::ArrayRef<const FunctionDecl *>)>
                        Visit);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_SUMMARIES_H
