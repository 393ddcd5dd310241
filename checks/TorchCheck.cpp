// SPDX-License-Identifier: Apache-2.0
#include "TorchCheck.h"
#include "clang/Lex/Preprocessor.h"

namespace clang::tidy::torch {

void TorchCheck::registerPPCallbacks(const SourceManager & /*SM*/,
                                     Preprocessor *PP,
                                     Preprocessor * /*ModuleExpanderPP*/) {
  // Called before the main file is parsed, once per unit and check; the
  // setting is the unit's, so setting it again is harmless.
  PP->getDiagnostics().setFatalsAsError(true);
}

} // namespace clang::tidy::torch
