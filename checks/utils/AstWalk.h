// SPDX-License-Identifier: Apache-2.0
// Walking up from a statement: parents, loops, enclosing statements and
// function bodies, over an index of the user's code only.
#ifndef TORCH_TIDY_CHECKS_UTILS_ASTWALK_H
#define TORCH_TIDY_CHECKS_UTILS_ASTWALK_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <map>
#include <utility>

namespace clang::tidy::torch::ast {

/// True when `D` is written in a system header (for a declaration that a
/// macro produces, where the macro is expanded).
bool isInSystemHeader(const Decl *D, const SourceManager &SM);

/// A RecursiveASTVisitor over the user's code, for a check to find the nodes
/// it diagnoses: the declarations of the traversal scope that are not in
/// system headers, implicit code included, template instantiations left out.
/// It visits what matchers with `unless(isExpansionInSystemHeader())` and
/// `unless(isInTemplateInstantiation())` would accept.
///
/// The checks register one `translationUnitDecl()` matcher and walk the
/// user's code with this visitor instead of registering matchers for calls
/// and expressions: clang-tidy 19 runs a registered matcher on every node of
/// its kind in the translation unit, and `<torch/torch.h>` holds millions of
/// them (see docs/performance.md).
template <typename Derived>
class UserCodeVisitor : public RecursiveASTVisitor<Derived> {
public:
  bool shouldVisitImplicitCode() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && isInSystemHeader(D, *SM))
      return true;
    return RecursiveASTVisitor<Derived>::TraverseDecl(D);
  }

  /// Visits the user's code of the translation unit of `Context`.
  void traverseUserCode(ASTContext &Context) {
    SM = &Context.getSourceManager();
    for (Decl *D : Context.getTraversalScope())
      static_cast<Derived *>(this)->TraverseDecl(D);
  }

private:
  UserCodeVisitor() = default;
  friend Derived;

  const SourceManager *SM = nullptr;
};

/// The parents of the nodes of the user's code: what `ASTContext::getParents`
/// answers in `TK_AsIs` mode, for the declarations of the traversal scope that
/// are not in system headers (template instantiations included).
///
/// `ASTContext::getParents` (and every `hasAncestor`, `hasParent`,
/// `forFunction` or `isInTemplateInstantiation` matcher) indexes the whole
/// translation unit on first use; with `<torch/torch.h>` that is about 6 s of
/// CPU and 500 MB, more than the checks themselves. The checks only ask about
/// the code they diagnose, so each keeps this index of the user's code
/// instead (see docs/performance.md). A node outside it has no parents.
class ParentIndex {
public:
  /// Indexes the translation unit of `Context` unless it is indexed already.
  void attach(ASTContext &Context);
  /// Forgets the index: the next translation unit reuses the addresses.
  void reset();
  /// The context last attached.
  ASTContext &context() const { return *Context; }

  DynTypedNodeList of(const DynTypedNode &Node) const;
  template <typename T> DynTypedNodeList of(const T &Node) const {
    return of(DynTypedNode::create(Node));
  }

private:
  class Builder;
  using Parents = llvm::SmallVector<DynTypedNode, 1>;
  ASTContext *Context = nullptr;
  /// Declarations, statements and attributes.
  llvm::DenseMap<const void *, Parents> PointerParents;
  /// Type and nested-name-specifier locations.
  std::map<DynTypedNode, Parents> OtherParents;
};

/// `for`, `while`, `do` or range-based `for`.
bool isLoop(const Stmt *S);
/// The body of a statement for which `isLoop` holds.
const Stmt *loopBody(const Stmt *Loop);
/// The statement around `S`, through the declarations of variables (an
/// initializer's parent is its `DeclStmt`); null at a function body.
const Stmt *parentStmt(const Stmt *S, const ParentIndex &Parents);
/// The loops around `S`, innermost first, up to `Body`.
llvm::SmallVector<const Stmt *, 4>
enclosingLoops(const Stmt *S, const Stmt *Body, const ParentIndex &Parents);
/// True when a loop encloses `S`, also from outside the lambda or local class
/// `S` is in (what `hasAncestor(loop)` matches).
bool hasEnclosingLoop(const Stmt *S, const ParentIndex &Parents);
/// True when `S` is `Ancestor` or inside it.
bool isWithin(const Stmt *S, const Stmt *Ancestor, const ParentIndex &Parents);
/// The function or lambda (its call operator) whose body directly contains
/// `S`, with that body; nulls when there is none.
std::pair<const Decl *, Stmt *> enclosingBody(const Stmt *S,
                                              const ParentIndex &Parents);

} // namespace clang::tidy::torch::ast

#endif // TORCH_TIDY_CHECKS_UTILS_ASTWALK_H
