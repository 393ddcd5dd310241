#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scaffolds a new torch- check: code, registration, lit test, doc page, runtime dir, release note.

    scripts/add_check.py frozen-param-in-optimizer "parameters frozen with requires_grad_(false) still handed to an optimizer"

Writes checks/<Camel>Check.{h,cpp}, registers the check (sorted) in
checks/TorchTidyModule.cpp and checks/CMakeLists.txt, and writes
test/checkers/<name>.cpp, docs/checks/<name>.md, test/runtime/<name>/, a line in
docs/checks/README.md and one in CHANGELOG.md. Refuses to overwrite anything.
scripts/check_artifacts.py (run by ctest) verifies the result stays complete.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = """// SPDX-License-Identifier: Apache-2.0
// torch-{name}: {summary}.
#ifndef TORCH_TIDY_CHECKS_{guard}_H
#define TORCH_TIDY_CHECKS_{guard}_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"

namespace clang::tidy::torch {{

/// Finds {summary}.
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
/// For the user-facing documentation see docs/checks/{name}.md.
class {cls} : public TorchCheck {{
public:
  {cls}(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {{}}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

private:
  void analyzeBody(const Decl *D, Stmt *Body);
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
}};

}} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_{guard}_H
"""

SOURCE = """// SPDX-License-Identifier: Apache-2.0
// torch-{name}: {summary}.

#include "{cls}.h"
#include "model/Events.h"
#include "model/FixIts.h"
#include "model/ValueFlow.h"
#include "utils/FlowGraph.h"
#include "utils/TorchApi.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::torch {{

void {cls}::onStartOfTranslationUnit() {{ clear(); }}

void {cls}::clear() {{
  // The containers hold AST pointers, which the next translation unit reuses.
  Parents.reset();
  Summaries.clear();
}}

void {cls}::registerMatchers(MatchFinder *Finder) {{
  // One match per translation unit: the model finds the user's bodies itself
  // (ast::UserCodeVisitor); a matcher on every call or expression of
  // <torch/torch.h> costs more than the check (docs/design.md).
  Finder->addMatcher(translationUnitDecl(), this);
}}

void {cls}::check(const MatchFinder::MatchResult &Result) {{
  Parents.attach(*Result.Context);
  // The facts each body has of its own; the summaries carry them through
  // every chain of calls, whatever the order of the functions in the file.
  model::buildCallGraph(
      Summaries, Parents,
      [](const CallExpr * /*Call*/,
         llvm::ArrayRef<const FunctionDecl *> /*Owners*/) {{}});
  Summaries.compute(
      [](const FunctionDecl * /*FD*/) {{ return model::FunctionSummary(); }});
  for (const auto &[D, Body] : model::bodiesWithBackwardInLoop(Parents))
    analyzeBody(D, Body);
  clear();
}}

void {cls}::analyzeBody(const Decl *D, Stmt *Body) {{
  ASTContext &Context = Parents.context();
  const std::unique_ptr<flow::FlowGraph> Graph =
      flow::FlowGraph::build(D, Body, Context);
  if (!Graph)
    return;
  const model::ValueFlow Values(*Graph);
  Graph->forEachStmt([&](const Stmt *S) {{
    // What the check looks for, asked of the model: `model::asForward(S)`,
    // `model::isBackward(S)`, `model::asZeroGrad(S)`, `Values.reaches(...)`.
    // Report where the bug is, with a fix from `fixit::` when it is safe:
    //   diag(S->getBeginLoc(), "...") << *fixit::insertBefore(...);
    (void)S;
  }});
}}

}} // namespace clang::tidy::torch
"""

TEST = """// RUN: %check_torch_tidy %s torch-{name} %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-{name} %t -- -- %mock_torch2

#include <torch/torch.h>

// ---- Positives ---------------------------------------------------------------

// ---- Negatives: the correct idioms -----------------------------------------
"""

DOC = """# torch-{name}

{Summary}.

## Why it matters in training

## Example

```cpp
// buggy
```

```cpp
// fixed
```

## Fix-it

Fix safety: **safe** — say why it only removes the bug; a fix that can change behaviour goes on a
note and is **unsafe**.

## Limitations

## Silencing

Add `// NOLINT(torch-{name})` on the line of the warning, or
`// NOLINTNEXTLINE(torch-{name})` on the line before it.

## Options

This check has no options.
"""


def camel(name):
    return "".join(part.capitalize() for part in name.split("-"))


def write_new(path, text):
    if os.path.exists(path):
        sys.exit("add_check.py: %s already exists" % os.path.relpath(path, ROOT))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote " + os.path.relpath(path, ROOT))


def insert_sorted(path, pattern, new_line, key):
    """Inserts new_line among the consecutive lines matching pattern, sorted by key."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    if not hits:
        sys.exit("add_check.py: no line matching %r in %s" % (pattern, path))
    at = hits[-1] + 1
    for i in hits:
        if key(lines[i]) > key(new_line):
            at = i
            break
    lines.insert(at, new_line)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("updated " + os.path.relpath(path, ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="check name without the torch- prefix, e.g. foo-bar")
    parser.add_argument("summary", help="one sentence, lowercase, no final period")
    args = parser.parse_args()
    name = args.name[len("torch-"):] if args.name.startswith("torch-") else args.name
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name):
        sys.exit("add_check.py: check names are lowercase words joined by '-': %r" % name)
    summary = args.summary.rstrip(".")
    cls = camel(name) + "Check"
    fields = dict(name=name, summary=summary, Summary=summary[:1].upper() + summary[1:],
                  cls=cls, guard=cls.upper())

    write_new(os.path.join(ROOT, "checks", cls + ".h"), HEADER.format(**fields))
    write_new(os.path.join(ROOT, "checks", cls + ".cpp"), SOURCE.format(**fields))
    write_new(os.path.join(ROOT, "test", "checkers", name + ".cpp"), TEST.format(**fields))
    write_new(os.path.join(ROOT, "docs", "checks", name + ".md"), DOC.format(**fields))
    os.makedirs(os.path.join(ROOT, "test", "runtime", name), exist_ok=True)

    module = os.path.join(ROOT, "checks", "TorchTidyModule.cpp")
    insert_sorted(module, r'^#include "\w+Check\.h"$', '#include "%s.h"' % cls, str)
    # Registrations may be wrapped by clang-format: sort on the class name, which
    # is always on the registerCheck< line and orders like the check name.
    insert_sorted(module, r'registerCheck<',
                  '    Factories.registerCheck<%s>("torch-%s");' % (cls, name),
                  lambda line: re.search(r'registerCheck<(\w+)>', line).group(1))
    insert_sorted(os.path.join(ROOT, "checks", "CMakeLists.txt"), r'^  \w+Check\.cpp$',
                  "  %s.cpp" % cls, str)
    insert_sorted(os.path.join(ROOT, "docs", "checks", "README.md"), r'^\| \[torch-',
                  "| [torch-%s](%s.md) | %s |" % (name, name, fields["Summary"]), str)
    insert_sorted(os.path.join(ROOT, "CHANGELOG.md"), r'^- New check `torch-',
                  "- New check `torch-%s`: %s." % (name, summary), str)
    if shutil.which("clang-format-19"):
        subprocess.run(["clang-format-19", "-i", module], check=False)
    print("next: write the matchers, the lit test, the doc page and test/runtime/%s/ cases" % name)


if __name__ == "__main__":
    main()
