#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Times torch-tidy against clang++ -fsyntax-only on one LibTorch translation unit, interleaved.
"""Compare the wall time of torch-tidy with the torch- checks (A) against
clang++ -fsyntax-only (B) on the same file with the same flags.

Runs are interleaved (A, B, A, B, ...) after one untimed warm-up pair, so that
drift in machine load and page cache affects both sides alike, and pinned to
one CPU (--cpu), because the virtual CPUs of a cloud machine can run at very
different speeds (on the 2-core reference machine one ran 40 % slower than the
other) and the scheduler would otherwise pick one at random for each run.
Prints every run, the medians, the ratio of the medians, the median of the
ratios of each interleaved pair and whether the target is met.

With --instructions it also counts the instructions each command executes,
under valgrind's cachegrind (no cache simulation; about 10x slower than a
native run, A and B side by side on two CPUs), and adds a third command, F:
torch-tidy running one clang-tidy check that has nothing to find (--floor-check),
which is what the clang-tidy driver and its AST matching cost before any
torch- check. Instruction counts do not depend on the load or the speed of the
CPU, so they show differences of a percent that wall times on a shared machine
cannot. Exits 0
whatever the ratio; 1 when a command fails, 2 on bad usage.
"""

import argparse
import os
import re
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
    p.add_argument("--instructions", action="store_true",
                   help="also count instructions under valgrind (needs valgrind)")
    p.add_argument("--floor-check", default="cppcoreguidelines-avoid-goto",
                   help="check for F, the driver floor, with --instructions "
                        "(default: cppcoreguidelines-avoid-goto)")
    p.add_argument("--cpu", type=int, default=0,
                   help="CPU to pin every run to; -1 to let the scheduler choose (default: 0)")
    p.add_argument("file", nargs="?", default=str(ROOT / "bench/inputs/train.cpp"),
                   help="translation unit (default: bench/inputs/train.cpp)")
    args = p.parse_args()
    if args.runs < 0 or args.warmup < 0 or (args.runs == 0 and not args.instructions):
        p.error("--runs must be at least 1 (0 with --instructions) and --warmup at least 0")
    if args.instructions and shutil.which("valgrind") is None:
        p.error("--instructions needs valgrind (apt-get install valgrind)")
    for tool in (args.torch_tidy, args.clangxx):
        if shutil.which(tool) is None:
            p.error(f"{tool}: not found or not executable")
    if not Path(args.file).is_file():
        p.error(f"{args.file}: no such file")
    if args.cpu >= 0 and args.cpu not in os.sched_getaffinity(0):
        p.error(f"--cpu {args.cpu}: not a CPU this process may run on")
    return args


def run(cmd, cpu=-1):
    """Runs cmd; returns (wall s, user+sys CPU s, peak RSS MiB). Exits on failure."""
    start = time.perf_counter()
    pin = (lambda: os.sched_setaffinity(0, {cpu})) if cpu >= 0 else None
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=pin)
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


def count_instructions(commands):
    """Runs each command under cachegrind, all at once; returns {key: instructions}."""
    procs = {}
    for key, cmd in commands.items():
        procs[key] = subprocess.Popen(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no",
             "--cachegrind-out-file=/dev/null", *cmd],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    counts = {}
    for key, proc in procs.items():
        _, err = proc.communicate()
        text = err.decode(errors="replace")
        match = re.search(r"I\s+refs:\s+([\d,]+)", text)
        if proc.returncode != 0 or not match:
            tail = text.strip().splitlines()[-20:]
            print(f"error: command failed under valgrind (exit code {proc.returncode}):\n"
                  f"  {shlex.join(commands[key])}", *tail, sep="\n", file=sys.stderr)
            sys.exit(1)
        counts[key] = int(match.group(1).replace(",", ""))
    return counts


def report_instructions(args, commands):
    floor = [args.torch_tidy, f"--checks=-*,{args.floor_check}", args.file, "--",
             *shlex.split(args.flags)]
    print()
    print(f"F (torch-tidy, driver floor): {shlex.join(floor)}")
    print("instructions (valgrind --tool=cachegrind --cache-sim=no), A, B and F side by side:")
    sys.stdout.flush()
    counts = count_instructions({**commands, "F": floor})
    for key, label in (("A", "torch-tidy"), ("B", "clang++ -fsyntax-only"),
                       ("F", "torch-tidy, driver floor")):
        print(f"  {key} {'(' + label + ')':<28} {counts[key]:>16,}")
    print(f"instructions ratio A/B: {counts['A'] / counts['B']:.3f}"
          f"  (F/B, the driver floor: {counts['F'] / counts['B']:.3f};"
          f" A/F, the torch- checks: {counts['A'] / counts['F']:.3f})")


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
    if args.runs == 0:
        report_instructions(args, commands)
        return 0
    print(f"runs:   {args.runs} timed per command, interleaved A,B after {args.warmup} warm-up pair(s)")
    print(f"cpu:    {'any' if args.cpu < 0 else args.cpu}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    sys.stdout.flush()

    for _ in range(args.warmup):
        for cmd in commands.values():
            run(cmd, args.cpu)
    times, cpus, peaks = ({"A": [], "B": []} for _ in range(3))
    max_load = 0.0
    for i in range(1, args.runs + 1):
        for key, cmd in commands.items():
            wall, cpu, peak = run(cmd, args.cpu)
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
    pairs = statistics.median(a / b for a, b in zip(times["A"], times["B"]))
    print(f"wall ratio A/B (median of the {args.runs} interleaved pairs, for reference): {pairs:.3f}")
    verdict = "met" if ratio <= args.target else "NOT met"
    print(f"wall ratio A/B (medians): {ratio:.3f}  target <= {args.target:.2f}: {verdict}")
    if max_load > (os.cpu_count() or 1):
        print(f"warning: load average reached {max_load:.2f} on {os.cpu_count()} CPUs; "
              "other work competed with these runs, so the wall times are unreliable")
    if args.instructions:
        report_instructions(args, commands)
    return 0


if __name__ == "__main__":
    sys.exit(main())
