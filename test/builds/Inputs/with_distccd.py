#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Runs a command against a distccd of its own on 127.0.0.1, then stops it.
#   with_distccd.py [--pump DISTCC_PUMP] --distccd PATH --compiler PATH --dir DIR -- CMD...
# distccd listens on a free port of 127.0.0.1 only and accepts 127.0.0.1 only;
# CMD sees DISTCC_HOSTS for it (with ",cpp,lzo" and under distcc-pump with
# --pump) and DISTCC_FALLBACK=0, so a compile that cannot go remote fails
# instead of quietly running locally (--fallback: distcc's default, local). distccd's log is DIR/distccd.log. The
# daemon is stopped when CMD ends, fails or times out (--timeout seconds). The
# daemon runs --compiler only, named by its absolute path (DISTCC_CMDLIST), as
# CMake names the compiler.
import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, daemon, deadline):
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            return False
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--distccd", required=True)
    parser.add_argument("--pump", metavar="DISTCC_PUMP")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--fallback", action="store_true")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("no command")
    os.makedirs(os.path.join(args.dir, "distcc-client"), exist_ok=True)
    log = os.path.join(args.dir, "distccd.log")
    # Started by root, distccd drops to an unprivileged user that must still
    # be able to write its log.
    with open(log, "a"):
        pass
    os.chmod(log, 0o666)
    cmdlist = os.path.join(args.dir, "cmdlist")
    with open(cmdlist, "w") as f:
        f.write(args.compiler + "\n")
    # ... and a temporary directory it may use (lit's is private to root).
    tmp = os.path.join(args.dir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.chmod(tmp, 0o1777)
    daemon_env = dict(os.environ, DISTCC_CMDLIST=cmdlist, TMPDIR=tmp)
    for attempt in range(5):
        port = free_port()
        daemon = subprocess.Popen(
            [args.distccd, "--daemon", "--no-detach", "--listen", "127.0.0.1",
             "--allow", "127.0.0.1", "--port", str(port), "--jobs", "2",
             "--log-file", log, "--log-level", "info"],
            stdin=subprocess.DEVNULL, env=daemon_env, start_new_session=True)
        if wait_listening(port, daemon, time.monotonic() + 10):
            break
        daemon.kill()
        daemon.wait()
    else:
        sys.stderr.write("with_distccd: distccd did not start; see %s\n" % log)
        return 2
    env = dict(os.environ)
    env["DISTCC_DIR"] = os.path.join(args.dir, "distcc-client")
    env["DISTCC_FALLBACK"] = "1" if args.fallback else "0"
    env["DISTCC_HOSTS"] = "127.0.0.1:%d/2" % port + (",cpp,lzo" if args.pump else "")
    env.pop("DISTCC_POTENTIAL_HOSTS", None)
    if args.pump:
        cmd = [args.pump] + cmd
    try:
        return subprocess.run(cmd, env=env, timeout=args.timeout).returncode
    except subprocess.TimeoutExpired:
        sys.stderr.write("with_distccd: timed out after %g s\n" % args.timeout)
        return 124
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()


if __name__ == "__main__":
    sys.exit(main())
