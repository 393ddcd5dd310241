// A unit that includes a header the machine does not have: the torch- checks
// keep going past the missing #include (clang's fatal error becomes an
// ordinary error), so the training loop that parsed is still analysed, and the
// unit still fails with the error.
// RUN: not %torch_tidy --checks='-*,torch-*' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// RUN: not %clang_tidy_plugin --checks='-*,torch-*' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s
// CHECK: error: 'table_printer/table_printer.h' file not found [clang-diagnostic-error]
// CHECK-NOT: fatal error
// CHECK: :[[@LINE+28]]:11: warning: 'Total' accumulates a tensor that carries autograd history
// CHECK: error: unknown type name 'TablePrinter'
// CHECK: Found compiler error(s).
//
// Without a torch- check, clang-tidy behaves as it always has: the missing
// header is fatal and nothing after it is reported.
// RUN: not %torch_tidy --checks='-*,readability-braces-around-statements' %s -- -std=c++17 %mock_torch 2>&1 | FileCheck %s --check-prefix=NO-TORCH
// NO-TORCH: 'table_printer/table_printer.h' file not found
// NO-TORCH-NOT: unknown type name
//
// Inside the compiler, the compile stops where the compiler stops.
// RUN: not %clangxx -std=c++17 %mock_torch %plugin_flags -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=COMPILER
// COMPILER: fatal error: 'table_printer/table_printer.h' file not found
// COMPILER-NOT: unknown type name
// COMPILER-NOT: warning:

#include <torch/torch.h>
#include <table_printer/table_printer.h>

torch::Tensor batch();

void train(torch::nn::Linear Model, torch::optim::SGD &Opt) {
  torch::Tensor Total = torch::zeros({1});
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    torch::Tensor Loss = torch::mse_loss(Model(batch()), batch());
    Loss.backward();
    Opt.step();
    Total += Loss;
  }
  TablePrinter Printer;
  Printer.print(Total.item<float>());
}
