#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs one torch- check on a test file through every front end and FileChecks the result.

Same contract as LLVM's check_clang_tidy.py:

  check_torch_tidy.py [-check-suffix=S | -check-suffixes=S1,S2] [-std=c++17] [-fix-notes]
      <source> <check-name> <temp-file> [-- <clang-tidy args> [-- <compiler args>]]

* `CHECK-MESSAGES[-S]:` lines are matched against clang-tidy's output with
  `-implicit-check-not={{warning|error}}:`, so any unexpected warning fails.
* `CHECK-NOTES[-S]:` lines are matched the same way, notes included.
* `CHECK-FIXES[-S]:` lines are matched, with `--match-full-lines`, against the file
  after `-fix`. The fixed file must compile and a second `-fix` must not change it.
  With `-fix-notes`, `--fix-notes` is passed too, so the fixes that a check puts on a
  note (the ones that can change behaviour) are applied and tested as well.

Every test runs through the plugin (`clang-tidy-19 --load`) and `torch-tidy`; both
must pass.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys

CHECK_LINE = re.compile(r"//\s*CHECK-(?:MESSAGES|FIXES|NOTES)[A-Z0-9\-]*:[^\r\n]*")


def fail(message):
    sys.exit("check_torch_tidy.py: " + message)


def run(cmd, expect_ok=True):
    print("Running: " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    if expect_ok and proc.returncode != 0:
        print(proc.stdout)
        fail("command failed with exit code %d" % proc.returncode)
    return proc


def split_args(rest):
    tidy_args, clang_args = [], []
    if "--" in rest:
        i = rest.index("--")
        tidy_args, rest = rest[:i], rest[i + 1:]
        if "--" in rest:
            i = rest.index("--")
            tidy_args += rest[:i]
            clang_args = rest[i + 1:]
        else:
            tidy_args += rest
    else:
        tidy_args = rest
    return tidy_args, clang_args


class Prefixes:
    def __init__(self, suffixes, text):
        self.fixes, self.messages, self.notes = [], [], []
        for suffix in suffixes:
            tail = "-" + suffix if suffix else ""
            for kind, bucket in (("FIXES", self.fixes), ("MESSAGES", self.messages),
                                 ("NOTES", self.notes)):
                prefix = "CHECK-%s%s" % (kind, tail)
                if re.search(re.escape(prefix) + r"(?:-NOT)?:", text):
                    bucket.append(prefix)
        if self.notes and self.messages:
            fail("use either CHECK-MESSAGES or CHECK-NOTES, not both")


def filecheck(args, input_file, source, prefixes, extra):
    cmd = [args.filecheck, "-input-file=" + input_file, source,
           "-check-prefixes=" + ",".join(prefixes)] + extra
    proc = run(cmd, expect_ok=False)
    if proc.returncode != 0:
        print(proc.stdout)
        with open(input_file, encoding="utf-8") as f:
            print("------ %s ------\n%s" % (input_file, f.read()))
        fail("FileCheck failed for " + ",".join(prefixes))


def run_front_end(name, driver, args, check, source_text, prefixes, temp, tidy_args,
                  clang_args):
    temp_file = "%s.%s.cpp" % (temp, name)
    with open(temp_file, "w", encoding="utf-8") as f:
        f.write(CHECK_LINE.sub("//", source_text))
    config = [] if any(a.startswith(("-config", "--config")) for a in tidy_args) else ["--config={}"]
    fix = ["-fix", "--fix-notes"] if args.fix_notes else ["-fix"]
    tidy = driver + [temp_file] + fix + ["--checks=-*," + check] + config + tidy_args
    tidy += ["--", "-std=" + args.std] + clang_args
    output = run(tidy, expect_ok=False)
    print(output.stdout)
    # clang-tidy exits non-zero for a translation unit with compile errors;
    # anything else non-zero (a bad option, a crash) fails the test.
    if output.returncode != 0 and "Found compiler error" not in output.stdout:
        fail("%s exited with %d" % (name, output.returncode))
    messages = temp_file + ".msg"
    with open(messages, "w", encoding="utf-8") as f:
        f.write(output.stdout)
    if prefixes.messages:
        filecheck(args, messages, args.source, prefixes.messages,
                  ["-implicit-check-not={{warning|error}}:"])
    if prefixes.notes:
        filecheck(args, messages, args.source, prefixes.notes,
                  ["-implicit-check-not={{note|warning|error}}:"])
    if prefixes.fixes:
        filecheck(args, temp_file, args.source, prefixes.fixes,
                  ["-strict-whitespace", "--match-full-lines"])
        run([args.clangxx, "-fsyntax-only", "-std=" + args.std] + clang_args + [temp_file])
        with open(temp_file, encoding="utf-8") as f:
            fixed = f.read()
        run(tidy, expect_ok=False)
        with open(temp_file, encoding="utf-8") as f:
            if f.read() != fixed:
                fail("%s: a second -fix changed the file: the fix is not idempotent" % name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-tidy", required=True)
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--clangxx", required=True)
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("-check-suffix", "-check-suffixes", default="", dest="suffixes")
    parser.add_argument("-std", default="c++17")
    parser.add_argument("-fix-notes", action="store_true", dest="fix_notes",
                        help="also apply the fixes attached to notes (--fix-notes)")
    parser.add_argument("source")
    parser.add_argument("check")
    parser.add_argument("temp")
    argv = sys.argv[1:]
    rest = argv[argv.index("--"):] if "--" in argv else []
    args = parser.parse_args(argv[:len(argv) - len(rest)])
    tidy_args, clang_args = split_args(rest)

    with open(args.source, encoding="utf-8") as f:
        source_text = f.read()
    suffixes = [s.strip() for s in args.suffixes.split(",")] if args.suffixes else [""]
    prefixes = Prefixes(suffixes, source_text)
    if not (prefixes.fixes or prefixes.messages or prefixes.notes):
        fail("no CHECK-FIXES, CHECK-MESSAGES or CHECK-NOTES for suffixes %r" % suffixes)

    front_ends = [
        ("plugin", [args.clang_tidy, "--load=" + args.plugin]),
        ("torch-tidy", [args.torch_tidy]),
    ]
    for name, driver in front_ends:
        run_front_end(name, driver, args, args.check, source_text, prefixes, args.temp,
                      tidy_args, clang_args)


if __name__ == "__main__":
    main()
