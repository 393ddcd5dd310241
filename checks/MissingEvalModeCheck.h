// SPDX-License-Identifier: Apache-2.0
// torch-missing-eval-mode: an evaluation forward pass of a module with dropout or batch norm that may still be in training mode.
#ifndef TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H
#define TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"

namespace clang::tidy::torch {

/// Finds an evaluation forward pass of a module with dropout or batch norm that may still be in training mode.
///
/// The check runs once per translation unit on the shared model of training
/// code (docs/design.md, "The training model"): it summarises the user's
/// functions over their call graph (`model::CallGraphSummaries`), then
/// analyses each body that runs `backward()` in a loop on its CFG
/// (`flow::FlowGraph`), asking the model which statements are training
/// events (`model/Events.h`) and where values flow (`model::ValueFlow`). This
/// file holds what the check looks for and how it reports; a question another
/// check could ask belongs in `checks/model/`.
///
/// For the user-facing documentation see docs/checks/missing-eval-mode.md.
class MissingEvalModeCheck : public ClangTidyCheck {
public:
  MissingEvalModeCheck(StringRef Name, ClangTidyContext *Context)
      : ClangTidyCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_AsIs;
  }
  void onStartOfTranslationUnit() override;

private:
  void analyzeBody(const Decl *D, Stmt *Body);
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_MISSINGEVALMODECHECK_H
