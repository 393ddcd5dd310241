// SPDX-License-Identifier: Apache-2.0
// Registers every torch- check with clang-tidy.

#include "BackwardUnderNoGradCheck.h"
#include "DiscardedTensorResultCheck.h"
#include "EvalWithoutNoGradCheck.h"
#include "FrozenParamInOptimizerCheck.h"
#include "InplaceLeafUpdateCheck.h"
#include "LossActivationMismatchCheck.h"
#include "LossHistoryAccumulationCheck.h"
#include "MissingEvalModeCheck.h"
#include "MissingZeroGradCheck.h"
#include "TrainModeNotRestoredCheck.h"
#include "UndetachedRecurrentStateCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

namespace clang::tidy::torch {

class TorchTidyModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    // Keep sorted.
    Factories.registerCheck<BackwardUnderNoGradCheck>(
        "torch-backward-under-no-grad");
    Factories.registerCheck<DiscardedTensorResultCheck>(
        "torch-discarded-tensor-result");
    Factories.registerCheck<EvalWithoutNoGradCheck>(
        "torch-eval-without-no-grad");
    Factories.registerCheck<FrozenParamInOptimizerCheck>(
        "torch-frozen-param-in-optimizer");
    Factories.registerCheck<InplaceLeafUpdateCheck>(
        "torch-inplace-leaf-update");
    Factories.registerCheck<LossActivationMismatchCheck>(
        "torch-loss-activation-mismatch");
    Factories.registerCheck<LossHistoryAccumulationCheck>(
        "torch-loss-history-accumulation");
    Factories.registerCheck<MissingEvalModeCheck>("torch-missing-eval-mode");
    Factories.registerCheck<MissingZeroGradCheck>("torch-missing-zero-grad");
    Factories.registerCheck<TrainModeNotRestoredCheck>(
        "torch-train-mode-not-restored");
    Factories.registerCheck<UndetachedRecurrentStateCheck>(
        "torch-undetached-recurrent-state");
  }
};

} // namespace clang::tidy::torch

namespace clang::tidy {

static ClangTidyModuleRegistry::Add<torch::TorchTidyModule>
    X("torch-module", "Checks for autograd mistakes in LibTorch code.");

// Referenced by every front end so that a static link keeps this module.
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int TorchTidyModuleAnchorSource = 0;

} // namespace clang::tidy
