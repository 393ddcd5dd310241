// SPDX-License-Identifier: Apache-2.0
// Where the values computed in one body flow: reaching definitions over its
// CFG, for "does this forward pass reach backward()".
#ifndef TORCH_TIDY_CHECKS_MODEL_VALUEFLOW_H
#define TORCH_TIDY_CHECKS_MODEL_VALUEFLOW_H

#include "utils/FlowGraph.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <vector>

namespace clang::tidy::torch::model {

/// The definitions of the local variables and fields of one function or
/// lambda body and the ones that reach each statement, so that a question
/// such as "does the value computed by this forward pass reach a
/// `backward()`" follows def-use chains in program order: reassigning
/// `output` in a validation block ends its link to the `loss.backward()` of
/// the training code above it.
///
/// A definition is a variable's initializer, an assignment (`=` kills the
/// earlier definitions, `+=` and friends keep them), `std::tie(a, b) = ...`,
/// a range-`for` variable, and a call of a non-const method on a local
/// container or tensor (`outputs.push_back(y)`, `total.add_(y)`), which
/// keeps the earlier definitions too. Variables are declarations (fields of
/// `this` included); a value stored through a pointer, a reference parameter
/// or an element of something else is not followed beyond the expression
/// that stores it, and neither is a value stored in a variable that cannot
/// hold a graph (a number, a string, a container of them: `l =
/// loss.item<float>()`), nor through a LibTorch operation whose result holds
/// no graph (`detach()`, `data()`, `argmax`, comparisons, the indices of
/// `torch::max`). Flow-sensitive, not path-sensitive.
class ValueFlow {
public:
  using StmtPredicate = llvm::function_ref<bool(const Stmt *)>;

  explicit ValueFlow(const flow::FlowGraph &Graph);

  /// True when a value computed from `Source` (an expression of the body)
  /// reaches a statement that `IsSink` accepts: the sink contains `Source`
  /// or names a variable whose definition that reaches it was computed from
  /// `Source`, transitively. Unlike the other queries, this one follows
  /// values through `detach()` and the like, so that a generator's output
  /// handed to the discriminator as `fake.detach()` still reaches its
  /// `backward()`.
  bool reaches(const Expr *Source, StmtPredicate IsSink) const;

  /// The statements that a value computed from `Source` flows into: every
  /// statement element that mentions a tainted definition, the definitions
  /// themselves included.
  std::vector<const Stmt *> uses(const Expr *Source) const;

  /// The expressions that name a value computed from `Source`: `Source`
  /// itself and every variable reference that a tainted definition reaches.
  std::vector<const Expr *> mentions(const Expr *Source) const;

  /// True when `Part`, an expression inside the statement element `Element`
  /// (an argument of a call, say), holds a value computed from `Source`.
  bool flowsInto(const Expr *Source, const Stmt *Element,
                 const Expr *Part) const;

private:
  struct Definition {
    const Decl *Var;
    /// The statement element that makes the definition.
    const Stmt *At;
    /// What the new value is computed from.
    const Expr *From;
    /// The definition keeps the old value (`+=`, `push_back`).
    bool KeepsOld;
  };
  struct Element {
    const Stmt *S;
    /// Reaching definitions before the element.
    llvm::BitVector In;
    llvm::SmallVector<unsigned, 2> Defines;
  };

  void collectDefinitions(const Stmt *S, unsigned ElementIndex);
  void addDefinition(const Expr *Target, const Stmt *At, const Expr *From,
                     bool KeepsOld, unsigned ElementIndex);
  void solve();
  /// The definitions tainted by `Source`, and the elements that use them.
  /// With `StopAtNoGraph`, a value is not followed through an operation
  /// whose result holds no graph (`detach()`, `argmax`).
  void taint(const Expr *Source, llvm::BitVector &Tainted,
             std::vector<unsigned> *UsingElements, bool StopAtNoGraph) const;
  bool mentionsTainted(const Stmt *S, const llvm::BitVector &Reaching,
                       const llvm::BitVector &Tainted, const Expr *Source,
                       bool StopAtNoGraph) const;

  const flow::FlowGraph &Graph;
  std::vector<Definition> Definitions;
  std::vector<Element> Elements;
  llvm::DenseMap<const Stmt *, unsigned> ElementOf;
  llvm::DenseMap<const Decl *, llvm::BitVector> DefinitionsOf;
};

/// The variable or field that `E` names as a whole (through parentheses,
/// casts, `*` and `->` of smart pointers left out): what an assignment to
/// `E` defines; null when it is not one.
const Decl *definedVariable(const Expr *E);
/// The variable that a store into `E` changes: `definedVariable`, or the
/// variable whose element or field `E` is (`cat[0]`, `batch.data`).
const Decl *storedVariable(const Expr *E);
/// True for `std::tie(...)` or `std::forward_as_tuple(...)` of variables.
bool isTupleBinding(const Expr *E);
/// The variables a tuple binding assigns, nested ties flattened:
/// `a`, `h`, `c` for `std::forward_as_tuple(a, std::tie(h, c))`; empty for
/// anything else.
llvm::SmallVector<const Expr *, 4> tiedParts(const Expr *E);
/// False when a value of type `T` cannot hold an autograd graph: numbers,
/// strings, and pointers to, arrays of and standard containers of them. A
/// value computed from a forward pass's result but of such a type (`l =
/// loss.item<float>()`, `labels.push_back(y.argmax().item<int>())`) carries
/// nothing of its graph.
bool mayHoldGraph(QualType T, unsigned Depth = 0);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_VALUEFLOW_H
