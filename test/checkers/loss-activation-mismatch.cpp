// RUN: %check_torch_tidy %s torch-loss-activation-mismatch %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-loss-activation-mismatch %t -- -- %mock_torch2

#include <torch/torch.h>

namespace F = torch::nn::functional;

torch::Tensor batch();
torch::Tensor labels();

struct ProbNetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) {
    return torch::softmax(Fc(X), 1);
  }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(ProbNet);

struct GateImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) {
    if (X.dim() > 2)
      return Fc(X).sigmoid();
    return torch::sigmoid(Fc(X));
  }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Gate);

struct LogitNetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return Fc(X); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(LogitNet);

struct LogProbNetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return F::log_softmax(Fc(X), F::LogSoftmaxFuncOptions(1)); }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(LogProbNet);

struct MixedNetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) {
    if (X.dim() > 2)
      return torch::softmax(Fc(X), 1);
    return Fc(X);
  }
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(MixedNet);

// ---- Positives: directly -------------------------------------------------------

void direct(torch::Tensor X, torch::Tensor Y) {
  auto L1 = torch::nll_loss(torch::softmax(X, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L1 = torch::nll_loss(torch::log_softmax(X, 1), Y);
  auto L2 = F::nll_loss(X.softmax(1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L2 = F::nll_loss(X.log_softmax(1), Y);
  auto L3 = torch::nn::functional::cross_entropy(torch::log_softmax(X, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'log_softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L3 = torch::nn::functional::cross_entropy(X, Y);
  auto L4 = F::cross_entropy(torch::softmax(X, /*dim=*/1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L4 = F::cross_entropy(X, Y);
  auto L5 = torch::cross_entropy_loss(X.log_softmax(1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy_loss' applies log_softmax itself; its input is already normalised by 'log_softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L5 = torch::cross_entropy_loss(X, Y);
  auto L6 = F::cross_entropy(F::softmax(X, F::SoftmaxFuncOptions(1)), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L6 = F::cross_entropy(X, Y);
  auto L7 = F::cross_entropy(F::log_softmax(X, F::LogSoftmaxFuncOptions(1)), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'log_softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L7 = F::cross_entropy(X, Y);
  auto L8 = torch::binary_cross_entropy_with_logits(torch::sigmoid(X), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'binary_cross_entropy_with_logits' applies sigmoid itself; its input already went through 'sigmoid' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L8 = torch::binary_cross_entropy_with_logits(X, Y);
  auto L9 = F::binary_cross_entropy_with_logits(X.sigmoid(), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'binary_cross_entropy_with_logits' applies sigmoid itself; its input already went through 'sigmoid' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L9 = F::binary_cross_entropy_with_logits(X, Y);
  auto L10 = at::nll_loss(at::softmax(X * 2.0, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L10 = at::nll_loss(at::log_softmax(X * 2.0, 1), Y);
}

void directModules(torch::Tensor X, torch::Tensor Y) {
  torch::nn::CrossEntropyLoss Criterion;
  torch::nn::NLLLoss Nll;
  torch::nn::BCEWithLogitsLoss Bce;
  auto L1 = Criterion(torch::softmax(X, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'CrossEntropyLoss' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L1 = Criterion(X, Y);
  auto L2 = Criterion->forward(X.log_softmax(1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 'CrossEntropyLoss' applies log_softmax itself; its input is already normalised by 'log_softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L2 = Criterion->forward(X, Y);
  auto L3 = Nll(torch::softmax(X, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'NLLLoss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L3 = Nll(torch::log_softmax(X, 1), Y);
  auto L4 = Bce(torch::sigmoid(X), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'BCEWithLogitsLoss' applies sigmoid itself; its input already went through 'sigmoid' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L4 = Bce(X, Y);
}

// Without a fix: another dimension, a dtype, the functional softmax for
// nll_loss.
void directNoFix(torch::Tensor X, torch::Tensor Y) {
  auto L1 = F::cross_entropy(torch::softmax(X, 0), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L1 = F::cross_entropy(torch::softmax(X, 0), Y);
  auto L2 = F::cross_entropy(torch::softmax(X, 1, torch::kDouble), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L2 = F::cross_entropy(torch::softmax(X, 1, torch::kDouble), Y);
  auto L3 = F::nll_loss(F::softmax(X, F::SoftmaxFuncOptions(1)), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L3 = F::nll_loss(F::softmax(X, F::SoftmaxFuncOptions(1)), Y);
}

// ---- Positives: through variables ----------------------------------------------

void throughVariables(torch::Tensor X, torch::Tensor Y) {
  auto Probs = torch::softmax(X, 1);
  auto L1 = torch::nll_loss(Probs, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-3]]:16: note: the activation is applied here
  // CHECK-FIXES:  auto L1 = torch::nll_loss(Probs, Y);
  torch::Tensor LogProbs;
  LogProbs = X.log_softmax(1);
  auto L2 = F::cross_entropy(LogProbs, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'log_softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-3]]:16: note: the activation is applied here
  // CHECK-FIXES:  auto L2 = F::cross_entropy(LogProbs, Y);
  const auto &P = torch::sigmoid(X);
  auto Q = P;
  auto L3 = F::binary_cross_entropy_with_logits(Q, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'binary_cross_entropy_with_logits' applies sigmoid itself; its input already went through 'sigmoid' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-4]]:19: note: the activation is applied here
  // CHECK-FIXES:  auto L3 = F::binary_cross_entropy_with_logits(Q, Y);
}

void inLoop(torch::Tensor Y) {
  for (int I = 0; I < 10; ++I) {
    torch::Tensor Out = torch::softmax(batch(), 1);
    torch::Tensor Loss = torch::nll_loss(Out, Y);
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
    // CHECK-MESSAGES: :[[@LINE-3]]:25: note: the activation is applied here
    // CHECK-FIXES:    torch::Tensor Loss = torch::nll_loss(Out, Y);
    Loss.backward();
  }
}

void inLambda(torch::Tensor X, torch::Tensor Y) {
  auto Step = [&] {
    auto Probs = F::softmax(X, 1);
    return F::nll_loss(Probs, Y) + F::cross_entropy(F::softmax(X, 1), Y);
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
    // CHECK-MESSAGES: :[[@LINE-3]]:18: note: the activation is applied here
    // CHECK-MESSAGES: :[[@LINE-3]]:36: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
    // CHECK-FIXES:    return F::nll_loss(Probs, Y) + F::cross_entropy(X, Y);
  };
  Step().backward();
}

void otherDimension(torch::Tensor X, torch::Tensor Y) {
  auto L1 = F::cross_entropy(X.softmax(-1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L1 = F::cross_entropy(X.softmax(-1), Y);
}

// Flow-sensitive, not path-sensitive: the activation reaches the loss on
// one path.
void onePath(torch::Tensor X, torch::Tensor Y, bool Smooth) {
  auto P = torch::softmax(X, 1);
  if (Smooth)
    P = torch::log_softmax(X, 1);
  auto L1 = torch::nll_loss(P, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-5]]:12: note: the activation is applied here
  // CHECK-FIXES:  auto L1 = torch::nll_loss(P, Y);
}

// ---- Positives: through a module's forward -------------------------------------

void throughModules(ProbNet Net, Gate G, torch::Tensor X, torch::Tensor Y) {
  auto L1 = torch::nll_loss(Net(X), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-173]]:12: note: the activation is applied here
  // CHECK-FIXES:  auto L1 = torch::nll_loss(Net(X), Y);
  auto L2 = F::cross_entropy(Net->forward(X), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'cross_entropy' applies log_softmax itself; its input is already normalised by 'softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-177]]:12: note: the activation is applied here
  // CHECK-FIXES:  auto L2 = F::cross_entropy(Net->forward(X), Y);
  auto Out = G(X);
  auto L3 = torch::binary_cross_entropy_with_logits(Out, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'binary_cross_entropy_with_logits' applies sigmoid itself; its input already went through 'sigmoid' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-173]]:20: note: the activation is applied here
  // CHECK-FIXES:  auto L3 = torch::binary_cross_entropy_with_logits(Out, Y);
}

// ---- Macros and templates --------------------------------------------------------

#define NLL(Input, Target) torch::nll_loss(Input, Target)
#define PROBS(X) torch::softmax(X, 1)

void macros(torch::Tensor X, torch::Tensor Y) {
  auto L1 = NLL(torch::softmax(X, 1), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L1 = NLL(torch::softmax(X, 1), Y);
  auto L2 = torch::nll_loss(PROBS(X), Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  auto L2 = torch::nll_loss(PROBS(X), Y);
}

template <typename T> T scaled(torch::Tensor X, torch::Tensor Y, T Scale) {
  return Scale * torch::nll_loss(torch::softmax(X, 1), Y).template item<T>();
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-FIXES:  return Scale * torch::nll_loss(torch::log_softmax(X, 1), Y).template item<T>();
}
template float scaled<float>(torch::Tensor, torch::Tensor, float);

template <typename Net> torch::Tensor trainStep(Net &Model, torch::Tensor X, torch::Tensor Y) {
  auto Probs = torch::softmax(X, 1);
  return torch::nll_loss(Probs, Y);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'nll_loss' expects log-probabilities, but its input comes from 'softmax' [torch-loss-activation-mismatch]
  // CHECK-MESSAGES: :[[@LINE-3]]:16: note: the activation is applied here
  // CHECK-FIXES:  return torch::nll_loss(Probs, Y);
}

// ---- Negatives: the correct idioms ---------------------------------------------

void correct(LogitNet Net, LogProbNet LNet, MixedNet MNet, torch::Tensor X, torch::Tensor Y) {
  auto L1 = torch::nll_loss(torch::log_softmax(X, 1), Y);
  auto L2 = F::cross_entropy(X, Y);
  auto L3 = torch::binary_cross_entropy(torch::sigmoid(X), Y);
  auto L4 = F::binary_cross_entropy(X.sigmoid(), Y);
  auto L5 = torch::binary_cross_entropy_with_logits(X, Y);
  auto L6 = F::nll_loss(LNet(X), Y);
  auto L7 = F::cross_entropy(Net(X), Y);
  auto L8 = F::cross_entropy(MNet(X), Y);
  auto L9 = torch::nll_loss(F::log_softmax(X, F::LogSoftmaxFuncOptions(1)), Y);
}

void accuracyOnly(torch::Tensor Logits, torch::Tensor Y) {
  auto Probs = torch::softmax(Logits, 1);
  auto Acc = Probs.argmax(1).eq(Y);
  Acc.print();
  auto Loss = F::cross_entropy(Logits, Y);
  Loss.backward();
}

void reassigned(torch::Tensor X, torch::Tensor Y) {
  auto P = torch::softmax(X, 1);
  P = P.log();
  auto L1 = torch::nll_loss(P, Y);
  auto S = torch::sigmoid(X);
  S = batch();
  auto L2 = torch::binary_cross_entropy_with_logits(S, Y);
  auto Q = torch::softmax(X, 1);
  Q.clamp_(0.0);
  auto L3 = torch::nll_loss(Q, Y);
}

void hiddenActivation(LogitNet Net, torch::Tensor X, torch::Tensor Y) {
  auto H = torch::sigmoid(X);
  auto Out = Net(H);
  auto L1 = torch::binary_cross_entropy_with_logits(Out, Y);
  auto L2 = torch::binary_cross_entropy_with_logits(H * 2.0, Y);
}
