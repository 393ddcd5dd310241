// SPDX-License-Identifier: Apache-2.0
// Evaluation: which forward passes and functions evaluate a model rather
// than train it.
#ifndef TORCH_TIDY_CHECKS_MODEL_EVALUATION_H
#define TORCH_TIDY_CHECKS_MODEL_EVALUATION_H

#include "model/ValueFlow.h"
#include "utils/AstWalk.h"
#include "utils/FlowGraph.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <cstdint>

namespace clang::tidy::torch::model {

/// True for a statement that uses a recorded graph: `backward()`,
/// `torch::autograd::grad` (`isGradientSink`), or a lambda that does either.
bool isGradientUse(const Stmt *S);

/// True when a value computed from `Forward` reaches `backward()` or
/// `torch::autograd::grad` in its body, along def-use chains in program
/// order (`ValueFlow::reaches`, through `detach()`).
bool feedsGradients(const Expr *Forward, const ValueFlow &Values);

/// Whether a function of the user's trains (its summary's `Trains`).
using TrainsQuery = llvm::function_ref<bool(const FunctionDecl *)>;

/// True when a value computed from `Forward`, a forward pass in the body of
/// `FD` (null for a lambda's body seen from outside), leaves that body: it is
/// returned (as more than a number), stored outside the body's locals,
/// captured by a lambda or thrown, or, with `CountUnknownCode`, handed to code
/// whose use of it is not known: a function of the user's that trains
/// (`Trains`), one defined in another file (except one that returns a number
/// and whose name does not say it trains), or a call that did not resolve.
/// A forward pass whose result stays in its body and reaches no gradient
/// only evaluates the model.
bool escapes(const Expr *Forward, const ValueFlow &Values,
             const FunctionDecl *FD, TrainsQuery Trains,
             const SourceManager &SM, bool CountUnknownCode = true);

/// True when every use of the value of `Forward` asks for its shape only
/// (`sizes()`, `size()`, `dim()`, `numel()`), directly or through other
/// forward passes, module methods, `std::get` and variables: a shape check,
/// not an evaluation.
bool onlyShapeQueries(const Expr *Forward, const ValueFlow &Values,
                      const ast::ParentIndex &Parents);

/// Why a whole function evaluates.
enum class EvaluationKind : std::uint8_t {
  None,
  /// Its name says it evaluates (`hasInferenceName`), and it does not train.
  Name,
  /// It loads a trained model (`isModelLoad`) and does not train.
  Loaded,
};

struct EvaluationFunction {
  EvaluationKind Kind = EvaluationKind::None;
  /// For `EvaluationKind::Loaded`: the first load of a model, in the order
  /// of the source.
  const Expr *Load = nullptr;
};

/// Whether the function `FD`, whose body is `Graph` and which trains or not
/// (`Trains`: it calls `backward()` itself or through a callee), is an
/// evaluation function: a `test()`, `validate()`, `predict()` or sampling
/// function, or one that loads a trained model and runs it. A lambda is
/// none.
EvaluationFunction evaluationFunction(const FunctionDecl *FD, bool Trains,
                                      const flow::FlowGraph &Graph,
                                      const SourceManager &SM);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_EVALUATION_H
