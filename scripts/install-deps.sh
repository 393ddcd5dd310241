#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages that torch-tidy builds and tests with; does nothing if present.
set -euo pipefail

packages=(
  cmake ninja-build python3 python3-jsonschema git
  clang-19 clang-tidy-19 clang-format-19 libclang-19-dev llvm-19-dev llvm-19-tools
  clang-16 clang-tidy-16 libclang-16-dev llvm-16-dev llvm-16-tools
  libtorch-dev libfmt-dev libgtest-dev
  libgrpc++-dev libabsl-dev libprotobuf-dev
  distcc ccache
  dpkg-dev pre-commit
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-deps: done"
