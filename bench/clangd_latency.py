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

The ratios reported are median(torch-clangd) / median(clangd-19), the target
being <= 1.05, and median(torch-clangd) / median(torch-clangd/off), which
isolates what the checks add. Wall time is what the user waits; server CPU
time (all its threads, from /proc) is less disturbed by other load on the
machine. Runs are sequential: one LibTorch parse at a time.
"""
import argparse
import os
import shutil
import statistics
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
        time.sleep(args.settle)
        sent = server.stamp()
        server.did_open(path, text)
        received, diagnostics = server.wait_diagnostics(path, 1, timeout=args.timeout)
        opened = (received.wall - sent.wall, received.cpu - sent.cpu)
        verify(diagnostics, tidy, path, log)
        edits = []
        for version in range(2, 2 + args.edits):
            # Below the preamble: an edit rebuilds the main-file AST only.
            text += "// edit %d\n" % version
            time.sleep(args.settle)
            sent = server.stamp()
            server.did_change(path, text, version)
            received, diagnostics = server.wait_diagnostics(path, version, timeout=args.timeout)
            edits.append((received.wall - sent.wall, received.cpu - sent.cpu))
            verify(diagnostics, tidy, path, log)
    return opened, edits


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
    parser.add_argument("--runs", type=int, default=5, help="runs per variant (default 5)")
    parser.add_argument("--edits", type=int, default=3, help="edits timed per run (default 3)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds to wait for any one answer")
    parser.add_argument("--settle", type=float, default=2,
                        help="idle seconds before each timed request (default 2)")
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
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print("median of %d runs (%d edits) per variant; wall (min..max) and server CPU"
          % (args.runs, args.runs * args.edits))
    print("%-17s %-40s %s" % ("variant", "didOpen -> diagnostics", "edit -> diagnostics"))
    for name, _, _ in variants:
        print("%-17s %-40s %s" % (name, describe(opens[name]), describe(edits[name])))
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
