// SPDX-License-Identifier: Apache-2.0
// Fix-its that add statements before or after a statement.

#include "FixIts.h"
#include "clang/Lex/Lexer.h"

namespace clang::tidy::torch::fixit {

namespace {

/// The location just after the `;` that ends `S`; invalid when there is
/// none or it comes from a macro.
SourceLocation afterSemicolon(const Stmt *S, const SourceManager &SM,
                              const LangOptions &LangOpts) {
  if (!S || S->getBeginLoc().isMacroID() || S->getEndLoc().isMacroID())
    return {};
  const SourceLocation After =
      Lexer::findLocationAfterToken(S->getEndLoc(), tok::semi, SM, LangOpts,
                                    /*SkipTrailingWhitespaceAndNewLine=*/false);
  return After.isMacroID() ? SourceLocation() : After;
}

std::string joined(llvm::ArrayRef<std::string> Statements,
                   llvm::StringRef Separator) {
  std::string Text;
  for (const std::string &Statement : Statements) {
    if (!Text.empty())
      Text += Separator;
    Text += Statement;
  }
  return Text;
}

} // namespace

std::optional<FixItHint> insertBefore(SourceLocation At,
                                      llvm::ArrayRef<std::string> Statements,
                                      const SourceManager &SM) {
  if (At.isInvalid() || At.isMacroID() || Statements.empty())
    return std::nullopt;
  const llvm::StringRef Indent = Lexer::getIndentationForLine(At, SM);
  const bool OwnLine = Indent.size() + 1 == SM.getSpellingColumnNumber(At);
  if (!OwnLine)
    return FixItHint::CreateInsertion(At, joined(Statements, " ") + " ");
  const std::string NewLine = ("\n" + Indent).str();
  return FixItHint::CreateInsertion(At, joined(Statements, NewLine) + NewLine);
}

std::optional<FixItHint> insertAfter(const Stmt *S,
                                     llvm::ArrayRef<std::string> Statements,
                                     const SourceManager &SM,
                                     const LangOptions &LangOpts) {
  const SourceLocation Semi = afterSemicolon(S, SM, LangOpts);
  if (Semi.isInvalid() || Statements.empty())
    return std::nullopt;
  const llvm::StringRef Line =
      llvm::StringRef(SM.getCharacterData(Semi)).split('\n').first;
  const llvm::StringRef Rest = Line.trim();
  if (!Rest.empty() && !Rest.starts_with("//"))
    return FixItHint::CreateInsertion(Semi, " " + joined(Statements, " "));
  const std::string NewLine =
      ("\n" + Lexer::getIndentationForLine(S->getBeginLoc(), SM)).str();
  return FixItHint::CreateInsertion(
      Semi.getLocWithOffset(static_cast<int>(Line.rtrim("\r").size())),
      NewLine + joined(Statements, NewLine));
}

llvm::SmallVector<FixItHint, 2>
wrapAndInsertAfter(const Stmt *S, llvm::ArrayRef<std::string> Statements,
                   const SourceManager &SM, const LangOptions &LangOpts) {
  const SourceLocation Semi = afterSemicolon(S, SM, LangOpts);
  if (Semi.isInvalid() || Statements.empty())
    return {};
  return {
      FixItHint::CreateInsertion(S->getBeginLoc(), "{ "),
      FixItHint::CreateInsertion(Semi, " " + joined(Statements, " ") + " }")};
}

std::optional<FixItHint>
insertCallAtTop(const CompoundStmt *Block, const Expr *Receiver,
                bool ThroughPointer, llvm::StringRef Method,
                const SourceManager &SM, const LangOptions &LangOpts) {
  if (!Block || Block->body_empty() || !Receiver)
    return std::nullopt;
  const SourceLocation At = Block->body_front()->getBeginLoc();
  if (At.isMacroID())
    return std::nullopt;
  const StringRef Name = Lexer::getSourceText(
      CharSourceRange::getTokenRange(Receiver->getSourceRange()), SM, LangOpts);
  if (Name.empty())
    return std::nullopt;
  return insertBefore(
      At, {(Name + (ThroughPointer ? "->" : ".") + Method + "();").str()}, SM);
}

} // namespace clang::tidy::torch::fixit
