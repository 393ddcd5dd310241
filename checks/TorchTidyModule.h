// SPDX-License-Identifier: Apache-2.0
// The anchor that keeps the torch- module in statically linked front ends.
#ifndef TORCH_TIDY_CHECKS_TORCHTIDYMODULE_H
#define TORCH_TIDY_CHECKS_TORCHTIDYMODULE_H

#include "llvm/Support/Compiler.h"

namespace clang::tidy {
extern volatile int TorchTidyModuleAnchorSource;
// NOLINTNEXTLINE(misc-use-internal-linkage)
static int LLVM_ATTRIBUTE_UNUSED TorchTidyModuleAnchorDestination =
    TorchTidyModuleAnchorSource;
} // namespace clang::tidy

#endif // TORCH_TIDY_CHECKS_TORCHTIDYMODULE_H
