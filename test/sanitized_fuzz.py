#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ctest `fuzz-sanitized`: builds torch-lint with AddressSanitizer and
UndefinedBehaviorSanitizer in a tree of its own and runs the fuzz test's
mutants on it (test/fuzz/fuzz_checks.py): any sanitizer report fails it.

  sanitized_fuzz.py --src SRC --build DIR --cmake CMAKE --mutants N [--jobs 2]

Only torch-tidy's own code is instrumented (the LLVM libraries are Debian's), and
it is built at -O0, which compiles fastest.
Leak detection is off: Clang frees its AST at exit by design. Prints the time
each part takes.
"""
import argparse
import os
import subprocess
import sys
import time


def run(what, cmd, **kw):
    start = time.monotonic()
    print("fuzz-sanitized: %s: %s" % (what, " ".join(cmd)), flush=True)
    rc = subprocess.call(cmd, **kw)
    print("fuzz-sanitized: %s took %.0f s (exit %d)" % (what, time.monotonic() - start, rc),
          flush=True)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--clangxx", default="clang++-19")
    ap.add_argument("--mutants", default="100")
    ap.add_argument("--jobs", default="2")
    args = ap.parse_args()

    total = time.monotonic()
    configure = [args.cmake, "-S", args.src, "-B", args.build, "-G", "Ninja",
                 "-DTORCH_TIDY_SANITIZE=address,undefined", "-DTORCH_TIDY_TEST_FAULTS=OFF",
                 # Unoptimized: instrumented code compiles about 3 times faster at -O0
                 # (48 s against 135 s for the largest check), and runs fast enough.
                 "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_CXX_FLAGS_RELEASE=-O0 -DNDEBUG",
                 "-DTORCH_TIDY_TEST_OTHER_LLVM=OFF", "-DTORCH_TIDY_SANITIZED_FUZZ_MUTANTS=0"]
    if run("configure", configure, stdout=subprocess.DEVNULL) != 0:
        return 1
    if run("build", [args.cmake, "--build", args.build, "-j", args.jobs,
                     "--target", "torch-lint"]) != 0:
        return 1
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1"
    fuzz = [sys.executable, os.path.join(args.src, "test", "fuzz", "fuzz_checks.py"),
            "--torch-lint", os.path.join(args.build, "bin", "torch-lint"), "--src", args.src,
            "--clangxx", args.clangxx, "--mutants", args.mutants, "--unit-memory", "0",
            "--unit-timeout", "300", "-j", args.jobs]
    rc = run("fuzz", fuzz, env=env)
    print("fuzz-sanitized: took %.0f s in all" % (time.monotonic() - total), flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
