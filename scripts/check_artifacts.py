#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Verifies that every registered torch- check has its four artifacts and vice versa.

For a check `torch-foo-bar` registered in checks/TorchTidyModule.cpp:
  checks/FooBarCheck.h, checks/FooBarCheck.cpp, checks/CMakeLists.txt entry,
  test/checkers/foo-bar.cpp, docs/checks/foo-bar.md (listed in docs/checks/README.md),
  test/runtime/foo-bar/ with at least one case, and a CHANGELOG.md line.
With --torch-tidy, the binary must list exactly the registered checks.
The code under checks/ must not index the parents of the whole translation
unit (ASTContext::getParents, ancestor matchers) and each check registers only
translationUnitDecl() matchers (docs/design.md, "Where a check looks"); the
one exception is checks/utils/AstWalk.*, which replaces them. --scan FILE...
applies only that rule, to the given files.
Exits 1 and names every missing piece.
"""
import argparse
import os
import re
import subprocess
import sys


def camel(name):
    return "".join(part.capitalize() for part in name.split("-"))


def registered(root):
    with open(os.path.join(root, "checks", "TorchTidyModule.cpp"), encoding="utf-8") as f:
        text = f.read()
    return re.findall(r'registerCheck<(\w+)>\(\s*"torch-([a-z0-9-]+)"\)', text)


# What indexes the parents of the whole translation unit, LibTorch's headers
# included, and what runs a matcher on every node of a kind.
FORBIDDEN = re.compile(
    r"\b(getParents|hasAncestor|hasParent|forFunction|forCallable|"
    r"isInTemplateInstantiation|isInstantiated)\s*\(")
ADD_MATCHER = re.compile(r"addMatcher\(\s*([A-Za-z_:]+)\s*\(")


def scan(path, display):
    """Returns the rule violations in one source file."""
    problems = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    code = [re.sub(r"//.*", "", line) for line in lines]
    for number, line in enumerate(code, 1):
        m = FORBIDDEN.search(line)
        if m and not os.path.basename(path).startswith("AstWalk."):
            problems.append("%s:%d: %s() indexes the whole translation unit; "
                            "use ast::ParentIndex or ast::UserCodeVisitor"
                            % (display, number, m.group(1)))
    for m in ADD_MATCHER.finditer("\n".join(code)):
        if m.group(1) != "translationUnitDecl":
            number = "\n".join(code)[:m.start(1)].count("\n") + 1
            problems.append("%s:%d: a %s() matcher runs on every such node of the "
                            "translation unit; register translationUnitDecl() and "
                            "walk the user's code with ast::UserCodeVisitor"
                            % (display, number, m.group(1)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--torch-tidy", help="binary whose --list-checks must agree")
    parser.add_argument("--scan", nargs="+", metavar="FILE",
                        help="only check these files for whole-unit parent and matcher use")
    args = parser.parse_args()
    root = args.root
    problems = []
    if args.scan:
        for path in args.scan:
            problems += scan(path, os.path.relpath(path, root))
        for p in problems:
            print("error: " + p)
        print("%d files, %d problems" % (len(args.scan), len(problems)))
        return 1 if problems else 0
    checks = registered(root)
    if not checks:
        problems.append("no registerCheck<...>(\"torch-...\") in checks/TorchTidyModule.cpp")
    names = [name for _, name in checks]
    if names != sorted(names):
        problems.append("checks are not registered in sorted order: %s" % ", ".join(names))

    def read(*parts):
        path = os.path.join(root, *parts)
        return open(path, encoding="utf-8").read() if os.path.exists(path) else ""

    cmake = read("checks", "CMakeLists.txt")
    index = read("docs", "checks", "README.md")
    changelog = read("CHANGELOG.md")
    for cls, name in checks:
        stem = camel(name) + "Check"
        if cls != stem:
            problems.append("torch-%s is registered as %s, expected class %s" % (name, cls, stem))
        for rel in (("checks", stem + ".h"), ("checks", stem + ".cpp"),
                    ("test", "checkers", name + ".cpp"), ("docs", "checks", name + ".md")):
            if not os.path.exists(os.path.join(root, *rel)):
                problems.append("torch-%s: missing %s" % (name, "/".join(rel)))
        if stem + ".cpp" not in cmake:
            problems.append("torch-%s: %s.cpp is not in checks/CMakeLists.txt" % (name, stem))
        runtime = os.path.join(root, "test", "runtime", name)
        cases = [f for f in os.listdir(runtime) if f.endswith(".cpp")] if os.path.isdir(runtime) else []
        if not cases:
            problems.append("torch-%s: no runtime case in test/runtime/%s/" % (name, name))
        if "(%s.md)" % name not in index:
            problems.append("torch-%s: not linked from docs/checks/README.md" % name)
        if "torch-" + name not in changelog:
            problems.append("torch-%s: not mentioned in CHANGELOG.md" % name)

    # The other direction: artifacts without a registration.
    for f in os.listdir(os.path.join(root, "checks")):
        m = re.match(r"(\w+)Check\.cpp$", f)
        # TorchCheck.cpp is the checks' base class, not a check.
        if m and f != "TorchCheck.cpp" and m.group(1) + "Check" not in [c for c, _ in checks]:
            problems.append("checks/%s is not registered" % f)
    for f in os.listdir(os.path.join(root, "docs", "checks")):
        if f.endswith(".md") and f != "README.md" and f[:-3] not in names:
            problems.append("docs/checks/%s documents no registered check" % f)
    for f in os.listdir(os.path.join(root, "test", "checkers")):
        stem = f.split(".")[0]
        if f.endswith(".cpp") and not any(stem == n or stem.startswith(n + "-") for n in names) \
                and not stem.startswith("all-checks"):
            problems.append("test/checkers/%s tests no registered check" % f)

    for base in ("checks", os.path.join("checks", "utils")):
        for f in sorted(os.listdir(os.path.join(root, base))):
            if f.endswith((".h", ".cpp")):
                problems += scan(os.path.join(root, base, f), base + "/" + f)

    if args.torch_tidy:
        out = subprocess.run([args.torch_tidy, "--list-checks", "--checks=-*,torch-*"],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        listed = sorted(re.findall(r"^\s+torch-([a-z0-9-]+)$", out, re.M))
        if listed != sorted(names):
            problems.append("%s lists %s, TorchTidyModule.cpp registers %s"
                            % (args.torch_tidy, listed, sorted(names)))

    for p in problems:
        print("error: " + p)
    print("%d checks, %d problems" % (len(checks), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
