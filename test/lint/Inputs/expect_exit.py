#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs a command and fails unless it exits with the expected code: expect_exit.py CODE CMD...
import subprocess
import sys

code = int(sys.argv[1])
rc = subprocess.call(sys.argv[2:])
if rc != code:
    sys.stderr.write("expected exit code %d, got %d: %s\n" % (code, rc, " ".join(sys.argv[2:])))
    sys.exit(1)
