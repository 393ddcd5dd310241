// SPDX-License-Identifier: Apache-2.0
// torch-undetached-recurrent-state: recurrent state carried across training
// iterations without detach().
#ifndef TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H
#define TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H

#include "TorchCheck.h"
#include "model/Summaries.h"
#include "utils/AstWalk.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::torch {

/// Finds recurrent state carried across training iterations without detach().
///
/// A state is a tensor, a `std::tuple`/`std::pair` of them or an optional of
/// one, passed to a module's `forward` (`torch::nn::LSTM`, `GRU`, `RNN`, the
/// `*Cell` modules or any other) and assigned back from that call's output.
/// The check reports the call when some CFG path from it runs a `backward()`
/// and comes back to it with the state holding the call's output and no
/// detach, re-initialisation or detaching helper in between.
///
/// A module can also keep the state itself: its `forward` hands a field to a
/// module call and stores the call's output back in it (the summary fact
/// `StoresRecurrentState`). A call of such a module in a training loop is
/// reported when some path from it runs a `backward()` and comes back to it
/// without a member helper of that module that detaches or resets the state.
///
/// The analysis runs on the CFG of each function or lambda body that calls
/// `backward()` in a loop, and of each method, for its summary. It is
/// flow-sensitive, not path-sensitive: every branch is assumed to be taken on
/// some iteration. Calls between the functions of the translation unit are
/// followed through their summaries (`model::CallGraphSummaries`, in
/// strongly-connected-component order, with no depth cut-off): a call to a
/// function whose body (or a callee's) calls `detach()` or `detach_()` counts
/// as detaching the state it is given (or a field or global, which it can
/// reach). Grad mode at a call is decided by the innermost grad-mode guard
/// whose scope encloses it (`scope::innermostGuard`), so a re-enabling guard
/// inside a `NoGradGuard` scope records again. Which values a `backward()`
/// actually goes through is not tracked: any `backward()` on the path counts.
///
/// For the user-facing documentation see
/// docs/checks/undetached-recurrent-state.md.
class UndetachedRecurrentStateCheck : public TorchCheck {
public:
  UndetachedRecurrentStateCheck(StringRef Name, ClangTidyContext *Context)
      : TorchCheck(Name, Context) {}
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onStartOfTranslationUnit() override;

  /// The summary of a function of the translation unit; empty for one
  /// without a body or in a system header.
  model::FunctionSummary summaryOf(const FunctionDecl *FD) const {
    return FD ? Summaries.of(FD) : model::FunctionSummary();
  }

  /// Where a method stores a module call's output in the field that holds
  /// recurrent state.
  struct StateStore {
    const FieldDecl *Field = nullptr;
    const Stmt *Assignment = nullptr;
    /// The method whose body holds the assignment.
    const FunctionDecl *Method = nullptr;
  };
  /// The store of a method whose own body makes `StoresRecurrentState` hold,
  /// or of another method of its class; null when there is none.
  const StateStore *stateStoreOf(const FunctionDecl *FD) const;

private:
  void summarize();
  void analyzeBody(const Decl *D, Stmt *Body);
  void clear();

  ast::ParentIndex Parents;
  model::CallGraphSummaries Summaries;
  /// Per method (its summary key), where its own body stores state.
  llvm::DenseMap<const FunctionDecl *, StateStore> StateStores;
};

} // namespace clang::tidy::torch

#endif // TORCH_TIDY_CHECKS_UNDETACHEDRECURRENTSTATECHECK_H
