#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lints torch-tidy's own sources with its own binary and .clang-tidy, and checks their formatting.
# Usage: scripts/self_lint.sh BUILD_DIR [CLANG_FORMAT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: self_lint.sh BUILD_DIR [CLANG_FORMAT]}
clang_format=${2:-clang-format-19}
cd "$root"

mapfile -t sources < <(git ls-files 'checks/*.cpp' 'checks/*.h' 'lint/*.cpp' 'lint/*.h' 2>/dev/null ||
  find checks lint -name '*.cpp' -o -name '*.h')
[ ${#sources[@]} -gt 0 ] || { echo "self_lint: no sources found" >&2; exit 2; }

echo "self_lint: $clang_format --dry-run --Werror on ${#sources[@]} files"
"$clang_format" --dry-run --Werror "${sources[@]}"

tus=()
for f in "${sources[@]}"; do
  case $f in *.cpp) tus+=("$f") ;; esac
done
echo "self_lint: $build/bin/torch-tidy on ${#tus[@]} translation units"
printf '%s\n' "${tus[@]}" |
  xargs -P 2 -I{} sh -c '"$0"/bin/torch-tidy -p "$0" --quiet "$1" 2>&1 | grep -Ev "^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed|^Use -header-filter|^$" ; exit 0' "$build" {} |
  tee "$build/self-lint.log"
if grep -Eq "(warning|error):" "$build/self-lint.log"; then
  echo "self_lint: FAILED (see above)"
  exit 1
fi
echo "self_lint: clean"
