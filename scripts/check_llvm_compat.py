#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Keeps every difference between LLVM majors in checks/utils/LlvmCompat.h.

torch-tidy builds against LLVM 19 and 16 from one source (docs/build.md). Outside
the shim header, no C++ file under checks/, lint/ or test/tools/ may test
LLVM_VERSION_* or CLANG_VERSION_*, nor call an API that one of the majors lacks
without going through the shim (the list below: each entry names its shim).
A developer who builds only on 19 learns here, not in the LLVM 16 CI build,
that a call needs the shim.

Usage: check_llvm_compat.py ROOT [FILE...]   (FILEs: scan only those)
Prints one line per problem (FILE:LINE: reason) and a total; exits 1 on any.
"""
import os
import re
import sys

SHIM = os.path.join("checks", "utils", "LlvmCompat.h")
DIRS = ("checks", "lint", os.path.join("test", "tools"))

VERSION_TEST = re.compile(r"\b(LLVM_VERSION_(MAJOR|MINOR|PATCH)|CLANG_VERSION_MAJOR)\b")
# (pattern, why): APIs present on LLVM 19 and missing or different on 16.
APIS = [
    (re.compile(r"\bllvm::is_contained\(\s*\{"),
     "is_contained over a braced list is LLVM 17's: use compat::isOneOf"),
    (re.compile(r"\bxxh3_64bits\b"), "xxh3_64bits is LLVM 17's: use compat::stableHash64"),
    (re.compile(r"\bgetTranslationUnitDependencies\b"),
     "getTranslationUnitDependencies is LLVM 17's: use compat::fileDependencies"),
    (re.compile(r"(?<!compat::)\bargumentCountAtLeast\b"),
     "argumentCountAtLeast is LLVM 17's: use compat::argumentCountAtLeast"),
    (re.compile(r"\bllvm::erase\("), "llvm::erase(C, V) is LLVM 17's: use compat::eraseValue"),
    (re.compile(r"\bllvm::erase_value\("), "erase_value is gone after LLVM 17: use compat::eraseValue"),
    (re.compile(r"\bllvm::is(Upper|Lower)\("), "llvm::isUpper/isLower are LLVM 17's: use compat::"),
]


def sources(root):
    for d in DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            for n in sorted(names):
                if n.endswith((".cpp", ".h")):
                    yield os.path.join(dirpath, n)


def scan(root, path):
    rel = os.path.relpath(path, root)
    if rel == SHIM:
        return []
    problems = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            code = line.split("//", 1)[0]
            if VERSION_TEST.search(code):
                problems.append("%s:%d: tests the LLVM version outside %s" % (rel, no, SHIM))
            for pattern, why in APIS:
                if pattern.search(code):
                    problems.append("%s:%d: %s" % (rel, no, why))
    return problems


def main(argv):
    if len(argv) < 2:
        print("usage: check_llvm_compat.py ROOT [FILE...]", file=sys.stderr)
        return 2
    root = argv[1]
    files = argv[2:] or list(sources(root))
    problems = []
    for path in files:
        problems += scan(root, path)
    for p in problems:
        print(p)
    print("%d files, %d problems" % (len(files), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
