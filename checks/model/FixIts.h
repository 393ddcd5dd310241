// SPDX-License-Identifier: Apache-2.0
// Fix-its that add statements: before a statement, after one, or after one
// that must first be wrapped in braces. They are written the way a person
// would: on a line of their own at the statement's indentation, or on the
// same line when the code there shares its line with other code.
#ifndef TORCH_TIDY_CHECKS_MODEL_FIXITS_H
#define TORCH_TIDY_CHECKS_MODEL_FIXITS_H

#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace clang::tidy::torch::fixit {

/// Inserts `Statements` (each complete, with its `;`) before the code that
/// starts at `At`. When `At` is the first token of its line they go on
/// lines of their own above it, at its indentation; otherwise they go on
/// its line, each followed by a space. Nothing when `At` is in a macro.
std::optional<FixItHint> insertBefore(SourceLocation At,
                                      llvm::ArrayRef<std::string> Statements,
                                      const SourceManager &SM);

/// Inserts `Statements` after the statement `S` (after the `;` that ends
/// it). When only whitespace or a comment follows on that line they go on
/// lines of their own below it, at the indentation of `S`'s first line;
/// otherwise on the same line, after a space. Nothing when `S` ends in a
/// macro or no `;` follows it.
std::optional<FixItHint> insertAfter(const Stmt *S,
                                     llvm::ArrayRef<std::string> Statements,
                                     const SourceManager &SM,
                                     const LangOptions &LangOpts);

/// Wraps the single statement `S` (the body of an `if` or loop written
/// without braces) in braces and adds `Statements` after it inside them:
/// `if (c) s;` becomes `if (c) { s; added; }`. Empty when `S` is in a macro
/// or no `;` follows it.
llvm::SmallVector<FixItHint, 2>
wrapAndInsertAfter(const Stmt *S, llvm::ArrayRef<std::string> Statements,
                   const SourceManager &SM, const LangOptions &LangOpts);

/// `<receiver>.<method>();` (or `->` with `ThroughPointer`) as the first
/// statement of `Block`, with the receiver spelled as written
/// (`model->train();`, `opt.zero_grad();`). A block that starts on the line
/// of its `{` gets the call on that line. Nothing when `Block` is empty, or
/// its first statement starts in a macro.
std::optional<FixItHint>
insertCallAtTop(const CompoundStmt *Block, const Expr *Receiver,
                bool ThroughPointer, llvm::StringRef Method,
                const SourceManager &SM, const LangOptions &LangOpts);

} // namespace clang::tidy::torch::fixit

#endif // TORCH_TIDY_CHECKS_MODEL_FIXITS_H
