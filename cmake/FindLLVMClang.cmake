# SPDX-License-Identifier: Apache-2.0
# Locates LLVM and Clang; the one place that knows which major versions are supported.
set(TORCH_TIDY_LLVM_MAJOR 19)
set(LLVM_DIR "/usr/lib/llvm-${TORCH_TIDY_LLVM_MAJOR}/lib/cmake/llvm" CACHE PATH "LLVM CMake package dir")
set(Clang_DIR "/usr/lib/llvm-${TORCH_TIDY_LLVM_MAJOR}/lib/cmake/clang" CACHE PATH "Clang CMake package dir")

# No version argument: LLVM's version file rejects a bare major version.
find_package(LLVM REQUIRED CONFIG)
if(NOT LLVM_VERSION_MAJOR EQUAL TORCH_TIDY_LLVM_MAJOR)
  message(FATAL_ERROR
    "torch-tidy supports LLVM/Clang ${TORCH_TIDY_LLVM_MAJOR} only; found ${LLVM_PACKAGE_VERSION} "
    "in ${LLVM_DIR}. Pass -DLLVM_DIR=/usr/lib/llvm-${TORCH_TIDY_LLVM_MAJOR}/lib/cmake/llvm "
    "-DClang_DIR=/usr/lib/llvm-${TORCH_TIDY_LLVM_MAJOR}/lib/cmake/clang")
endif()
find_package(Clang REQUIRED CONFIG)
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
