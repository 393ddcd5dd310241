#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Prints one line per finding of torch-lint JSON arrays (several files are merged, as shards are).
import json
import os
import sys

findings = []
for path in sys.argv[1:]:
    with open(path) as f:
        data = json.load(f)
    assert isinstance(data, list), "torch-lint JSON output is an array"
    findings.extend(data)
print("%d finding(s)" % len(findings))
for f in findings:
    print("%s %s %s:%d:%d notes=%d fixes=%d" % (
        f["severity"], f["check"], os.path.basename(f["file"]), f["line"], f["column"],
        len(f["notes"]), len(f["fixes"])))
