#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Times torch-tidy against clang++ -fsyntax-only on one LibTorch translation unit, interleaved.
"""Compare the wall time of torch-tidy with the torch- checks (A) against
clang++ -fsyntax-only (B) on the same file with the same flags.

Runs are interleaved (A, B, A, B, ...) after one untimed warm-up pair, so that
drift in machine load and page cache affects both sides alike. Prints every
run, the medians, the ratio A/B and whether it meets the target. Exits 0
whatever the ratio; 1 when a command fails, 2 on bad usage.
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FLAGS = "-std=c++17 -isystem /usr/include/torch/csrc/api/include"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5,
                   help="timed runs of each command (default: 5)")
    p.add_argument("--warmup", type=int, default=1,
                   help="untimed runs of each command first (default: 1)")
    p.add_argument("--torch-tidy", default=str(ROOT / "build/bin/torch-tidy"),
                   help="torch-tidy binary (default: build/bin/torch-tidy)")
    p.add_argument("--clangxx", default="clang++-19",
                   help="compiler for the baseline (default: clang++-19)")
    p.add_argument("--checks", default="-*,torch-*",
                   help="checks for torch-tidy (default: -*,torch-*)")
    p.add_argument("--flags", default=DEFAULT_FLAGS,
                   help=f"compiler flags for both commands (default: {DEFAULT_FLAGS})")
    p.add_argument("--target", type=float, default=1.05,
                   help="ratio A/B to meet (default: 1.05)")
    p.add_argument("file", nargs="?", default=str(ROOT / "bench/inputs/train.cpp"),
                   help="translation unit (default: bench/inputs/train.cpp)")
    args = p.parse_args()
    if args.runs < 1 or args.warmup < 0:
        p.error("--runs must be at least 1 and --warmup at least 0")
    for tool in (args.torch_tidy, args.clangxx):
        if shutil.which(tool) is None:
            p.error(f"{tool}: not found or not executable")
    if not Path(args.file).is_file():
        p.error(f"{args.file}: no such file")
    return args


def run(cmd):
    """Runs cmd; returns (wall s, user+sys CPU s, peak RSS MiB). Exits on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = output.decode(errors="replace").strip().splitlines()[-20:]
        print(f"error: command failed with exit code {proc.returncode}:\n  {shlex.join(cmd)}",
              *tail, sep="\n", file=sys.stderr)
        sys.exit(1)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    args = parse_args()
    flags = shlex.split(args.flags)
    commands = {
        "A": [args.torch_tidy, f"--checks={args.checks}", args.file, "--", *flags],
        "B": [args.clangxx, "-fsyntax-only", *flags, args.file],
    }
    labels = {"A": "torch-tidy", "B": "clang++ -fsyntax-only"}
    print(f"file:   {args.file}")
    for key, cmd in commands.items():
        print(f"{key} ({labels[key]}): {shlex.join(cmd)}")
    print(f"runs:   {args.runs} timed per command, interleaved A,B after {args.warmup} warm-up pair(s)")
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    sys.stdout.flush()

    for _ in range(args.warmup):
        for cmd in commands.values():
            run(cmd)
    times, cpus, peaks = ({"A": [], "B": []} for _ in range(3))
    max_load = 0.0
    for i in range(1, args.runs + 1):
        for key, cmd in commands.items():
            wall, cpu, peak = run(cmd)
            max_load = max(max_load, os.getloadavg()[0])
            times[key].append(wall)
            cpus[key].append(cpu)
            peaks[key].append(peak)
            print(f"run {i} {key}: wall {wall:7.2f} s  cpu {cpu:7.2f} s  {peak:6.0f} MiB")
            sys.stdout.flush()
    print(f"load average at end:   {os.getloadavg()[0]:.2f}")

    median = {key: statistics.median(values) for key, values in times.items()}
    median_cpu = {key: statistics.median(values) for key, values in cpus.items()}
    ratio = median["A"] / median["B"]
    print()
    for key in commands:
        print(f"median {key} ({labels[key]}): wall {median[key]:7.2f} s "
              f"(min {min(times[key]):.2f}, max {max(times[key]):.2f})  "
              f"cpu {median_cpu[key]:7.2f} s  peak RSS {statistics.median(peaks[key]):.0f} MiB")
    print(f"cpu ratio A/B (medians, for reference): {median_cpu['A'] / median_cpu['B']:.3f}")
    verdict = "met" if ratio <= args.target else "NOT met"
    print(f"wall ratio A/B (medians): {ratio:.3f}  target <= {args.target:.2f}: {verdict}")
    if max_load > (os.cpu_count() or 1):
        print(f"warning: load average reached {max_load:.2f} on {os.cpu_count()} CPUs; "
              "other work competed with these runs, so the wall times are unreliable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
