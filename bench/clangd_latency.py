#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Time from didOpen (and from an edit) to the torch- diagnostics in torch-clangd, next to clangd 19.
"""Measures what an editor user waits for on a real LibTorch file.

Each run starts a fresh language server on a scratch copy of the file, sends
didOpen and times until publishDiagnostics arrives (the preamble with
<torch/torch.h>, the main-file AST and, with checks on, the clang-tidy checks),
then makes a few edits below the preamble and times each until its
diagnostics arrive (what the user waits for while typing).

Variants, interleaved run by run (rotating the order):
  clangd-19           Debian's clangd 19 with clang-tidy off: the AST build alone
  torch-clangd/off    torch-clangd with clang-tidy off: the same binary as below
  torch-clangd        torch-clangd with `.clang-tidy` `Checks: '-*,torch-*'`

Then clangd's own per-check measurement, `torch-clangd --check=FILE
--check-tidy-time=torch-*`: the regression each torch- check adds to the
main-file AST build, which clangd 19 calls fast at <= 8% (TidyFastChecks.py).
torch-clangd reports every torch- check to clangd as fast; this is the figure
that has to back that up for each check.

The ratios reported are median(torch-clangd) / median(clangd-19), the target
being <= 1.05, and median(torch-clangd) / median(torch-clangd/off), which
isolates what the checks add. Wall time is what the user waits; server CPU
time (all its threads, from /proc) is less disturbed by other load on the
machine. Runs are sequential: one LibTorch parse at a time.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "clangd"))
from lsp_client import LspError, LspServer  # noqa: E402

CHECK = "torch-missing-zero-grad"


def find_clangd19():
    for candidate in (shutil.which("clangd-19"), "/usr/lib/llvm-19/bin/clangd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def session(binary, tidy, args, workdir):
    """One server lifetime: the open (wall, CPU) seconds and a list of them per edit."""
    with open(args.file) as src:
        text = src.read()
    path = os.path.join(workdir, os.path.basename(args.file))
    shutil.copy(args.file, path)
    argv = [binary, "--background-index=false", "--log=error",
            "--clang-tidy=%s" % ("true" if tidy else "false")]
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(workdir, "xdg-config"))
    log = os.path.join(workdir, "clangd.log")
    with LspServer(argv, cwd=workdir, env=env, stderr_path=log) as server:
        server.initialize(workdir, timeout=args.timeout)
        # Let start-up work (the standard library index) finish first.
        wait_idle(server, args.settle)
        sent = server.stamp()
        server.did_open(path, text)
        received, diagnostics = server.wait_diagnostics(path, 1, timeout=args.timeout)
        opened = (received.wall - sent.wall, received.cpu - sent.cpu)
        verify(diagnostics, tidy, path, log)
        edits = []
        for version in range(2, 2 + args.edits):
            # Below the preamble: an edit rebuilds the main-file AST only.
            text += "// edit %d\n" % version
            # Let the indexing of the preamble and of the last AST finish first.
            wait_idle(server, args.settle)
            sent = server.stamp()
            server.did_change(path, text, version)
            received, diagnostics = server.wait_diagnostics(path, version, timeout=args.timeout)
            edits.append((received.wall - sent.wall, received.cpu - sent.cpu))
            verify(diagnostics, tidy, path, log)
    return opened, edits


def wait_idle(server, quiet, limit=120):
    """Waits until the server has used under 2% of a CPU for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last = server.stamp()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = server.stamp()
        if now.cpu is None or now.cpu - last.cpu < 0.02 * quiet:
            return
        last = now


def verify(diagnostics, tidy, path, log):
    """A run counts only if the file parsed and, with checks on, ours fired."""
    errors = [d["message"] for d in diagnostics if d.get("severity") == 1]
    if errors:
        sys.exit("error: %s does not parse (%s); see %s" % (path, errors[0], log))
    ours = [d for d in diagnostics if d.get("code") == CHECK]
    if tidy and not ours:
        sys.exit("error: no %s diagnostic in %s; see %s" % (CHECK, path, log))
    if not tidy and ours:
        sys.exit("error: %s ran with clang-tidy off; see %s" % (CHECK, log))


def median(samples, index):
    return statistics.median(sample[index] for sample in samples)


def tidy_time(args, workdir):
    """clangd's --check-tidy-time: (baseline ns, [(check, percent)])."""
    shutil.copy(args.file, workdir)
    argv = [args.torch_clangd, "--check=" + os.path.basename(args.file),
            "--check-locations=false", "--check-tidy-time=torch-*"]
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(workdir, "xdg-config"))
    result = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True,
                            timeout=args.timeout)
    baseline, checks, recording = None, [], False
    for line in result.stderr.splitlines():
        if "Timing AST build with individual clang-tidy checks" in line:
            recording = True
        elif "Finished individual clang-tidy checks" in line:
            recording = False
        elif recording:
            match = re.search(r"Baseline = (\d+) ns", line)
            if match:
                baseline = int(match.group(1))
            match = re.search(r"(torch-\S+) = (-?[\d.]+)%", line)
            if match:
                checks.append((match.group(1), float(match.group(2))))
    if result.returncode != 0 or baseline is None or not checks:
        sys.exit("error: torch-clangd --check-tidy-time failed:\n" + result.stderr[-2000:])
    return baseline, checks


def describe(samples):
    """Median wall and CPU seconds, with the range of the wall times."""
    walls = [sample[0] for sample in samples]
    return "%6.2f s (%5.2f..%5.2f)  cpu %6.2f s" % (
        median(samples, 0), min(walls), max(walls), median(samples, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-clangd", default=os.path.join(ROOT, "build", "bin", "torch-clangd"))
    parser.add_argument("--clangd", default=find_clangd19(),
                        help="plain clangd 19 (default: clangd-19 on PATH or in /usr/lib/llvm-19)")
    parser.add_argument("--file", default=os.path.join(ROOT, "examples", "train_mlp.cpp"),
                        help="a LibTorch source with a missing zero_grad()")
    parser.add_argument("--libtorch-include", default="/usr/include/torch/csrc/api/include")
    parser.add_argument("--runs", type=int, default=5,
                        help="runs per variant (default 5; 0 runs only --check-tidy-time)")
    parser.add_argument("--edits", type=int, default=3, help="edits timed per run (default 3)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds to wait for any one answer")
    parser.add_argument("--settle", type=float, default=1,
                        help="seconds the server must be idle before each timed request "
                             "(default 1)")
    parser.add_argument("--tidy-time-runs", type=int, default=3,
                        help="runs of clangd's --check-tidy-time (default 3; 0 skips)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directories")
    args = parser.parse_args()
    args.file = os.path.abspath(args.file)

    if not os.path.exists(os.path.join(args.libtorch_include, "torch", "torch.h")):
        sys.exit("error: no LibTorch headers in %s (apt-get install libtorch-dev)"
                 % args.libtorch_include)
    variants = []
    if args.clangd:
        variants.append(("clangd-19", args.clangd, False))
    else:
        print("note: clangd 19 not found (apt-get install clangd-19); the baseline is "
              "torch-clangd with clang-tidy off")
    variants.append(("torch-clangd/off", args.torch_clangd, False))
    variants.append(("torch-clangd", args.torch_clangd, True))
    baseline = variants[0][0]

    scratch = tempfile.mkdtemp(prefix="clangd-latency-")
    with open(os.path.join(scratch, "compile_flags.txt"), "w") as out:
        out.write("-std=c++17\n-isystem\n%s\n" % args.libtorch_include)
    with open(os.path.join(scratch, ".clang-tidy"), "w") as out:
        out.write("Checks: '-*,torch-*'\n")

    print("file: %s" % os.path.relpath(args.file))
    print("flags: -std=c++17 -isystem %s" % args.libtorch_include)
    print("runs: %d per variant, interleaved; %d edits per run; load average %.2f"
          % (args.runs, args.edits, os.getloadavg()[0]))
    opens = {name: [] for name, _, _ in variants}
    edits = {name: [] for name, _, _ in variants}
    try:
        for run in range(args.runs):
            shift = run % len(variants)
            for name, binary, tidy in variants[shift:] + variants[:shift]:
                workdir = os.path.join(scratch, "%s-%d" % (name.replace("/", "-"), run))
                os.makedirs(workdir)
                for config in ("compile_flags.txt", ".clang-tidy"):
                    shutil.copy(os.path.join(scratch, config), workdir)
                try:
                    opened, edited = session(binary, tidy, args, workdir)
                except LspError as err:
                    sys.exit("error: %s: %s; see %s" % (name, err,
                                                         os.path.join(workdir, "clangd.log")))
                opens[name].append(opened)
                edits[name].extend(edited)
                print("  run %d %-17s open %6.2f s (cpu %6.2f)  edits %s  load %.2f" % (
                    run + 1, name, opened[0], opened[1],
                    " ".join("%.2f" % wall for wall, _ in edited), os.getloadavg()[0]),
                    flush=True)
        tidy_times = []
        for run in range(args.tidy_time_runs):
            workdir = os.path.join(scratch, "tidy-time-%d" % run)
            os.makedirs(workdir)
            shutil.copy(os.path.join(scratch, "compile_flags.txt"), workdir)
            tidy_times.append(tidy_time(args, workdir))
            print("  tidy-time run %d: baseline AST %.0f ms, %s  load %.2f" % (
                run + 1, tidy_times[-1][0] / 1e6,
                ", ".join("%s %+.0f%%" % c for c in tidy_times[-1][1]), os.getloadavg()[0]),
                flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    if args.runs:
        print()
        print("median of %d runs (%d edits) per variant; wall (min..max) and server CPU"
              % (args.runs, args.runs * args.edits))
        print("%-17s %-40s %s" % ("variant", "didOpen -> diagnostics", "edit -> diagnostics"))
        for name, _, _ in variants:
            print("%-17s %-40s %s" % (name, describe(opens[name]), describe(edits[name])))
    if tidy_times:
        print()
        print("clangd --check-tidy-time over %d runs (fast: <= 8%% of the main-file AST build)"
              % len(tidy_times))
        by_check = {}
        for _, checks in tidy_times:
            for name, percent in checks:
                by_check.setdefault(name, []).append(percent)
        for name, percents in sorted(by_check.items()):
            worst = max(percents)
            print("  %-32s median %+.0f%%  worst %+.0f%%  %s" % (
                name, statistics.median(percents), worst, "fast" if worst <= 8 else "SLOW"))
    if args.runs:
        print()
        for base, _, _ in variants[:-1]:
            for what, samples in (("didOpen", opens), ("edit", edits)):
                print("ratio %-7s torch-clangd / %-16s wall %.3f  cpu %.3f%s" % (
                    what, base + ":", median(samples["torch-clangd"], 0) / median(samples[base], 0),
                    median(samples["torch-clangd"], 1) / median(samples[base], 1),
                    "  (target <= 1.05)" if (what, base) == ("didOpen", baseline) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
