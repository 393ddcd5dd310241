#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Fuzzes the torch- checks with deterministic mutants of the project's own inputs.
"""Mutates the mock-header checker tests (test/checkers/*.cpp) and the examples
(examples/*.cpp) deterministically: deleted, duplicated and swapped tokens and
lines, unbalanced braces and parentheses, truncated files. Lints every mutant
with every torch- check, on the mock LibTorch headers, in torch-lint's worker
processes, and fails on any unit that fails for a reason other than compiler
errors (a crash, a hang past --unit-timeout, running out of memory) and on any
sanitizer report.

Usage: fuzz_checks.py --torch-lint BIN --src ROOT [--mutants 300] [--seed 1]
                      [-j 2] [--unit-memory 4G] [--keep DIR] [--clangxx CLANG]
A mutant that also crashes `clang++ -fsyntax-only` is clang's bug, not ours:
it is listed and does not fail the run.
"""
import argparse
import glob
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|::|->|<<|>>|&&|\|\||[^\s\w]")
COMPILER_ERRORS = re.compile(r"^\d+ compiler errors?$")
SANITIZER = re.compile(r"ERROR: \w+Sanitizer|runtime error:|LeakSanitizer")


def tokens(text):
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def delete_line(rng, lines):
    if lines:
        del lines[rng.randrange(len(lines))]


def duplicate_line(rng, lines):
    if lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])


def swap_lines(rng, lines):
    if len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]


def line_mutation(op):
    def apply(rng, text):
        lines = text.split("\n")
        op(rng, lines)
        return "\n".join(lines)
    return apply


def delete_token(rng, text):
    toks = tokens(text)
    if not toks:
        return text
    b, e = toks[rng.randrange(len(toks))]
    return text[:b] + text[e:]


def duplicate_token(rng, text):
    toks = tokens(text)
    if not toks:
        return text
    b, e = toks[rng.randrange(len(toks))]
    return text[:e] + " " + text[b:e] + text[e:]


def swap_tokens(rng, text):
    toks = tokens(text)
    if len(toks) < 2:
        return text
    i = rng.randrange(len(toks) - 1)
    (b1, e1), (b2, e2) = toks[i], toks[i + 1]
    return text[:b1] + text[b2:e2] + text[e1:b2] + text[b1:e1] + text[e2:]


def unbalance(rng, text):
    toks = tokens(text)
    at = toks[rng.randrange(len(toks))][0] if toks else 0
    return text[:at] + rng.choice(["{", "}", "(", ")", "<", ">", "[", "]"]) + text[at:]


def drop_brace(rng, text):
    braces = [m.start() for m in re.finditer(r"[{}()]", text)]
    if not braces:
        return text
    at = rng.choice(braces)
    return text[:at] + text[at + 1:]


def truncate(rng, text):
    return text[:rng.randrange(len(text) + 1)]


MUTATIONS = [
    ("delete-line", line_mutation(delete_line)),
    ("duplicate-line", line_mutation(duplicate_line)),
    ("swap-lines", line_mutation(swap_lines)),
    ("delete-token", delete_token),
    ("duplicate-token", duplicate_token),
    ("swap-tokens", swap_tokens),
    ("unbalance", unbalance),
    ("drop-brace", drop_brace),
    ("truncate", truncate),
]


def seeds(src):
    """(name, text, flags) for every input: the checker tests on their mock
    headers (the 2.x variant where the test uses it) and the examples."""
    inputs = os.path.join(src, "test", "checkers", "Inputs")
    mock1 = ["-isystem", os.path.join(inputs, "libtorch")]
    mock2 = ["-isystem", os.path.join(inputs, "libtorch-2")] + mock1
    out = []
    for path in sorted(glob.glob(os.path.join(src, "test", "checkers", "*.cpp"))):
        with open(path) as f:
            text = f.read()
        # The directives are comments: dropping them leaves more code to mutate.
        code = "\n".join(l for l in text.split("\n")
                         if not re.match(r"\s*//\s*(RUN|CHECK[-\w]*):", l))
        name = os.path.splitext(os.path.basename(path))[0]
        out.append((name, code, mock1))
        if "%mock_torch2" in text:
            out.append((name + "-2", code, mock2))
    for path in sorted(glob.glob(os.path.join(src, "examples", "*.cpp"))):
        with open(path) as f:
            out.append(("example-" + os.path.splitext(os.path.basename(path))[0], f.read(), mock1))
    return out


def mutants(src, count, seed):
    rng = random.Random(seed)
    base = seeds(src)
    for n in range(count):
        name, text, flags = base[n % len(base)]
        applied = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            label, op = MUTATIONS[rng.randrange(len(MUTATIONS))]
            text = op(rng, text)
            applied.append(label)
        yield "m%04d-%s.cpp" % (n, name), text, flags, "+".join(applied)


def parse_failures(summary):
    failed = {}
    for line in summary.splitlines():
        m = re.match(r"\s*failed: (.+?): (.+)$", line)
        if m:
            failed[m.group(1)] = m.group(2)
    return failed


def clang_crashes(clangxx, directory, entry):
    args = [clangxx, "-fsyntax-only"] + entry["arguments"][1:-3] + [entry["file"]]
    proc = subprocess.run(args, cwd=directory, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    return proc.returncode < 0 or "PLEASE submit a bug report" in proc.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--torch-lint", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--clangxx", default="clang++-19")
    ap.add_argument("--mutants", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--unit-timeout", type=int, default=120)
    ap.add_argument("--unit-memory", default="4G")
    ap.add_argument("--keep", help="write the mutants here and keep them")
    args = ap.parse_args()
    args.torch_lint = os.path.abspath(args.torch_lint)
    args.src = os.path.abspath(args.src)

    start = time.monotonic()
    work = args.keep or tempfile.mkdtemp(prefix="torch-fuzz-")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    db, how = [], {}
    for name, text, flags, applied in mutants(args.src, args.mutants, args.seed):
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
        how[name] = applied
        db.append({"directory": work, "file": name,
                   "arguments": ["clang++", "-std=c++17", *flags, "-c", name, "-o", name + ".o"]})
    with open(os.path.join(work, "compile_commands.json"), "w") as f:
        json.dump(db, f, indent=1)

    cmd = [args.torch_lint, "-p", work, "-j%d" % args.j, "--checks=-*,torch-*", "--no-skip",
           "--unit-timeout=%d" % args.unit_timeout, "--unit-memory=" + args.unit_memory,
           "--format=json",
           "--output=" + os.path.join(work, "findings.json")]
    proc = subprocess.run(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    problems = []
    if proc.returncode not in (0, 1, 3):
        problems.append("torch-lint exited with %d: %s" % (proc.returncode, proc.stderr[-2000:]))
    for line in proc.stderr.splitlines():
        if SANITIZER.search(line):
            problems.append("sanitizer: " + line.strip())
    failed = parse_failures(proc.stderr)
    errors = sum(1 for r in failed.values() if COMPILER_ERRORS.match(r))
    clang_bugs = []
    entries = {e["file"]: e for e in db}
    for name, reason in sorted(failed.items()):
        if COMPILER_ERRORS.match(reason):
            continue
        if clang_crashes(args.clangxx, work, entries[os.path.basename(name)]):
            clang_bugs.append("%s (%s): %s" % (name, how[os.path.basename(name)], reason))
        else:
            problems.append("%s (%s): %s" % (name, how[os.path.basename(name)], reason))
    with open(os.path.join(work, "findings.json")) as f:
        findings = len(json.load(f))
    seconds = time.monotonic() - start
    print("fuzz: %d mutants of %d inputs (seed %d), %d with compiler errors, %d findings, %.1f s"
          % (len(db), len(seeds(args.src)), args.seed, errors, findings, seconds))
    for bug in clang_bugs:
        print("fuzz: clang itself crashes (not counted): " + bug)
    for p in problems:
        print("fuzz: FAILED: " + p)
    if problems:
        print("fuzz: mutants kept in " + work)
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
