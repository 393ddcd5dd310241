// SPDX-License-Identifier: Apache-2.0
// torch-tidy: clang-tidy's driver with the torch- checks linked in.

#include "TorchTidyModule.h"
#include "clang-tidy/tool/ClangTidyMain.h"
#include "utils/LlvmCompat.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int Argc, const char **Argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &OS) {
    OS << "torch-tidy " TORCH_TIDY_VERSION " (clang-tidy "
       << clang::tidy::torch::compat::llvmVersion()
       << " with the torch- checks for LibTorch)\n";
  });
  return clang::tidy::clangTidyMain(Argc, Argv);
}
