#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes DIR/compile_commands.json for FILES (relative to DIR): make_db.py DIR FILE... -- FLAG...
import json
import os
import shlex
import sys


def main(argv):
    split = argv.index("--") if "--" in argv else len(argv)
    directory, files, flags = argv[0], argv[1:split], argv[split + 1:]
    directory = os.path.abspath(directory)
    entries = []
    for f in files:
        obj = os.path.splitext(os.path.basename(f))[0] + ".o"
        entries.append({
            "directory": directory,
            "file": f,
            "command": " ".join(shlex.quote(a) for a in ["clang++", *flags, "-c", f, "-o", obj]),
        })
    with open(os.path.join(directory, "compile_commands.json"), "w") as out:
        json.dump(entries, out, indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
