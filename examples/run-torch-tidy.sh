#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures the examples for a compilation database and runs the torch- checks on each of them.
#
# Usage: examples/run-torch-tidy.sh [--torch-tidy PATH] [BUILD_DIR]
#   BUILD_DIR     where to configure the examples (default: <repo>/build/examples)
#   --torch-tidy  the torch-tidy binary (default: <repo>/build/bin/torch-tidy)
# Exits 0 whether or not there are findings; non-zero only when something could
# not be set up or run.
set -euo pipefail

prog=$(basename "$0")
root=$(cd "$(dirname "$0")/.." && pwd)
examples="$root/examples"

die() {
  echo "$prog: error: $*" >&2
  exit 2
}

abspath() {
  case $1 in
  /*) echo "$1" ;;
  *) echo "$PWD/$1" ;;
  esac
}

torch_tidy=$root/build/bin/torch-tidy
build_dir=$root/build/examples
while [ $# -gt 0 ]; do
  case $1 in
  --torch-tidy) [ $# -ge 2 ] || die "--torch-tidy needs a path"; torch_tidy=$2; shift 2 ;;
  --torch-tidy=*) torch_tidy=${1#*=}; shift ;;
  -h | --help) sed -n '5,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
  -*) die "unknown option '$1' (try --help)" ;;
  *) build_dir=$1; shift ;;
  esac
done
torch_tidy=$(abspath "$torch_tidy")
build_dir=$(abspath "$build_dir")

[ -x "$torch_tidy" ] || die "$torch_tidy not found or not executable; build torch-tidy first (cmake --build build) or pass --torch-tidy PATH"
"$torch_tidy" --checks='-*,torch-*' --list-checks 2>/dev/null | grep -q '^ *torch-' ||
  die "$torch_tidy lists no torch- checks (is it torch-tidy, with the torch module linked in?)"
command -v cmake >/dev/null || die "cmake not found on PATH"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
mkdir -p "$build_dir" || die "cannot create $build_dir"
log="$build_dir/configure.log"
echo "Configuring $examples into $build_dir ..."
cmake -S "$examples" -B "$build_dir" "${generator[@]}" >"$log" 2>&1 ||
  die "configuring the examples failed (is libtorch-dev installed?); see $log"
db="$build_dir/compile_commands.json"
[ -f "$db" ] || die "configure produced no $db"

shopt -s nullglob
sources=("$examples"/*.cpp)
[ ${#sources[@]} -gt 0 ] || die "no .cpp files in $examples"

findings=0
failed=()
for src in "${sources[@]}"; do
  echo
  echo "== ${src#"$root"/}"
  echo "   $torch_tidy -p $build_dir --checks='-*,torch-*' $src"
  set +e
  # "N warnings generated." counts warnings in LibTorch's headers that the
  # check list filters out anyway; drop it so that only findings remain.
  out=$("$torch_tidy" -p "$build_dir" --quiet --checks='-*,torch-*' "$src" 2>&1)
  rc=$?
  set -e
  out=$(grep -Ev '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' <<<"$out" || true)
  if [ -n "$out" ]; then
    echo "$out"
  else
    echo "   (no findings)"
  fi
  n=$(grep -Ec ': warning: .*\[torch-[a-z-]+(,[^]]*)?\]$' <<<"$out" || true)
  findings=$((findings + n))
  [ "$rc" -eq 0 ] || failed+=("${src#"$root"/} (exit $rc)")
done

echo
echo "$findings torch- finding(s) in ${#sources[@]} file(s)."
if [ ${#failed[@]} -gt 0 ]; then
  die "torch-tidy failed on: ${failed[*]}"
fi
exit 0
