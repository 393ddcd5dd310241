// SPDX-License-Identifier: Apache-2.0
// Module modes: which layers of a module behave differently in training and
// in evaluation mode, and where they are declared.
#ifndef TORCH_TIDY_CHECKS_MODEL_MODULEMODE_H
#define TORCH_TIDY_CHECKS_MODEL_MODULEMODE_H

#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include <string>

namespace clang::tidy::torch::model {

/// A LibTorch layer whose output depends on the module's training mode:
/// `Dropout`, `Dropout2d`, `Dropout3d`, `AlphaDropout`,
/// `FeatureAlphaDropout` (random in training mode), `BatchNorm1d/2d/3d`
/// and `InstanceNorm1d/2d/3d` built with `track_running_stats(true)`
/// (normalize with the batch's statistics and update the running ones in
/// training mode).
struct ModeDependentLayer {
  /// The layer's kind: `Dropout`, `BatchNorm2d`, ...
  std::string Kind;
  /// The member, registered name or variable that holds it, when known.
  std::string Holder;
  /// Where it is declared (a field of the layer's type) or constructed.
  SourceLocation Loc;
};

/// The module class that a value, reference, pointer, smart pointer or
/// `ModuleHolder` of type `T` designates (`NetImpl` for `Net` and
/// `std::shared_ptr<NetImpl>`); null for anything else and for a dependent
/// type.
const CXXRecordDecl *moduleClassOf(QualType T);

/// True for `torch::nn::Sequential`, `ModuleList` and `ModuleDict` (their
/// implementations): containers whose layers come from how they are built,
/// not from their class.
bool isModuleContainer(const CXXRecordDecl *Impl);

/// True for `torch::jit::Module`: a TorchScript module keeps the mode it was
/// saved in, and its layers are not visible in the source.
bool isScriptModule(QualType T);

/// The mode-dependent layers that a module of class `Impl` holds, as the
/// translation unit shows them: fields of a mode-dependent type, layers
/// constructed in its constructors and default member initializers
/// (registered with `register_module`, stored in a field, or held by a
/// `Sequential`/`ModuleList` built there, also by `push_back`, or by a
/// function of the user's that builds one), through fields and bases of the
/// user's module classes; `Impl` itself when it is such a layer. In source
/// order; empty for a class template's dependent members.
llvm::SmallVector<ModeDependentLayer, 4>
modeDependentLayersOf(const CXXRecordDecl *Impl);

/// The mode-dependent layers that the module container `Holder` (a local
/// variable or a field) holds: the layers constructed in its initializer,
/// in what is assigned to it and in what is `push_back`'ed into it, in the
/// body of its function (a local) or in the methods of its class (a field),
/// through functions of the user's that build the container.
llvm::SmallVector<ModeDependentLayer, 4>
modeDependentLayersOfContainer(const ValueDecl *Holder);

} // namespace clang::tidy::torch::model

#endif // TORCH_TIDY_CHECKS_MODEL_MODULEMODE_H
