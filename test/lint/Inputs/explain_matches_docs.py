#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Checks that `torch-lint --explain CHECK` prints, for every check of docs/checks/README.md, its
# page's title, summary paragraph, "Fix safety" line, "Why it matters in training", "Example" and
# "Options" sections exactly, and that --list-checks shows its fix safety and one-line summary.
# explain_matches_docs.py DOCS_DIR TORCH_LINT
import os
import re
import subprocess
import sys


def section(lines, title):
    start = lines.index("## " + title)
    end, in_code = len(lines), False
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("```"):
            in_code = not in_code
        if not in_code and lines[i].startswith("## "):
            end = i
            break
    body = lines[start:end]
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(body)


def expected(page_path):
    with open(page_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    summary = []
    for line in lines[2:]:
        if not line.strip():
            break
        summary.append(line)
    safety = [l for l in lines if l.startswith("Fix safety: **")]
    assert len(safety) == 1, "%s: one 'Fix safety' line" % page_path
    safety_line = safety[0].replace("**", "", 2)
    parts = [lines[0], "\n".join(summary), safety_line,
             section(lines, "Why it matters in training"), section(lines, "Example"),
             section(lines, "Options")]
    return "\n\n".join(parts), re.match(r"Fix safety: (\w+)", safety_line).group(1)


def main(docs, lint):
    rows = []
    with open(os.path.join(docs, "README.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\|\s*\[(torch-[a-z0-9-]+)\]\(([^)]+)\)\s*\|\s*(.*?)\s*\|\s*$", line)
            if m:
                rows.append(m.groups())
    listing = subprocess.run([lint, "--list-checks"], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout.splitlines()
    failed = False
    for check, page, row in sorted(rows):
        text, safety = expected(os.path.join(docs, page))
        out = subprocess.run([lint, "--explain=" + check], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
        body, _, link = out.rstrip("\n").rpartition("\n\n")
        if body != text:
            failed = True
            print("MISMATCH %s\n--- expected\n%s\n--- got\n%s" % (check, text, body))
            continue
        if not (link.startswith("Documentation: ") and link.endswith("/" + page)):
            failed = True
            print("BAD LINK %s: %s" % (check, link))
            continue
        entry = [l.split() for l in listing if l.split()[:1] == [check]]
        if not entry or entry[0][1:3] != ["fix:", safety] or \
                " ".join(entry[0][3:]) != " ".join(row.replace("`", "").split()):
            failed = True
            print("BAD LISTING %s: %s" % (check, entry))
            continue
        print("explained %s (fix: %s)" % (check, safety))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
