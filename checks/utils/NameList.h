// SPDX-License-Identifier: Apache-2.0
// A check option listing functions by regular expressions over their names.
#ifndef TORCH_TIDY_CHECKS_UTILS_NAMELIST_H
#define TORCH_TIDY_CHECKS_UTILS_NAMELIST_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Regex.h"
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::torch::api {

/// Regular expressions, each matching a whole function name: an entry that
/// contains `::` is matched against the qualified name (a leading `::` is
/// optional), any other entry against the unqualified name.
class NameList {
public:
  explicit NameList(llvm::ArrayRef<StringRef> Entries) {
    for (StringRef Entry : Entries) {
      const StringRef Pattern =
          Entry.starts_with("::") ? Entry.drop_front(2) : Entry;
      Regexes.emplace_back(Entry.contains("::"),
                           llvm::Regex(("^(" + Pattern + ")$").str()));
    }
  }

  /// The first entry that is not a valid regular expression, if any.
  std::optional<std::string> invalidEntry() const {
    for (const auto &Entry : Regexes)
      if (std::string Error; !Entry.second.isValid(Error))
        return Error;
    return std::nullopt;
  }

  bool matches(const NamedDecl *D) const {
    if (!D || Regexes.empty())
      return false;
    const std::string Qualified = D->getQualifiedNameAsString();
    const std::string Name = D->getNameAsString();
    return llvm::any_of(Regexes, [&](const auto &Entry) {
      return Entry.second.match(Entry.first ? Qualified : Name);
    });
  }

private:
  std::vector<std::pair<bool, llvm::Regex>> Regexes;
};

} // namespace clang::tidy::torch::api

#endif // TORCH_TIDY_CHECKS_UTILS_NAMELIST_H
