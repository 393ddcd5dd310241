// SPDX-License-Identifier: Apache-2.0
// The base class of every torch- check.
#ifndef TORCH_TIDY_CHECKS_TORCHCHECK_H
#define TORCH_TIDY_CHECKS_TORCHCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include <optional>

namespace clang::tidy::torch {

/// What every torch- check shares: it runs on C++ only, matches the AST as
/// written (`TK_AsIs`: the model walks implicit nodes itself), and keeps
/// going after a fatal error.
///
/// Real training code is often linted on a machine that lacks one of its
/// dependencies (OpenCV, a JSON library, a generated header). Clang treats a
/// missing `#include` as a fatal error: it stops emitting diagnostics, so
/// clang-tidy reports the error and nothing else, even though the training
/// loop after it parsed well. Like libclang's keep-going mode, a torch- check
/// makes fatal errors ordinary errors for the unit it runs on: the error is
/// still reported (and the unit still fails), and the findings in the code
/// that parsed are reported too. See docs/design.md, "Units that do not
/// compile".
class TorchCheck : public ClangTidyCheck {
public:
  TorchCheck(StringRef Name, ClangTidyContext *Context)
      : ClangTidyCheck(Name, Context) {}
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_AsIs;
  }
  void registerPPCallbacks(const SourceManager &SM, Preprocessor *PP,
                           Preprocessor *ModuleExpanderPP) override;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_TORCHCHECK_H
