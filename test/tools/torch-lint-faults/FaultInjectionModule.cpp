// SPDX-License-Identifier: Apache-2.0
// Test-only check testfault-inject: crashes, hangs, runs out of memory or
// exits when the main file declares a function named for the fault. Linked
// only into torch-lint-faults, a test binary that is never installed.
#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>
#include <vector>

namespace clang::tidy::testfault {
namespace {

void allocateWithoutBound() {
  std::vector<char *> Blocks;
  for (;;)
    Blocks.push_back(new char[64u << 20]);
}

class InjectCheck : public ClangTidyCheck {
public:
  using ClangTidyCheck::ClangTidyCheck;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override {
    Finder->addMatcher(ast_matchers::translationUnitDecl().bind("tu"), this);
  }
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override {
    const auto *TU = Result.Nodes.getNodeAs<TranslationUnitDecl>("tu");
    const SourceManager &SM = *Result.SourceManager;
    for (const Decl *D : TU->decls()) {
      const auto *F = dyn_cast<FunctionDecl>(D);
      if (!F || !F->getIdentifier() || !SM.isInMainFile(F->getLocation()))
        continue;
      StringRef Name = F->getName();
      if (Name == "torch_lint_test_crash")
        std::raise(SIGSEGV);
      else if (Name == "torch_lint_test_hang")
        for (;;)
          std::this_thread::sleep_for(std::chrono::seconds(1));
      else if (Name == "torch_lint_test_oom")
        allocateWithoutBound();
      else if (Name == "torch_lint_test_exit")
        ::_exit(7);
    }
  }
};

class FaultModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<InjectCheck>("testfault-inject");
  }
};

ClangTidyModuleRegistry::Add<FaultModule>
    X("testfault-module", "Test-only fault injection for torch-lint.");

} // namespace
} // namespace clang::tidy::testfault
