// Unusual shapes around recurrent state never crash the check and keep their verdicts.
// Source excerpts (which run to the fix-its, over the CHECK lines) are filtered out.
// RUN: not %torch_tidy --checks='-*,torch-undetached-recurrent-state' %s -- -std=c++17 %mock_torch 2>&1 | grep -Ev '^ *[0-9]* [|]' | FileCheck %s --implicit-check-not=warning:
// RUN: not %clang_tidy_plugin --checks='-*,torch-undetached-recurrent-state' %s -- -std=c++17 %mock_torch 2>&1 | grep -Ev '^ *[0-9]* [|]' | FileCheck %s --implicit-check-not=warning:
// CHECK-NOT: Stack dump

#include <torch/torch.h>

#include <tuple>
#include <vector>

torch::Tensor batch();

// A helper that recurses (and one only declared) is no detaching helper.
void spin(torch::Tensor &H, int N) {
  if (N > 0)
    spin(H, N - 1);
}
void declaredOnly(torch::Tensor &H);
void ping(torch::Tensor &H);
void pong(torch::Tensor &H) { ping(H); }
void ping(torch::Tensor &H) { pong(H); }

void helpersThatDoNotDetach(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int I = 0; I < 3; ++I) {
    H = Cell(batch(), H);
    // CHECK: :[[@LINE-1]]:9: warning: recurrent state 'H' is carried
    H.sum().backward();
    spin(H, 3);
    declaredOnly(H);
    ping(H);
  }
}

void rangeForAndDoWhile(torch::nn::GRUCell Cell, std::vector<torch::Tensor> Xs) {
  torch::Tensor H;
  for (const auto &X : Xs) {
    H = Cell(X, H);
    // CHECK: :[[@LINE-1]]:9: warning: recurrent state 'H' is carried
    H.sum().backward();
  }
  torch::Tensor G;
  int I = 0;
  do {
    G = Cell(batch(), I % 2 ? G : G * 2);
    // CHECK: :[[@LINE-1]]:9: warning: recurrent state 'G' is carried
    G.sum().backward();
  } while (++I < 3);
}

void gotoIsNoLoop(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  int I = 0;
again:
  H = Cell(batch(), H); // no loop statement: not analyzed
  H.sum().backward();
  if (++I < 3)
    goto again;
}

void nestedTuple(torch::nn::LSTM Lstm) {
  std::tuple<torch::Tensor, std::tuple<torch::Tensor, torch::Tensor>> Result;
  std::tuple<torch::Tensor, torch::Tensor> State;
  for (int I = 0; I < 3; ++I) {
    Result = Lstm(batch(), State);
    // CHECK: :[[@LINE-1]]:14: warning: recurrent state 'State' is carried
    auto &[Out, Next] = Result;
    State = Next;
    Out.sum().backward();
  }
}

void lambdaBodies(torch::nn::GRUCell Cell) {
  auto Train = [&](int Steps) {
    torch::Tensor H;
    while (Steps-- > 0) {
      H = Cell(batch(), H);
      // CHECK: :[[@LINE-1]]:11: warning: recurrent state 'H' is carried
      H.sum().backward();
    }
  };
  Train(3);
  auto Generic = [&](auto &&Module, torch::Tensor H) {
    for (int I = 0; I < 3; ++I) {
      H = Module(batch(), H); // dependent in the template: not analyzed
      H.sum().backward();
    }
  };
  Generic(Cell, torch::Tensor());
}

void brokenCode(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int I = 0; I < 3; ++I) {
    H = Cell(undeclared_input, H);
    H.sum().backward();
  }
}
// CHECK: error: use of undeclared identifier 'undeclared_input'
// CHECK: Found compiler error(s).
