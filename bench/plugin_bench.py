#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Times the compiler plugin: a compile with it against the same compile without, and a build of the examples.
"""Measure what the torch- checks cost inside the compiler.

1. Unit: `clang++-19 -c FILE -fplugin=libTorchTidyCompilerPlugin.so` (A)
   against `clang++-19 -c FILE` (B), same flags, interleaved (A, B, A, B, ...)
   after an untimed warm-up pair and pinned to one CPU (--cpu), as
   tidy_vs_syntax.py does. Prints every run, the medians and the ratio A/B of
   the medians against the target (default 1.05). With --instructions it also
   counts the instructions of A and B under valgrind's cachegrind, which do not
   depend on the machine's drift in CPU speed.
2. Build (--build-examples): the examples project (examples/) built with the
   plugin (C) against built without it and then linted by
   `torch-lint -j1` (D), both `cmake --build -j1` on one CPU: the plugin saves
   the second parse of every unit. Prints both times and the ratio C/D.

Exits 0 whatever the ratios; 1 when a command fails; 2 on bad usage.
"""

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FLAGS = "-std=c++17 -isystem /usr/include/torch/csrc/api/include"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5,
                   help="timed runs of each compile; 0 with --instructions (default: 5)")
    p.add_argument("--plugin", default=str(ROOT / "build/lib/libTorchTidyCompilerPlugin.so"),
                   help="compiler plugin (default: build/lib/libTorchTidyCompilerPlugin.so)")
    p.add_argument("--torch-lint", default=str(ROOT / "build/bin/torch-lint"),
                   help="torch-lint for --build-examples (default: build/bin/torch-lint)")
    p.add_argument("--clangxx", default="clang++-19", help="compiler (default: clang++-19)")
    p.add_argument("--flags", default=DEFAULT_FLAGS,
                   help=f"compiler flags (default: {DEFAULT_FLAGS})")
    p.add_argument("--target", type=float, default=1.05,
                   help="ratio A/B to meet (default: 1.05)")
    p.add_argument("--instructions", action="store_true",
                   help="also count instructions of A and B under valgrind")
    p.add_argument("--build-examples", action="store_true",
                   help="also time the examples build with the plugin against build + torch-lint")
    p.add_argument("--no-unit", action="store_true", help="skip the unit comparison")
    p.add_argument("--cpu", type=int, default=0,
                   help="CPU to pin every run to; -1 to let the scheduler choose (default: 0)")
    p.add_argument("file", nargs="?", default=str(ROOT / "bench/inputs/train.cpp"),
                   help="translation unit (default: bench/inputs/train.cpp)")
    args = p.parse_args()
    if args.runs < 0 or (args.runs == 0 and not args.instructions):
        p.error("--runs must be at least 1 (0 with --instructions)")
    tools = [args.clangxx] + ([args.torch_lint, "cmake"] if args.build_examples else [])
    for tool in tools:
        if shutil.which(tool) is None:
            p.error(f"{tool}: not found or not executable")
    for path in (args.plugin, args.file):
        if not Path(path).is_file():
            p.error(f"{path}: no such file")
    if args.instructions and shutil.which("valgrind") is None:
        p.error("--instructions needs valgrind (apt-get install valgrind)")
    if args.cpu >= 0 and args.cpu not in os.sched_getaffinity(0):
        p.error(f"--cpu {args.cpu}: not a CPU this process may run on")
    return args


def run(cmd, cpu=-1, ok=(0,), cwd=None):
    """Runs cmd; returns wall seconds. Exits when its status is not in ok."""
    start = time.perf_counter()
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu >= 0 else None
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          preexec_fn=pin, cwd=cwd)
    wall = time.perf_counter() - start
    if proc.returncode not in ok:
        tail = proc.stdout.decode(errors="replace").strip().splitlines()[-20:]
        print(f"error: command failed with exit code {proc.returncode}:\n  {shlex.join(cmd)}",
              *tail, sep="\n", file=sys.stderr)
        sys.exit(1)
    return wall


def count_instructions(commands):
    procs = {key: subprocess.Popen(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no",
         "--cachegrind-out-file=/dev/null", *cmd],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for key, cmd in commands.items()}
    counts = {}
    for key, proc in procs.items():
        _, err = proc.communicate()
        match = re.search(r"I\s+refs:\s+([\d,]+)", err.decode(errors="replace"))
        if proc.returncode != 0 or not match:
            print(f"error: {shlex.join(commands[key])} failed under valgrind", file=sys.stderr)
            sys.exit(1)
        counts[key] = int(match.group(1).replace(",", ""))
    return counts


def unit(args, out_dir):
    flags = shlex.split(args.flags)
    obj = str(out_dir / "unit.o")
    b = [args.clangxx, *flags, "-c", args.file, "-o", obj]
    a = [args.clangxx, *flags, f"-fplugin={args.plugin}", "-c", args.file, "-o", obj]
    print(f"A (with the plugin): {shlex.join(a)}")
    print(f"B (without):         {shlex.join(b)}")
    if args.runs:
        timed(args, a, b)
    if args.instructions:
        counts = count_instructions({"A": a[:-1] + [str(out_dir / "a.o")],
                                     "B": b[:-1] + [str(out_dir / "b.o")]})
        print(f"instructions: A {counts['A']:,}  B {counts['B']:,}  "
              f"ratio A/B {counts['A'] / counts['B']:.3f}")


def timed(args, a, b):
    run(a, args.cpu)
    run(b, args.cpu)
    times = {"A": [], "B": []}
    for i in range(args.runs):
        for key, cmd in (("A", a), ("B", b)):
            times[key].append(run(cmd, args.cpu))
        print(f"  run {i + 1}: A {times['A'][-1]:6.2f} s   B {times['B'][-1]:6.2f} s")
        sys.stdout.flush()
    ma, mb = statistics.median(times["A"]), statistics.median(times["B"])
    ratio = ma / mb
    pairs = statistics.median(x / y for x, y in zip(times["A"], times["B"]))
    verdict = "met" if ratio <= args.target else "NOT met"
    print(f"median wall time: A {ma:.2f} s, B {mb:.2f} s")
    print(f"wall-time ratio A/B: {ratio:.3f} (target <= {args.target}: {verdict}); "
          f"median of pair ratios {pairs:.3f}")


def build_examples(args, out_dir):
    examples = ROOT / "examples"
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    common = ["cmake", "-S", str(examples), *gen, f"-DCMAKE_CXX_COMPILER={args.clangxx}",
              "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"]
    with_dir, without_dir = out_dir / "with-plugin", out_dir / "without"
    run(common + ["-B", str(with_dir), f"-DCMAKE_CXX_FLAGS=-fplugin={args.plugin}"])
    run(common + ["-B", str(without_dir)])
    c = ["cmake", "--build", str(with_dir), "-j1"]
    d_build = ["cmake", "--build", str(without_dir), "-j1"]
    d_lint = [args.torch_lint, "-p", str(without_dir), "-j1", "--quiet", str(examples)]
    print()
    print(f"C (build with the plugin): {shlex.join(c)}")
    print(f"D (build, then torch-lint): {shlex.join(d_build)} && {shlex.join(d_lint)}")
    tc = run(c, args.cpu)
    td = run(d_build, args.cpu) + run(d_lint, args.cpu, ok=(0, 1))
    print(f"C {tc:.1f} s, D {td:.1f} s, ratio C/D {tc / td:.3f}")


def main():
    args = parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="plugin-bench-") as tmp:
        out_dir = Path(tmp)
        if not args.no_unit:
            unit(args, out_dir)
        if args.build_examples:
            build_examples(args, out_dir)
    load = os.getloadavg()[0]
    if load > os.cpu_count():
        print(f"warning: load average {load:.2f} exceeded {os.cpu_count()} CPUs: "
              "the wall times mean little", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
