// SPDX-License-Identifier: Apache-2.0
// The grad-mode guard variables whose scopes enclose a statement.
#ifndef TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H
#define TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H

#include "AstWalk.h"
#include "FlowGraph.h"
#include "TorchApi.h"
#include "clang/AST/ASTContext.h"
#include <cstdint>
#include <optional>
#include <vector>

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

/// The grad mode at a statement of one body, as that body alone decides it.
enum class BodyGradMode : std::uint8_t {
  /// Disabled on every path to the statement: a disabling guard's scope
  /// encloses it, or `GradMode::set_enabled(false)` comes before it on every
  /// path, with nothing that enables again in between.
  Disabled,
  /// The caller's mode on some path, disabled on the others: no guard
  /// encloses the statement and no `set_enabled(true)` (or of a value that
  /// is not a constant) comes before it.
  FromCaller,
  /// Enabled on some path, or not known.
  MayBeEnabled,
};

struct GradModeAt {
  BodyGradMode Mode = BodyGradMode::MayBeEnabled;
  /// For `Disabled`: what disables it, the declaration of the guard or a
  /// `set_enabled(false)` call (the last one on some path).
  const Stmt *DisabledBy = nullptr;
};

/// Answers "is grad mode disabled at statement S on every path?" for the
/// statements of one function or lambda body.
///
/// The innermost guard whose scope encloses S (`innermostGuard`, named
/// guards only: a discarded temporary lasts one statement) sets the mode at
/// its declaration, and a guard restores the mode it found when its scope
/// ends; in between, `GradMode::set_enabled(...)` calls change it. So the
/// calls that count for S are the ones under the same innermost guard (or,
/// without one, under none): a `set_enabled` inside a guard scope that
/// closed before S is undone, one before the guard is overridden by it. On
/// each CFG path from the guard's declaration (or from the entry) to S, the
/// last such call decides, else the guard (or the caller). Flow-sensitive,
/// not path-sensitive: every edge of the CFG is assumed feasible. A guard
/// or `set_enabled` whose argument is not a constant may enable; calls of
/// functions that set the mode themselves are not followed.
class GradModeFlow {
public:
  GradModeFlow(const flow::FlowGraph &Graph, const ast::ParentIndex &Parents);

  /// The mode at `S`, an element of the graph or an expression inside one.
  GradModeAt at(const Stmt *S) const;

private:
  struct Toggle {
    const Stmt *Call;
    api::GradModeEffect Effect;
    /// The declaration of the innermost guard around the call; null for
    /// none.
    const Stmt *Guard;
  };
  const flow::FlowGraph &Graph;
  const ast::ParentIndex &Parents;
  std::vector<Toggle> Toggles;
};

} // namespace clang::tidy::torch::scope

#endif // TORCH_TIDY_CHECKS_UTILS_GRADMODESCOPE_H
