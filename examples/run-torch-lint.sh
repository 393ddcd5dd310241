#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures the examples for a compilation database and runs torch-lint on all of them.
# Usage: examples/run-torch-lint.sh [BUILD_DIR]   (default: <repo>/build/examples)
# Exits 0 with or without findings; 2 when something cannot be set up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build/examples}
lint=$root/build/bin/torch-lint
[ -x "$lint" ] || { echo "run-torch-lint: $lint not found; build first (cmake --build build)" >&2; exit 2; }
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$root/examples" -B "$build_dir" "${generator[@]}" >"$build_dir.configure.log" 2>&1 ||
  { echo "run-torch-lint: configuring examples failed (is libtorch-dev installed?); see $build_dir.configure.log" >&2; exit 2; }
set +e
"$lint" -p "$build_dir" "$root/examples"
rc=$?
set -e
# 1 means findings: the examples carry bugs on purpose.
[ "$rc" -le 1 ] || exit "$rc"
exit 0
