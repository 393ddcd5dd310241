// SPDX-License-Identifier: Apache-2.0
// Runs clang-tidy on one translation unit and keeps what runClangTidy drops:
// the findings NOLINT suppressed, and where each finding sits in the code.
#ifndef TORCH_LINT_ANALYSIS_H
#define TORCH_LINT_ANALYSIS_H

#include "Preamble.h"
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
  PreambleUse Preamble = PreambleUse::None;
};

/// Whether every check these options enable is one of torch-tidy's (or a
/// test-only fault check): they find their nodes among the top-level
/// declarations outside system headers and read no #include directive, so
/// their unit may be traversed only there and parsed on a stored preamble.
/// Another clang-tidy check may look anywhere, or read the preamble's
/// directives, which a PCH hides from it.
bool torchChecksOnly(const ClangTidyOptions &Options);

/// runClangTidy for one file, with the consumer that records the above. With
/// `TorchChecksOnly` (torchChecksOnly() of the file's options),
/// clang-tidy's traversal is limited to the top-level declarations outside
/// system headers, where the torch- checks look, and with `Preambles` too
/// the unit is parsed on its stored preamble (see PreambleStore).
UnitAnalysis
analyzeUnit(ClangTidyContext &Context,
            const tooling::CompilationDatabase &Compilations,
            llvm::StringRef File,
            llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> FS,
            PreambleStore *Preambles = nullptr, bool TorchChecksOnly = false);

/// The text without whitespace, except one space between two identifier
/// characters: reindenting or reflowing a statement keeps its identity.
std::string collapseWhitespace(llvm::StringRef Text);

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_ANALYSIS_H
