# SPDX-License-Identifier: Apache-2.0
# preamble-examples.test's edits, below the #include lines of every example:
# a function appended to each, and train_mlp.cpp's missing zero_grad() added.
import glob
import os
import sys

for path in glob.glob(os.path.join(sys.argv[1], "*.cpp")):
    with open(path) as f:
        text = f.read()
    if path.endswith("train_mlp.cpp"):
        fixed = text.replace("      loss.backward();",
                             "      optimizer.zero_grad();\n      loss.backward();", 1)
        assert fixed != text, "train_mlp.cpp no longer has the line this test edits"
        text = fixed
    with open(path, "w") as f:
        f.write(text + "\nint editedBelowTheIncludes() { return 1; }\n")
