// SPDX-License-Identifier: Apache-2.0
// Runs clang-tidy on one translation unit and keeps what runClangTidy drops:
// the findings NOLINT suppressed, and where each finding sits in the code.
#ifndef TORCH_LINT_ANALYSIS_H
#define TORCH_LINT_ANALYSIS_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::torch::lint {

/// What a finding's identity is made of besides its check and file.
struct CodeIdentity {
  std::string Function;  // qualified name of the enclosing function
  std::string Statement; // the flagged statement's text, normalized
};

struct UnitAnalysis {
  std::vector<ClangTidyError> Errors;     // as runClangTidy returns them
  std::vector<ClangTidyError> Suppressed; // warnings a NOLINT silenced
  /// By the (file, offset) of a diagnostic, as its DiagnosticMessage holds it.
  std::map<std::pair<std::string, unsigned>, CodeIdentity> Identities;
};

/// runClangTidy for one file, with the consumer that records the above.
UnitAnalysis
analyzeUnit(ClangTidyContext &Context,
            const tooling::CompilationDatabase &Compilations,
            llvm::StringRef File,
            llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS);

/// The text without whitespace, except one space between two identifier
/// characters: reindenting or reflowing a statement keeps its identity.
std::string collapseWhitespace(llvm::StringRef Text);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_ANALYSIS_H
