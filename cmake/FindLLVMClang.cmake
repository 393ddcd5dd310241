# SPDX-License-Identifier: Apache-2.0
# Locates LLVM and Clang; the one place that knows which major versions are supported.
#
# Pick the major with -DTORCH_TIDY_LLVM=16 (Debian's /usr/lib/llvm-16), or point
# -DLLVM_DIR (and, if it is not LLVM_DIR's sibling, -DClang_DIR) at any
# installation of a supported major. The default is LLVM 19.
set(TORCH_TIDY_SUPPORTED_LLVM 19 16)
set(TORCH_TIDY_DEFAULT_LLVM 19)

if(NOT DEFINED LLVM_DIR)
  if(DEFINED TORCH_TIDY_LLVM)
    set(_major ${TORCH_TIDY_LLVM})
  else()
    set(_major ${TORCH_TIDY_DEFAULT_LLVM})
  endif()
  if(NOT _major IN_LIST TORCH_TIDY_SUPPORTED_LLVM)
    string(JOIN ", " _supported ${TORCH_TIDY_SUPPORTED_LLVM})
    message(FATAL_ERROR "TORCH_TIDY_LLVM=${_major}: torch-tidy builds against LLVM ${_supported}")
  endif()
  set(LLVM_DIR "/usr/lib/llvm-${_major}/lib/cmake/llvm" CACHE PATH "LLVM CMake package dir")
endif()
if(NOT DEFINED Clang_DIR)
  get_filename_component(_cmake_dir "${LLVM_DIR}" DIRECTORY)
  set(Clang_DIR "${_cmake_dir}/clang" CACHE PATH "Clang CMake package dir")
endif()

# No version argument: LLVM's version file rejects a bare major version.
find_package(LLVM REQUIRED CONFIG)
if(NOT LLVM_VERSION_MAJOR IN_LIST TORCH_TIDY_SUPPORTED_LLVM)
  string(JOIN ", " _supported ${TORCH_TIDY_SUPPORTED_LLVM})
  message(FATAL_ERROR
    "torch-tidy builds against LLVM/Clang ${_supported}; found ${LLVM_PACKAGE_VERSION} "
    "in ${LLVM_DIR}. Configure a fresh build directory with -DTORCH_TIDY_LLVM=19 (or 16)")
endif()
if(DEFINED TORCH_TIDY_LLVM AND NOT TORCH_TIDY_LLVM EQUAL LLVM_VERSION_MAJOR)
  message(FATAL_ERROR
    "TORCH_TIDY_LLVM=${TORCH_TIDY_LLVM}, but this build directory uses LLVM "
    "${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}: configure a fresh build directory "
    "(or pass -DLLVM_DIR=/usr/lib/llvm-${TORCH_TIDY_LLVM}/lib/cmake/llvm)")
endif()
set(TORCH_TIDY_LLVM ${LLVM_VERSION_MAJOR} CACHE STRING
  "LLVM/Clang major to build against (19 or 16)" FORCE)
set(TORCH_TIDY_LLVM_MAJOR ${LLVM_VERSION_MAJOR})

find_package(Clang REQUIRED CONFIG)
# Clang's package does not state its version: its headers must be the same major.
if(NOT EXISTS "${CLANG_INCLUDE_DIRS}/clang/Basic/Version.inc")
  message(FATAL_ERROR "no clang/Basic/Version.inc under ${CLANG_INCLUDE_DIRS} (Clang_DIR=${Clang_DIR})")
endif()
file(STRINGS "${CLANG_INCLUDE_DIRS}/clang/Basic/Version.inc" _clang_major
  REGEX "^#define CLANG_VERSION_MAJOR ")
string(REGEX REPLACE "^#define CLANG_VERSION_MAJOR ([0-9]+).*" "\\1" _clang_major "${_clang_major}")
if(NOT _clang_major EQUAL LLVM_VERSION_MAJOR)
  message(FATAL_ERROR "Clang_DIR=${Clang_DIR} is Clang ${_clang_major}, LLVM_DIR=${LLVM_DIR} "
    "is LLVM ${LLVM_VERSION_MAJOR}: point both at the same major")
endif()
message(STATUS "torch-tidy: LLVM ${LLVM_PACKAGE_VERSION} from ${LLVM_DIR}")

set(LLVM_TOOLS_BINARY_DIR "${LLVM_TOOLS_BINARY_DIR}" CACHE INTERNAL "")

# Follow LLVM's RTTI and exception settings for everything that links Clang.
function(torch_tidy_llvm_flags target)
  target_include_directories(${target} SYSTEM PRIVATE ${LLVM_INCLUDE_DIRS} ${CLANG_INCLUDE_DIRS})
  target_compile_definitions(${target} PRIVATE ${LLVM_DEFINITIONS})
  if(NOT LLVM_ENABLE_RTTI)
    target_compile_options(${target} PRIVATE -fno-rtti)
  endif()
  if(NOT LLVM_ENABLE_EH)
    target_compile_options(${target} PRIVATE -fno-exceptions)
  endif()
endfunction()
