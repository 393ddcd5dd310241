#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Interrupts torch-lint once it has N worker processes, then reports its exit
# code and whether any worker outlived it:
#   interrupt.py {term|group-int} N DIR CMD...
# `term` sends SIGTERM to torch-lint alone (a CI job cancelled); `group-int`
# sends SIGINT to its whole process group (Ctrl-C on a terminal).
import os
import signal
import subprocess
import sys
import time


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    how, want, directory, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    proc = subprocess.Popen(cmd, cwd=directory, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Waits for the workers, not for a time: fails only if they never start.
    workers = []
    for _ in range(6000):
        workers = children(proc.pid)
        if len(workers) >= want or proc.poll() is not None:
            break
        time.sleep(0.01)
    if len(workers) < want:
        proc.kill()
        sys.exit("torch-lint never had %d workers (had %d)" % (want, len(workers)))
    if how == "term":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        sys.exit("torch-lint did not end after the signal")
    print("workers seen: %d" % len(workers))
    print("exit code: %d" % proc.returncode)
    print("workers alive: %d" % sum(1 for w in workers if alive(w)))
    sys.stdout.write(err)


if __name__ == "__main__":
    main()
