// SPDX-License-Identifier: Apache-2.0
// NOLINT comments: where they are, what they name, their justification, and
// the edit that removes one.
#include "Nolint.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Regex.h"

namespace clang::tidy::torch::lint {
namespace {

struct Comment {
  size_t Begin = 0, End = 0; // [Begin, End) in the text, delimiters included
  llvm::StringRef Body;      // without the delimiters
};

/// The comments of a line, outside string and character literals. A block
/// comment is taken up to its end on the same line only: NOLINT directives
/// are line-based.
std::vector<Comment> lineComments(llvm::StringRef Text, size_t LineBegin,
                                  size_t LineEnd) {
  std::vector<Comment> Out;
  char Quote = 0;
  for (size_t I = LineBegin; I < LineEnd; ++I) {
    char C = Text[I];
    if (Quote) {
      if (C == '\\')
        ++I;
      else if (C == Quote)
        Quote = 0;
      continue;
    }
    if (C == '"' || C == '\'') {
      Quote = C;
      continue;
    }
    if (C != '/' || I + 1 >= LineEnd)
      continue;
    if (Text[I + 1] == '/') {
      Out.push_back({I, LineEnd, Text.slice(I + 2, LineEnd)});
      break;
    }
    if (Text[I + 1] == '*') {
      size_t Close = Text.find("*/", I + 2);
      if (Close == llvm::StringRef::npos || Close >= LineEnd)
        break;
      Out.push_back({I, Close + 2, Text.slice(I + 2, Close)});
      I = Close + 1;
    }
  }
  return Out;
}

bool isBlank(llvm::StringRef S) {
  return llvm::all_of(
      S, [](char C) { return C == ' ' || C == '\t' || C == '\r'; });
}

std::optional<NolintDirective> parseDirective(llvm::StringRef Body) {
  llvm::StringRef Rest = Body.ltrim();
  NolintDirective D;
  if (Rest.consume_front("NOLINTNEXTLINE"))
    D.Type = NolintDirective::Kind::NextLine;
  else if (Rest.consume_front("NOLINTBEGIN"))
    D.Type = NolintDirective::Kind::Begin;
  else if (Rest.consume_front("NOLINTEND"))
    D.Type = NolintDirective::Kind::End;
  else if (Rest.consume_front("NOLINT"))
    D.Type = NolintDirective::Kind::Line;
  else
    return std::nullopt;
  if (!Rest.empty() && (llvm::isAlnum(Rest[0]) || Rest[0] == '_'))
    return std::nullopt; // NOLINTFOO is not a directive
  if (Rest.consume_front("(")) {
    size_t Close = Rest.find(')');
    if (Close == llvm::StringRef::npos)
      return std::nullopt; // clang-tidy ignores an unclosed list too
    llvm::SmallVector<llvm::StringRef> Globs;
    Rest.take_front(Close).split(Globs, ',', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef Glob : Globs)
      if (!Glob.trim().empty())
        D.Checks.push_back(Glob.trim().str());
    Rest = Rest.drop_front(Close + 1);
  }
  D.Spelling =
      Body.slice(Body.size() - Body.ltrim().size(), Body.size() - Rest.size())
          .str();
  Rest = Rest.trim();
  if (Rest.consume_front(":"))
    D.Justification = Rest.trim().str();
  return D;
}
} // namespace

bool globMatches(llvm::StringRef Glob, llvm::StringRef Name) {
  std::string Re = "^";
  for (char C : Glob)
    Re += C == '*' ? std::string(".*") : llvm::Regex::escape(std::string(1, C));
  Re += "$";
  return llvm::Regex(Re).match(Name);
}

bool NolintDirective::covers(unsigned DiagLine) const {
  switch (Type) {
  case Kind::Line:
    return DiagLine == Line;
  case Kind::NextLine:
    return DiagLine == Line + 1;
  case Kind::Begin:
    return Partner >= 0 && Line <= DiagLine && DiagLine <= EndLine;
  case Kind::End:
    return false;
  }
  return false;
}

bool NolintDirective::names(llvm::StringRef Check) const {
  if (Checks.empty())
    return true;
  return llvm::any_of(Checks, [&](const std::string &Glob) {
    return globMatches(Glob, Check);
  });
}

bool NolintDirective::namesOnlyTorchChecks() const {
  return !Checks.empty() && llvm::all_of(Checks, [](llvm::StringRef Glob) {
    return Glob.starts_with("torch-");
  });
}

std::vector<NolintDirective> parseNolints(llvm::StringRef Text) {
  std::vector<NolintDirective> Out;
  std::vector<size_t> OpenBlocks;
  unsigned Line = 0;
  for (size_t Begin = 0; Begin <= Text.size();) {
    ++Line;
    size_t End = Text.find('\n', Begin);
    if (End == llvm::StringRef::npos)
      End = Text.size();
    for (const Comment &C : lineComments(Text, Begin, End)) {
      std::optional<NolintDirective> D = parseDirective(C.Body);
      if (!D)
        continue;
      D->Line = Line;
      D->Offset = C.Begin;
      D->Column = C.Begin - Begin + 1;
      bool AloneOnLine = isBlank(Text.slice(Begin, C.Begin)) &&
                         isBlank(Text.slice(C.End, End));
      if (AloneOnLine) {
        D->RemoveOffset = Begin;
        D->RemoveLength = (End < Text.size() ? End + 1 : End) - Begin;
      } else {
        size_t From = C.Begin;
        while (From > Begin &&
               (Text[From - 1] == ' ' || Text[From - 1] == '\t'))
          --From;
        D->RemoveOffset = From;
        D->RemoveLength = C.End - From;
      }
      Out.push_back(std::move(*D));
      NolintDirective &Added = Out.back();
      if (Added.Type == NolintDirective::Kind::Begin) {
        OpenBlocks.push_back(Out.size() - 1);
      } else if (Added.Type == NolintDirective::Kind::End) {
        // An END closes the innermost BEGIN that names the same checks.
        for (auto It = OpenBlocks.rbegin(); It != OpenBlocks.rend(); ++It) {
          NolintDirective &Open = Out[*It];
          if (Open.Checks != Added.Checks)
            continue;
          Open.Partner = static_cast<int>(Out.size() - 1);
          Open.EndLine = Line;
          Added.Partner = static_cast<int>(*It);
          OpenBlocks.erase(std::next(It).base());
          break;
        }
      }
    }
    if (End == Text.size())
      break;
    Begin = End + 1;
  }
  return Out;
}

const NolintDirective *
suppressingDirective(const std::vector<NolintDirective> &Directives,
                     unsigned Line, llvm::StringRef Check) {
  // A line directive wins over a block; of nested blocks, the innermost.
  const NolintDirective *Block = nullptr;
  for (const NolintDirective &D : Directives) {
    if (!D.covers(Line) || !D.names(Check))
      continue;
    if (D.Type != NolintDirective::Kind::Begin)
      return &D;
    Block = &D;
  }
  return Block;
}

} // namespace clang::tidy::torch::lint
