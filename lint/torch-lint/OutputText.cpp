// SPDX-License-Identifier: Apache-2.0
// Human output with fmt: clang-style diagnostics with source, caret and fix,
// then a summary.
#include "Output.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <fmt/color.h>
#include <fmt/format.h>

namespace clang::tidy::torch::lint {
namespace {

class Painter {
public:
  explicit Painter(bool Enabled) : Enabled(Enabled) {}
  std::string operator()(fmt::text_style Style, llvm::StringRef Text) const {
    std::string_view View(Text.data(), Text.size());
    return Enabled ? fmt::format(Style, "{}", View) : std::string(View);
  }

private:
  bool Enabled;
};

std::string location(const Position &P) {
  if (P.File.empty())
    return "torch-lint";
  return fmt::format("{}:{}:{}", displayPath(P.File), P.Line, P.Column);
}

// The source line and a caret under the column, as clang 19 prints them.
void printSnippet(fmt::memory_buffer &Out, const Position &P,
                  llvm::StringRef Line, const Painter &Paint) {
  if (P.File.empty() || P.Line == 0)
    return;
  std::string Number = std::to_string(P.Line);
  std::string Gutter(std::max<size_t>(5, Number.size() + 1), ' ');
  fmt::format_to(std::back_inserter(Out), "{:>{}} | {}\n", Number,
                 Gutter.size(), std::string_view(Line.data(), Line.size()));
  std::string Pad;
  for (size_t I = 0; I + 1 < P.Column && I < Line.size(); ++I)
    Pad += Line[I] == '\t' ? '\t' : ' ';
  fmt::format_to(
      std::back_inserter(Out), "{} | {}{}\n", Gutter, Pad,
      Paint(fmt::fg(fmt::terminal_color::bright_green) | fmt::emphasis::bold,
            "^"));
}

std::string quoted(llvm::StringRef Text) {
  std::string Out;
  for (char C : Text)
    Out += C == '\n' ? std::string("\\n") : std::string(1, C);
  return "'" + Out + "'";
}
} // namespace

std::string displayPath(llvm::StringRef File) {
  llvm::SmallString<256> Cwd;
  if (!llvm::sys::fs::current_path(Cwd) && File.starts_with(Cwd) &&
      File.size() > Cwd.size() &&
      llvm::sys::path::is_separator(File[Cwd.size()]))
    return File.drop_front(Cwd.size() + 1).str();
  return File.str();
}

void printText(llvm::raw_ostream &OS, const std::vector<Finding> &Findings,
               bool Color) {
  Painter Paint(Color);
  fmt::memory_buffer Out;
  auto Bold = fmt::emphasis::bold;
  for (const Finding &F : Findings) {
    std::string Level =
        F.IsError
            ? Paint(fmt::fg(fmt::terminal_color::bright_red) | Bold, "error:")
            : Paint(fmt::fg(fmt::terminal_color::bright_magenta) | Bold,
                    "warning:");
    fmt::format_to(std::back_inserter(Out), "{} {} {} [{}]\n",
                   Paint(Bold, location(F.Where) + ":"), Level,
                   Paint(Bold, F.Message),
                   F.Check + (F.WarningAsError ? ",-warnings-as-errors" : ""));
    printSnippet(Out, F.Where, F.LineText, Paint);
    for (const Edit &E : F.Fix) {
      std::string Action;
      if (E.Length == 0)
        Action = "insert " + quoted(E.Text);
      else if (E.Text.empty())
        Action = "remove " + std::to_string(E.Length) + " characters";
      else
        Action = "replace " + std::to_string(E.Length) + " characters with " +
                 quoted(E.Text);
      fmt::format_to(
          std::back_inserter(Out), "{} {} {}\n",
          Paint(Bold, location(E.Begin) + ":"),
          Paint(fmt::fg(fmt::terminal_color::bright_green) | Bold,
                F.Safety == FixSafety::Unsafe ? "fix-it (unsafe):" : "fix-it:"),
          Action);
    }
    for (const Note &N : F.Notes) {
      fmt::format_to(
          std::back_inserter(Out), "{} {} {}\n",
          Paint(Bold, location(N.Where) + ":"),
          Paint(fmt::fg(fmt::terminal_color::bright_black) | Bold, "note:"),
          N.Message);
      printSnippet(Out, N.Where, N.LineText, Paint);
    }
  }
  OS << llvm::StringRef(Out.data(), Out.size());
}

void printSummary(llvm::raw_ostream &OS, const Summary &S, bool Color) {
  Painter Paint(Color);
  fmt::memory_buffer Out;
  auto Add = [&](auto &&...Args) {
    fmt::format_to(std::back_inserter(Out),
                   std::forward<decltype(Args)>(Args)...);
  };
  Add("\n{}\n", Paint(fmt::emphasis::bold, "torch-lint summary"));
  size_t Width = 27; // "units skipped (no LibTorch)"
  for (const auto &Entry : S.PerCheck)
    Width = std::max(Width, Entry.first.size());
  if (!S.PerCheck.empty()) {
    Add("  {:<{}}  {:>8}\n", "check", Width, "findings");
    for (const auto &[Check, Count] : S.PerCheck)
      Add("  {:<{}}  {:>8}\n", Check, Width, Count);
  }
  Add("  {:<{}}  {:>8}\n", "findings (total)", Width, S.Findings);
  if (S.OutsideChangedLines)
    Add("  {:<{}}  {:>8}\n", "outside changed lines", Width,
        S.OutsideChangedLines);
  if (S.Suppressed)
    Add("  {:<{}}  {:>8}\n", "suppressed (NOLINT)", Width, S.Suppressed);
  if (S.HaveBaseline) {
    Add("  {:<{}}  {:>8}\n", "baselined (not reported)", Width, S.Baselined);
    Add("  {:<{}}  {:>8}\n", "baselined, now gone", Width, S.BaselineGone);
  }
  Add("  {:<{}}  {:>8}\n", "units linted", Width, S.Linted);
  if (S.PreamblesBuilt || S.PreamblesReused) {
    Add("  {:<{}}  {:>8}\n", "  on a preamble built now", Width,
        S.PreamblesBuilt);
    Add("  {:<{}}  {:>8}\n", "  on a stored preamble", Width,
        S.PreamblesReused);
  }
  Add("  {:<{}}  {:>8}\n", "units from cache", Width, S.Cached);
  Add("  {:<{}}  {:>8}\n", "units skipped (no LibTorch)", Width, S.Skipped);
  Add("  {:<{}}  {:>8}\n", "units failed", Width, S.Failed.size());
  Add("  {:<{}}  {:>7.2f}s\n", "time", Width, S.Seconds);
  if (!S.BaselineWritten.empty())
    Add("baseline: wrote {} finding{} to {}\n", S.BaselineWrittenCount,
        S.BaselineWrittenCount == 1 ? "" : "s", S.BaselineWritten);
  for (const auto &[File, Reason] : S.Failed)
    Add("{} {}: {}\n",
        Paint(fmt::fg(fmt::terminal_color::bright_red) | fmt::emphasis::bold,
              "failed:"),
        displayPath(File), Reason);
  OS << llvm::StringRef(Out.data(), Out.size());
}

} // namespace clang::tidy::torch::lint
