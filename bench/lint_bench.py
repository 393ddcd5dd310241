#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Benchmarks torch-lint on a generated project of real LibTorch training units (not a timed test).
"""Generates N LibTorch training units plus M units that never include LibTorch,
writes their compilation database, and prints side by side:

  cold torch-lint  vs  run-clang-tidy-19 -load libTorchTidy.so   (target <= 1.0)
  warm cache       vs  cold                                      (target <= 0.05)
  -j2              vs  -j1                                       (target <= 0.6)
  non-LibTorch units skipped vs parsed (--no-skip)               (target <= 0.1)
  re-lint of one unit whose body was edited, warm cache, vs its
  cold lint                                                       (target <= 0.3)
  the same unit with an empty cache (it builds its preamble) vs
  its cold lint                                                   (no target: the
                                                                   price of the above)

and the size of the cache directory per unit: results, and the precompiled
preambles (one per distinct set of #include lines and flags; the generated
units all share one).

Usage: bench/lint_bench.py [--build build] [--units 16] [--plain 8] [--work DIR]
Needs libtorch-dev (headers in /usr/include/torch/csrc/api/include). Uses two
cores for the -j2 runs: run it on a machine nobody else is compiling on.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

LIBTORCH = "/usr/include/torch/csrc/api/include"

TRAIN = """#include <torch/torch.h>

struct Net{i}Impl : torch::nn::Module {{
  Net{i}Impl() : Fc1(register_module("fc1", torch::nn::Linear(8, 16))),
                 Fc2(register_module("fc2", torch::nn::Linear(16, 1))) {{}}
  torch::Tensor forward(torch::Tensor X) {{ return Fc2(torch::relu(Fc1(X))); }}
  torch::nn::Linear Fc1, Fc2;
}};
TORCH_MODULE(Net{i});

double train{i}(int Epochs) {{
  torch::manual_seed({i});
  Net{i} Model;
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.01));
  auto X = torch::randn({{64, 8}});
  auto Y = torch::randn({{64, 1}});
  double Last = 0;
  for (int E = 0; E < Epochs; ++E) {{
    auto Loss = torch::mse_loss(Model(X), Y);
    Loss.backward();
    Opt.step();
    Last = Loss.item<double>();
  }}
  return Last;
}}
"""

PLAIN = """#include <algorithm>
#include <map>
#include <string>
#include <vector>

std::map<std::string, int> count{i}(const std::vector<std::string> &Words) {{
  std::map<std::string, int> Out;
  for (const auto &W : Words)
    ++Out[W];
  return Out;
}}
"""


def generate(work, units, plain):
    src = os.path.join(work, "src")
    os.makedirs(src, exist_ok=True)
    entries = []
    flags = ["-std=c++17", "-isystem", LIBTORCH]
    for i in range(units):
        name = "train%02d.cpp" % i
        # Every other unit forgets zero_grad(): the check has findings to report.
        body = TRAIN.format(i=i)
        if i % 2:
            body = body.replace("    auto Loss", "    Opt.zero_grad();\n    auto Loss")
        with open(os.path.join(src, name), "w") as f:
            f.write(body)
        entries.append(name)
    plains = []
    for i in range(plain):
        name = "plain%02d.cpp" % i
        with open(os.path.join(src, name), "w") as f:
            f.write(PLAIN.format(i=i))
        plains.append(name)
    db = [{"directory": src, "file": n,
           "arguments": ["clang++", *flags, "-c", n, "-o", n + ".o"]} for n in entries + plains]
    with open(os.path.join(work, "compile_commands.json"), "w") as f:
        json.dump(db, f, indent=1)
    return [os.path.join(src, n) for n in entries], [os.path.join(src, n) for n in plains]


def timed(cmd, ok=(0, 1)):
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode not in ok:
        sys.exit("failed (%d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stderr[-2000:]))
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--units", type=int, default=16)
    ap.add_argument("--plain", type=int, default=8)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    if args.units < 16:
        sys.exit("--units must be at least 16")
    if not os.path.exists(os.path.join(LIBTORCH, "torch", "torch.h")):
        sys.exit("LibTorch headers not found in %s (install libtorch-dev)" % LIBTORCH)
    lint = os.path.abspath(os.path.join(args.build, "bin", "torch-lint"))
    plugin = os.path.abspath(os.path.join(args.build, "lib", "libTorchTidy.so"))
    rct = shutil.which("run-clang-tidy-19") or "/usr/lib/llvm-19/bin/run-clang-tidy"
    work = args.work or tempfile.mkdtemp(prefix="lint-bench-")
    torch_units, plain_units = generate(work, args.units, args.plain)
    cache = os.path.join(work, "cache")
    base = [lint, "-p", work, "--quiet"]

    cold_j2 = timed(base + ["-j2"] + torch_units)
    clang_tidy_j2 = timed([rct, "-quiet", "-j", "2", "-p", work, "-load", plugin,
                           "-checks=-*,torch-*", "-clang-tidy-binary",
                           "/usr/lib/llvm-19/bin/clang-tidy"] + torch_units)
    cold_cache = timed(base + ["-j2", "--cache-dir", cache] + torch_units)
    warm_cache = timed(base + ["-j2", "--cache-dir", cache] + torch_units)
    # The common edit: one .cpp's body changes, no header. Its cold lint, then
    # (with every unit cached) the re-lint after a change below its includes.
    edited = torch_units[0]
    one_cold = timed(base + ["-j1"] + [edited])
    with open(edited, "a") as f:
        f.write("\nint editedByBench() { return 1; }\n")
    one_warm = timed(base + ["-j1", "--cache-dir", cache] + [edited])
    one_building = timed(base + ["-j1", "--cache-dir", os.path.join(work, "cache-one")] + [edited])
    preamble_dir = os.path.join(cache, "preamble")
    cache_bytes = sum(os.path.getsize(os.path.join(d, n))
                      for d, _, names in os.walk(cache) for n in names
                      if d != preamble_dir)
    preamble_names = os.listdir(preamble_dir) if os.path.isdir(preamble_dir) else []
    preamble_bytes = sum(os.path.getsize(os.path.join(preamble_dir, n)) for n in preamble_names)
    preambles = sum(n.endswith(".pch") for n in preamble_names)
    cold_j1 = timed(base + ["-j1"] + torch_units)
    skipped = timed(base + ["-j1"] + plain_units)
    parsed = timed(base + ["-j1", "--no-skip"] + plain_units)

    rows = [
        ("torch-lint cold -j2 vs run-clang-tidy -j2", cold_j2, clang_tidy_j2, 1.0),
        ("warm cache vs cold (-j2)", warm_cache, cold_cache, 0.05),
        ("-j2 vs -j1 (cold)", cold_j2, cold_j1, 0.6),
        ("non-LibTorch units: skipped vs parsed", skipped, parsed, 0.1),
        ("one edited unit: warm cache vs cold (-j1)", one_warm, one_cold, 0.3),
        ("one unit, empty cache vs cold (-j1)", one_building, one_cold, None),
    ]
    print("%d LibTorch units, %d non-LibTorch units in %s" % (args.units, args.plain, work))
    print("%-44s %9s %9s %7s %7s" % ("comparison", "ours (s)", "ref (s)", "ratio", "target"))
    for name, ours, ref, target in rows:
        ratio = ours / ref if ref else float("inf")
        if target is None:
            print("%-44s %9.2f %9.2f %7.3f %7s" % (name, ours, ref, ratio, "-"))
            continue
        print("%-44s %9.2f %9.2f %7.3f %7s %s" % (name, ours, ref, ratio, "<= %g" % target,
                                                   "ok" if ratio <= target else "MISSED"))
    print("cache: results %.1f KiB per unit (%d units); preambles: %d, %.1f MiB in all"
          % (cache_bytes / 1024.0 / len(torch_units), len(torch_units), preambles,
             preamble_bytes / 1048576.0))


if __name__ == "__main__":
    main()
