#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ctest `other-llvm`: builds torch-tidy against a second LLVM major and runs the
checkers, meta, lint and package suites on that build (the runtime corpus, the builds
suite, fuzzing and self-lint run once, on the main build).

  other_llvm.py --src SRC --build DIR --major 16 --cmake CMAKE [--jobs 2]

Prints the time each part takes. Exits 77 (ctest's skip code) when that major's
packages are not installed, unless CI is set in the environment: then it fails.
"""
import argparse
import os
import subprocess
import sys
import time

SKIP = 77


def run(what, cmd, **kw):
    start = time.monotonic()
    print("other-llvm: %s: %s" % (what, " ".join(cmd)), flush=True)
    rc = subprocess.call(cmd, **kw)
    print("other-llvm: %s took %.0f s (exit %d)" % (what, time.monotonic() - start, rc), flush=True)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--major", required=True)
    ap.add_argument("--cmake", default="cmake")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--suites", default="checkers,meta,lint,package")
    args = ap.parse_args()

    prefix = "/usr/lib/llvm-%s" % args.major
    needed = [os.path.join(prefix, "lib", "cmake", "llvm"), os.path.join(prefix, "lib", "cmake", "clang"),
              os.path.join(prefix, "bin", "clang-tidy"), os.path.join(prefix, "bin", "FileCheck"),
              os.path.join(prefix, "build", "utils", "lit", "lit.py")]
    missing = [p for p in needed if not os.path.exists(p)]
    if missing:
        message = ("other-llvm: LLVM %s is not installed (%s missing): apt-get install clang-%s "
                   "clang-tidy-%s libclang-%s-dev llvm-%s-dev llvm-%s-tools, or scripts/install-deps.sh"
                   % ((args.major, missing[0]) + (args.major,) * 5))
        if os.environ.get("CI"):
            print(message + "; CI must test every supported major", file=sys.stderr)
            return 1
        print(message + "; skipped")
        return SKIP

    total = time.monotonic()
    configure = [args.cmake, "-S", args.src, "-B", args.build, "-G", "Ninja",
                 "-DTORCH_TIDY_LLVM=%s" % args.major, "-DTORCH_TIDY_TEST_OTHER_LLVM=OFF",
                 "-DTORCH_TIDY_SANITIZED_FUZZ_MUTANTS=0"]
    if run("configure LLVM %s" % args.major, configure, stdout=subprocess.DEVNULL) != 0:
        return 1
    if run("build LLVM %s" % args.major, [args.cmake, "--build", args.build, "-j", args.jobs]) != 0:
        return 1
    lit = os.path.join(prefix, "build", "utils", "lit", "lit.py")
    failed = []
    for suite in args.suites.split(","):
        cmd = [sys.executable, lit, "-sv", "--no-progress-bar", os.path.join(args.build, "test", suite)]
        if run("%s suite on LLVM %s" % (suite, args.major), cmd) != 0:
            failed.append(suite)
    print("other-llvm: LLVM %s took %.0f s in all; %s" % (
        args.major, time.monotonic() - total,
        "failed: " + ", ".join(failed) if failed else "every suite passed"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
