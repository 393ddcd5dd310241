#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds torch-tidy-MAJOR with cpack, installs it with apt-get, uses it from the
# installed paths, purges it, and prints what the test checks. The caller holds
# a lock (flock) so that two runs on one machine do not install at once; the
# package is purged however the script ends.
#   deb-roundtrip.sh CPACK BUILD_DIR SRC_DIR TMP MAJOR CLANGXX CMAKE NINJA LIBTORCH_INCLUDE
set -euo pipefail
cpack=$1 obj=$2 src=$3 tmp=$4 major=$5 clangxx=$6 cmake=$7 ninja=$8 libtorch=$9
pkg=torch-tidy-$major
llvm=/usr/lib/llvm-$major
mock=$src/test/checkers/Inputs/libtorch
examples=$src/test/builds/Inputs/examples
export DEBIAN_FRONTEND=noninteractive

echo "== cpack"
"$cpack" -G DEB --config "$obj/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1
deb=$(echo "$tmp/pkg/${pkg}"_*.deb)
echo "package: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ */depends: /'
# Every file lies under the major's directories.
dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' |
  grep -Ev "^\./usr/(lib/llvm-$major/|lib/cmake/TorchTidy-$major/|bin/[a-z-]+-$major$|share/doc/$pkg/)" |
  sed 's/^/unexpected path: /' || true

echo "== install"
trap 'apt-get purge -y "$pkg" >>"$tmp/apt.log" 2>&1 || true' EXIT
apt-get install -y "$deb" >"$tmp/apt.log" 2>&1
dpkg-query -W -f='installed: ${Package} ${Version}\n' "$pkg"
files=("$llvm/bin/torch-tidy" "$llvm/bin/torch-lint" "$llvm/lib/libTorchTidy.so"
  "$llvm/lib/libTorchTidyCompilerPlugin.so" "$llvm/lib/cmake/TorchTidy/TorchTidyConfig.cmake"
  "$llvm/lib/cmake/TorchTidy/TorchTidyTargets.cmake" "/usr/lib/cmake/TorchTidy-$major/TorchTidyConfig.cmake"
  "/usr/bin/torch-tidy-$major" "/usr/bin/torch-lint-$major"
  "/usr/share/doc/$pkg/README.md" "/usr/share/doc/$pkg/CHANGELOG.md" "/usr/share/doc/$pkg/copyright"
  "/usr/share/doc/$pkg/docs/build.md" "/usr/share/doc/$pkg/docs/checks/missing-zero-grad.md")
[ ! -e "$obj/bin/torch-clangd" ] || files+=("$llvm/bin/torch-clangd" "/usr/bin/torch-clangd-$major")
for f in "${files[@]}"; do
  if [ -e "$f" ]; then echo "present: $f"; else echo "missing: $f"; fi
done
for f in "$llvm"/bin/torch-* "$llvm"/lib/libTorchTidy*.so; do
  runpath=$(readelf -d "$f" | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]/\2/p')
  echo "runpath: $f: ${runpath:-none}"
  case "$runpath" in *"$obj"*|*"$src"*) echo "runpath into the build tree: $f" ;; esac
  ! ldd "$f" | grep 'not found' | sed "s|^|unresolved in $f: |"
done
update-alternatives --query torch-tidy | grep -E '^Value:' | sed 's/^/alternatives: /'
echo "resolves: $(readlink -f /usr/bin/torch-tidy) $(readlink -f /usr/bin/torch-lint)"
/usr/bin/torch-tidy --version | grep torch-tidy
/usr/bin/torch-lint --version | grep torch-lint

echo "== clang-tidy --load"
mkdir -p "$tmp/examples"
cp "$src/examples/train_mlp.cpp" "$tmp/examples/"
"clang-tidy-$major" --load "$llvm/lib/libTorchTidy.so" '--checks=-*,torch-*' \
  "$tmp/examples/train_mlp.cpp" -- -std=c++17 -isystem "$libtorch" 2>"$tmp/clang-tidy.stderr"

echo "== compiler plugin"
mkdir -p "$tmp/plugin"
cp "$examples/train_mlp.cpp" "$tmp/plugin/"
"$clangxx" "-fplugin=$llvm/lib/libTorchTidyCompilerPlugin.so" -std=c++17 -isystem "$mock" \
  -fsyntax-only "$tmp/plugin/train_mlp.cpp" 2>&1 | grep 'warning:'

echo "== find_package"
mkdir -p "$tmp/project"
cp "$src/test/builds/Inputs/installed/CMakeLists.txt" "$examples/train_mlp.cpp" "$examples/evaluate.cpp" "$tmp/project/"
# PATH as a user has it (lit puts LLVM's bin first, whose prefix holds the package).
env PATH=/usr/bin:/bin "$cmake" -G Ninja "-DCMAKE_MAKE_PROGRAM=$ninja" "-DCMAKE_CXX_COMPILER=$clangxx" "-DMOCK_LIBTORCH=$mock" \
  -S "$tmp/project" -B "$tmp/project/b" >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log"; exit 1; }
grep -E 'TorchTidy [0-9]' "$tmp/configure.log"
grep '^TorchTidy_DIR' "$tmp/project/b/CMakeCache.txt"
"$cmake" --build "$tmp/project/b" 2>&1 | grep 'warning:'

echo "== purge"
apt-get purge -y "$pkg" >>"$tmp/apt.log" 2>&1
trap - EXIT
dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | sed 's/^/status: /' || echo "status: unknown"
for f in "${files[@]}" /usr/bin/torch-tidy /usr/bin/torch-lint /usr/bin/torch-clangd \
  "$llvm/lib/cmake/TorchTidy" "/usr/lib/cmake/TorchTidy-$major" "/usr/share/doc/$pkg"; do
  if [ -e "$f" ] || [ -L "$f" ]; then echo "left behind: $f"; fi
done
update-alternatives --query torch-tidy >/dev/null 2>&1 && echo "left behind: the torch-tidy alternative"
echo "== done"
