// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch2
// RUN: %check_torch_tidy %s torch-undetached-recurrent-state %t -- -- %mock_torch -DHELPERS_LAST

// Detaching helpers are function summaries: the verdict does not depend on
// the order of the functions in the file (the third run defines every helper
// after the training loops), on the order the loops ask about them, on
// recursion, or on how deep the call chain to the detach() is.

#include <torch/torch.h>

torch::Tensor batch();

void leafDetach(torch::Tensor &H);
void callsLeaf(torch::Tensor &H);
void leafDetachLate(torch::Tensor &H);
void callsLeafLate(torch::Tensor &H);
void recA(torch::Tensor &H, int N);
void recB(torch::Tensor &H, int N);
void chain1(torch::Tensor &H);
void chain2(torch::Tensor &H);
void chain3(torch::Tensor &H);
void chain4(torch::Tensor &H);
void chain5(torch::Tensor &H);
void noDetach1(torch::Tensor &H, int N);
void noDetach2(torch::Tensor &H, int N);

#ifndef HELPERS_LAST
// The callee before its caller.
void leafDetach(torch::Tensor &H) { H = H.detach(); }
void callsLeaf(torch::Tensor &H) { leafDetach(H); }
// The caller before its callee.
void callsLeafLate(torch::Tensor &H) { leafDetachLate(H); }
void leafDetachLate(torch::Tensor &H) { H = H.detach(); }
// A recursive pair; only recA detaches, recB through recA.
void recA(torch::Tensor &H, int N) {
  if (N > 0)
    recB(H, N - 1);
  else
    H.detach_();
}
void recB(torch::Tensor &H, int N) { recA(H, N); }
// Five calls down to the detach.
void chain5(torch::Tensor &H) { H.detach_(); }
void chain4(torch::Tensor &H) { chain5(H); }
void chain3(torch::Tensor &H) { chain4(H); }
void chain2(torch::Tensor &H) { chain3(H); }
void chain1(torch::Tensor &H) { chain2(H); }
// A recursive pair that never detaches.
void noDetach1(torch::Tensor &H, int N) {
  if (N > 0)
    noDetach2(H, N - 1);
}
void noDetach2(torch::Tensor &H, int N) { noDetach1(H, N); }
#endif

// recA is asked about first: its partner's verdict must not be settled while
// recA's is still open.
void recursionAskedFromA(torch::nn::GRUCell Cell) {
  torch::Tensor H;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H);
    H.sum().backward();
    recA(H, 2); // no warning: detaches
  }
}

void helpersInAnyOrder(torch::nn::GRUCell Cell) {
  torch::Tensor H, G, K, L;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H);
    G = Cell(batch(), G);
    K = Cell(batch(), K);
    L = Cell(batch(), L);
    (H.sum() + G.sum() + K.sum() + L.sum()).backward();
    callsLeaf(H);     // no warning: the callee was defined first
    callsLeafLate(G); // no warning: the callee was defined last
    recB(K, 2);       // no warning: detaches through recA
    chain1(L);        // no warning: five calls deep
  }
}

void recursionWithoutDetach(torch::nn::GRUCell Cell) {
  torch::Tensor Q;
  for (int I = 0; I < 10; ++I) {
    Q = Cell(batch(), Q);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: recurrent state 'Q' is carried into this call across 'backward()' without 'detach()'
    Q.sum().backward();
    noDetach1(Q, 3);
  }
  // CHECK-FIXES:    Q.sum().backward();
  // CHECK-FIXES-NEXT:    Q = Q.detach();
  // CHECK-FIXES-NEXT:    noDetach1(Q, 3);
}

// The same helpers, asked about in the other order.
void helpersAskedInReverse(torch::nn::GRUCell Cell) {
  torch::Tensor H, G, K, L;
  for (int I = 0; I < 10; ++I) {
    H = Cell(batch(), H);
    G = Cell(batch(), G);
    K = Cell(batch(), K);
    L = Cell(batch(), L);
    (H.sum() + G.sum() + K.sum() + L.sum()).backward();
    chain2(L);         // no warning: four calls deep
    recA(K, 2);        // no warning
    leafDetach(G);     // no warning
    leafDetachLate(H); // no warning
  }
}

#ifdef HELPERS_LAST
void leafDetach(torch::Tensor &H) { H = H.detach(); }
void callsLeaf(torch::Tensor &H) { leafDetach(H); }
void callsLeafLate(torch::Tensor &H) { leafDetachLate(H); }
void leafDetachLate(torch::Tensor &H) { H = H.detach(); }
void recA(torch::Tensor &H, int N) {
  if (N > 0)
    recB(H, N - 1);
  else
    H.detach_();
}
void recB(torch::Tensor &H, int N) { recA(H, N); }
void chain5(torch::Tensor &H) { H.detach_(); }
void chain4(torch::Tensor &H) { chain5(H); }
void chain3(torch::Tensor &H) { chain4(H); }
void chain2(torch::Tensor &H) { chain3(H); }
void chain1(torch::Tensor &H) { chain2(H); }
void noDetach1(torch::Tensor &H, int N) {
  if (N > 0)
    noDetach2(H, N - 1);
}
void noDetach2(torch::Tensor &H, int N) { noDetach1(H, N); }
#endif
