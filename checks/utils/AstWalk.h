// SPDX-License-Identifier: Apache-2.0
// Walking up from a statement: loops, enclosing statements and function bodies.
#ifndef TORCH_TIDY_CHECKS_UTILS_ASTWALK_H
#define TORCH_TIDY_CHECKS_UTILS_ASTWALK_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"
#include <utility>

namespace clang::tidy::torch::ast {

/// `for`, `while`, `do` or range-based `for`.
bool isLoop(const Stmt *S);
/// The body of a statement for which `isLoop` holds.
const Stmt *loopBody(const Stmt *Loop);
/// The statement around `S`, through the declarations of variables (an
/// initializer's parent is its `DeclStmt`); null at a function body.
const Stmt *parentStmt(const Stmt *S, ASTContext &Context);
/// The loops around `S`, innermost first, up to `Body`.
llvm::SmallVector<const Stmt *, 4>
enclosingLoops(const Stmt *S, const Stmt *Body, ASTContext &Context);
/// True when `S` is `Ancestor` or inside it.
bool isWithin(const Stmt *S, const Stmt *Ancestor, ASTContext &Context);
/// The function or lambda (its call operator) whose body directly contains
/// `S`, with that body; nulls when there is none.
std::pair<const Decl *, Stmt *> enclosingBody(const Stmt *S,
                                              ASTContext &Context);

} // namespace clang::tidy::torch::ast

#endif // TORCH_TIDY_CHECKS_UTILS_ASTWALK_H
