// SPDX-License-Identifier: Apache-2.0
// Parameter sets: which parameters an expression designates, and which
// modules' parameters an optimizer holds.
#ifndef TORCH_TIDY_CHECKS_MODEL_PARAMETERSETS_H
#define TORCH_TIDY_CHECKS_MODEL_PARAMETERSETS_H

#include "model/Objects.h"
#include "utils/AstWalk.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>
#include <vector>

namespace clang::tidy::torch::model {

/// Parameters designated by an expression.
struct ParamSet {
  enum KindType : std::uint8_t {
    /// Every parameter of the module `Path` (only its own if not Recursive).
    Module,
    /// The single parameter `Path`, a tensor member of a module.
    Single,
    /// Some parameters of the module `Path`, selected by name or position.
    Subset,
  };
  KindType Kind = Module;
  AccessPath Path;
  bool Recursive = true;

  /// The module that owns a single parameter.
  bool ownedDirectlyBy(const AccessPath &M) const {
    return Kind == Single && M.isPrefixOf(Path) &&
           M.Members.size() + 1 == Path.Members.size();
  }
};

/// The parameters of `Source` that `Other` designates, as a set no larger
/// than either of them; nothing when they are disjoint or the overlap is
/// unknown.
std::optional<ParamSet> overlap(const ParamSet &Source, const ParamSet &Other);
/// True when every parameter of `Inner` is one of `Outer`.
bool covers(const ParamSet &Outer, const ParamSet &Inner);

/// A parameter list handed to an optimizer, and the expression it is in.
struct ParamSource {
  ParamSet Set;
  const Expr *List = nullptr;
};

/// Resolves the expressions of one function body to parameter sets.
///
/// Lists are `M->parameters()`, `M->named_parameters().values()` (by name in
/// templates, where `M` has a dependent type), local
/// `std::vector<torch::Tensor>` variables initialised from a list or filled
/// by `push_back`/`emplace_back` of the elements of lists in range-based for
/// loops and by `V.insert(V.end(), L.begin(), L.end())`, and, in an
/// optimizer's argument, initializer lists and `OptimizerParamGroup`s of
/// them. A list is resolved completely or its resolution says it is not.
class ParamResolver {
public:
  ParamResolver(const Stmt *Body, const ast::ParentIndex &Parents)
      : Body(Body), Parents(Parents), Context(Parents.context()) {}

  /// The parameter sets the vector-valued `E` holds, appended to `Out`;
  /// false when `E` holds something else too, or what it holds is unknown.
  bool listsOf(const Expr *E, llvm::SmallVectorImpl<ParamSet> &Out,
               unsigned Depth = 0) const;
  /// The parameter lists of an optimizer's parameter argument, through
  /// parameter groups and initializer lists; false when some part of it is
  /// unknown.
  bool sourcesOf(const Expr *Argument, llvm::SmallVectorImpl<ParamSource> &Out,
                 unsigned Depth = 0) const;
  /// For `X.named_parameters()` (or a local copy of it), the parameters of
  /// `X`.
  std::optional<ParamSet> namedOf(const Expr *E) const;
  /// The parameters whose flag `Call` (a `requires_grad_` call on `Obj`,
  /// resolved or by name) sets, and the loop that applies it to each of
  /// them.
  std::optional<ParamSet> targetOf(const Expr *Obj, const CallExpr *Call,
                                   const Stmt *&Loop, unsigned Depth = 0) const;

private:
  /// The parameters of `Object` that `Object->parameters(Args)` lists.
  std::optional<ParamSet> moduleList(const Expr *Object,
                                     llvm::ArrayRef<const Expr *> Args) const;
  bool vectorVariable(const VarDecl *VD, llvm::SmallVectorImpl<ParamSet> &Out,
                      unsigned Depth) const;
  bool loopElements(const VarDecl *LoopVar, bool Named, const Stmt *Use,
                    const Stmt *&Loop, llvm::SmallVectorImpl<ParamSet> &Out,
                    unsigned Depth) const;

  const Stmt *Body;
  const ast::ParentIndex &Parents;
  ASTContext &Context;
};

/// The submodules whose parameters `M->parameters()` lists for a module of
/// class `RD`, when they are known: the fields that its one user-written
/// constructor registers (`fc = register_module("fc", ...)` in the body, or
/// `fc(register_module("fc", ...))` in the initializer list), with every
/// `register_module` call of that constructor stored in a field, no
/// `register_parameter` call (the module's own parameters) and no base but
/// `torch::nn::Module` and `Cloneable`. Nothing for anything else, a class
/// template among them.
std::optional<llvm::SmallVector<const FieldDecl *, 4>>
registeredSubmodules(const CXXRecordDecl *RD);

/// The argument of an optimizer construction (or `add_param_group`,
/// `add_parameters`; in a template, the `ParenListExpr` a variable keeps when
/// its arguments are dependent) that holds the parameters.
const Expr *parameterArgument(const Expr *Construction);
/// The optimizer variable or field that a construction initialises or is
/// assigned to (a local, a member in a constructor's initializer list or a
/// default member initializer, an assignment or `reset(new ...)` in any
/// body); for `add_param_group` and `add_parameters`, the receiver. Null
/// when there is none.
const ValueDecl *optimizerDeclOf(const Expr *Construction,
                                 const ast::ParentIndex &Parents);

/// Which modules' parameters each optimizer of a translation unit holds.
///
/// An optimizer is a variable or field; its parameters are the union over
/// every construction assigned to it and every `add_param_group` on it in
/// the user's code. Its set is unknown when some argument is not resolved
/// completely, or when nothing in the translation unit constructs it (a
/// function parameter, a member built in another file).
class OptimizerParameters {
public:
  /// Finds the optimizer constructions of the user's code, once per
  /// translation unit.
  void build(const ast::ParentIndex &Parents);
  /// The constructions and `add_param_group`/`add_parameters` calls, in
  /// the order of the user's code.
  llvm::ArrayRef<const Expr *> constructions() const { return Constructions; }
  /// The parameter sets of the optimizer `D`; nothing when they are unknown.
  std::optional<llvm::ArrayRef<ParamSet>> of(const ValueDecl *D) const;
  void clear();

private:
  struct Entry {
    llvm::SmallVector<ParamSet, 4> Sets;
    bool Complete = true;
  };
  bool Built = false;
  std::vector<const Expr *> Constructions;
  llvm::DenseMap<const ValueDecl *, Entry> Optimizers;
};

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_PARAMETERSETS_H
