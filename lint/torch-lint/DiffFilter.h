// SPDX-License-Identifier: Apache-2.0
// Changed-lines-only reporting: ranges from `git diff -U0 REV` or clang-tidy's
// --line-filter JSON.
#ifndef TORCH_LINT_DIFFFILTER_H
#define TORCH_LINT_DIFFFILTER_H

#include "Finding.h"
#include "llvm/Support/Error.h"
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::torch::lint {

class LineFilter {
public:
  /// Lines added or changed since Rev in the git work tree holding the
  /// working directory, plus every line of untracked files.
  static llvm::Expected<LineFilter> fromGitDiff(llvm::StringRef Rev);
  /// clang-tidy's format:
  /// [{"name":"file.cpp","lines":[[1,3],[5,7]]},{"name":"a.h"}].
  static llvm::Expected<LineFilter> fromJson(llvm::StringRef Json);

  bool accepts(const Finding &F) const;

private:
  struct FileLines {
    std::string Name; // absolute for git; a path suffix for --line-filter
    bool AllLines = false;
    std::vector<std::pair<unsigned, unsigned>> Ranges;
  };
  bool Suffix = false;
  std::vector<FileLines> Files;
};

} // namespace clang::tidy::torch::lint

#endif // TORCH_LINT_DIFFFILTER_H
