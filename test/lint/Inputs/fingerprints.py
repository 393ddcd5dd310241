#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Compares the partialFingerprints of two torch-lint SARIF logs: fingerprints.py A.sarif B.sarif
import json
import sys


def prints(path):
    with open(path) as f:
        log = json.load(f)
    return sorted(r["partialFingerprints"]["torchLintIdentity/v1"]
                  for run in log["runs"] for r in run.get("results", []))


a, b = prints(sys.argv[1]), prints(sys.argv[2])
if a == b:
    print("same fingerprints: %d" % len(a))
else:
    print("different fingerprints: %s vs %s" % (a, b))
