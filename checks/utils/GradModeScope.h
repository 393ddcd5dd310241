// SPDX-License-Identifier: Apache-2.0
// The grad-mode guard variables whose scopes enclose a statement.
#ifndef TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H
#define TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H

#include "AstWalk.h"
#include "TorchApi.h"
#include "clang/AST/ASTContext.h"
#include <optional>

namespace clang::tidy::torch::scope {

/// A grad-mode guard declared before a statement in a scope enclosing it.
struct ScopedGuard {
  /// The statement that declares the guard: a `DeclStmt`, or the expression
  /// statement of a discarded temporary.
  const Stmt *Declaration = nullptr;
  /// The guard variable; null for a temporary.
  const VarDecl *Var = nullptr;
  api::GradModeEffect Effect = api::GradModeEffect::None;
};

/// The guard that decides the grad mode at `S` by its scope alone: the one
/// declared last before `S` in the innermost compound statement (or `if`,
/// `switch`, `for` initializer) that encloses `S` and declares one. The walk
/// stops at the enclosing function or lambda body. With `CountTemporaries`,
/// a discarded temporary (`torch::NoGradGuard();`) counts as if it were named.
std::optional<ScopedGuard> innermostGuard(const Stmt *S,
                                          const ast::ParentIndex &Parents,
                                          bool CountTemporaries = false);

/// True when autograd records a graph at `S` as far as its enclosing scopes
/// say: no grad-mode guard's scope decides the mode there, or the innermost
/// one enables it again (`torch::AutoGradMode on(true);` inside a
/// `NoGradGuard` scope). A guard whose argument is not a constant counts as
/// disabling. A caller's guard is not seen.
bool recordsGraph(const Stmt *S, const ast::ParentIndex &Parents);

/// When `S` is an expression statement that only constructs a temporary
/// grad-mode guard (`torch::NoGradGuard();`, `torch::InferenceMode{};`,
/// `torch::AutoGradMode(false);`), the temporary's expression as written
/// (a `CXXTemporaryObjectExpr` or `CXXFunctionalCastExpr`); else null.
const Expr *asDiscardedGuard(const Stmt *S);

/// True when `S` sits where a statement goes: in a compound statement or as
/// the body of a loop, branch or label.
bool isInStatementPosition(const Stmt *S, const ast::ParentIndex &Parents);

/// The function or lambda whose body directly contains a statement.
struct EnclosingBody {
  /// The function, or the lambda's call operator; null when there is none.
  const FunctionDecl *Function = nullptr;
  Stmt *Body = nullptr;
  /// The lambda, for a lambda body.
  const LambdaExpr *Lambda = nullptr;
};
EnclosingBody enclosingBody(const Stmt *S, const ast::ParentIndex &Parents);

} // namespace clang::tidy::torch::scope

#endif // TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H
