// SPDX-License-Identifier: Apache-2.0
// Objects: the modules and tensors of a training program, named by access
// paths from a variable or `this`.
#ifndef TORCH_TIDY_CHECKS_MODEL_OBJECTS_H
#define TORCH_TIDY_CHECKS_MODEL_OBJECTS_H

#include "utils/AstWalk.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallVector.h"
#include <algorithm>
#include <optional>

namespace clang::tidy::torch::model {

/// A module or tensor reached from a variable (or `this`) through member
/// accesses: `Model->Backbone->Fc->weight` is {Model, [Backbone, Fc, weight]}.
///
/// The root is the canonical declaration of a variable or parameter, or the
/// canonical class of `this`, so that the members of one object agree
/// between the constructor and the methods of its class.
struct AccessPath {
  const Decl *Root = nullptr;
  llvm::SmallVector<const ValueDecl *, 4> Members;

  bool operator==(const AccessPath &Other) const {
    return Root == Other.Root && Members == Other.Members;
  }
  bool isPrefixOf(const AccessPath &Other) const {
    return Root == Other.Root && Members.size() <= Other.Members.size() &&
           std::equal(Members.begin(), Members.end(), Other.Members.begin());
  }
  /// The last member, or the root for an empty path.
  const NamedDecl *leaf() const {
    return Members.empty() ? dyn_cast_or_null<NamedDecl>(Root) : Members.back();
  }
};

/// The object `E` designates, seen through `.`, `->`, `*`, `&`, `.get()`,
/// `.ptr()`, smart pointers, `ModuleHolder` and local variables that alias
/// another object (references, pointers, holders, smart pointers and tensors
/// initialised from an access path); null when `E` names no such object.
std::optional<AccessPath> pathOf(const Expr *E,
                                 const ast::ParentIndex &Parents);

/// True when paths `A` and `B` name objects that are surely different and
/// neither contains the other: the same root with diverging members, or the
/// roots are two parameters or local objects (no reference or pointer) of the
/// same function. Paths rooted in different classes, or in a variable and
/// `this`, may alias and are never disjoint.
bool disjoint(const AccessPath &A, const AccessPath &B);

/// `torch::nn::ModuleHolder<T>` or a class derived from one
/// (`torch::nn::Linear`).
bool isHolderClass(const CXXRecordDecl *RD);
/// A type whose local variables designate the same module or tensor as their
/// initializer: a reference, pointer, module holder, smart pointer or tensor.
bool isAliasType(QualType T);
/// A variable with local storage that is not a parameter.
bool isLocalVariable(const VarDecl *VD);
/// True when `Ref` is the left-hand side of an assignment.
bool isAssignedTo(const Expr *Ref, const ast::ParentIndex &Parents);
/// The parent of `E`, skipping parentheses and implicit casts going up.
const Stmt *parentSkippingImplicit(const Expr *E,
                                   const ast::ParentIndex &Parents);
/// The range-based for loop that declares `VD` as its loop variable.
const CXXForRangeStmt *loopDeclaring(const VarDecl *VD,
                                     const ast::ParentIndex &Parents);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_OBJECTS_H
