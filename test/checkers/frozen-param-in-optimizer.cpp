// The fix changes what trains, so it sits on a note: --fix-notes applies it,
// plain -fix leaves the code as it is (the SAFE run).
// RUN: %check_torch_tidy -fix-notes %s torch-frozen-param-in-optimizer %t -- -- %mock_torch
// RUN: %check_torch_tidy -fix-notes %s torch-frozen-param-in-optimizer %t -- -- %mock_torch2
// RUN: %check_torch_tidy -check-suffix=SAFE %s torch-frozen-param-in-optimizer %t -- -- %mock_torch

#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <vector>

struct BackboneImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X);
  torch::nn::Linear Conv{nullptr};
  torch::nn::Linear Proj{nullptr};
};
TORCH_MODULE(Backbone);

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X);
  Backbone Features{nullptr};
  torch::nn::Linear Fc{nullptr};
};
TORCH_MODULE(Net);

void train(torch::optim::Optimizer &Opt);
torch::Tensor batch();

#define ALL_PARAMS(M) (M)->parameters()

// ---- Positives: freezing before the construction ----------------------------

void byValue(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model' [torch-frozen-param-in-optimizer]
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Features' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: build the optimizer from the parameters that stay trainable
  train(Opt);
  // CHECK-FIXES-SAFE:void byValue(Net Model) {
  // CHECK-FIXES-SAFE-NEXT:  for (auto &P : Model->Features->parameters())
  // CHECK-FIXES-SAFE-NEXT:    P.requires_grad_(false);
  // CHECK-FIXES-SAFE-NEXT:  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  // CHECK-FIXES:void byValue(Net Model) {
  // CHECK-FIXES-NEXT:  for (auto &P : Model->Features->parameters())
  // CHECK-FIXES-NEXT:    P.requires_grad_(false);
  // CHECK-FIXES-NEXT:  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
}

void makeSharedSingleParameter(Net Model) {
  Model->Fc->weight.requires_grad_(false);
  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: parameter 'weight' is frozen here
  train(*Opt);
  // CHECK-FIXES:void makeSharedSingleParameter(Net Model) {
  // CHECK-FIXES-NEXT:  Model->Fc->weight.requires_grad_(false);
  // CHECK-FIXES-NEXT:  auto Opt = std::make_shared<torch::optim::Adam>(Model->parameters());
}

void makeUniqueSetRequiresGrad(Net Model) {
  Model->Features->Proj->bias.set_requires_grad(false);
  auto Opt = std::make_unique<torch::optim::AdamW>(
      // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: optimizer receives frozen parameters of 'Features'
      // CHECK-MESSAGES: :[[@LINE-3]]:31: note: parameter 'bias' is frozen here
      Model->Features->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
  train(*Opt);
  // CHECK-FIXES:void makeUniqueSetRequiresGrad(Net Model) {
  // CHECK-FIXES:      Model->Features->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
}

// Freezing through a local handle to the submodule.
void newThroughAlias(Net Model) {
  auto Frozen = Model->Features;
  for (auto &P : Frozen->parameters())
    P.requires_grad_(false);
  std::unique_ptr<torch::optim::Optimizer> Opt(new torch::optim::SGD(Model->parameters()));
  // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Features' are frozen here
  train(*Opt);
  // CHECK-FIXES:void newThroughAlias(Net Model) {
  // CHECK-FIXES:  std::unique_ptr<torch::optim::Optimizer> Opt(new torch::optim::SGD(Model->parameters()));
}

// named_parameters() filtered by name, and a vector initialised from parameters().
void vectorFromParameters(Net Model) {
  std::vector<torch::Tensor> Params = Model->parameters();
  for (auto &Item : Model->named_parameters())
    if (Item.key().rfind("Features.", 0) == 0)
      Item.value().requires_grad_(false);
  torch::optim::SGD Opt(Params, torch::optim::SGDOptions(0.01).weight_decay(1e-4));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:20: note: some parameters of 'Model' are frozen here
  train(Opt);
  // CHECK-FIXES:void vectorFromParameters(Net Model) {
  // CHECK-FIXES:  torch::optim::SGD Opt(Params, torch::optim::SGDOptions(0.01).weight_decay(1e-4));
}

void namedParameterValues(Net Model) {
  for (auto &Item : Model->named_parameters()) {
    if (Item.key().find("Fc") != std::string::npos)
      continue;
    Item->requires_grad_(false);
  }
  torch::optim::Adam Opt(Model->named_parameters().values());
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Model'
    // CHECK-MESSAGES: :[[@LINE-4]]:11: note: some parameters of 'Model' are frozen here
  train(Opt);
  // CHECK-FIXES:void namedParameterValues(Net Model) {
  // CHECK-FIXES:  torch::optim::Adam Opt(Model->named_parameters().values());
}

// A vector filled with every named_parameters() value; one tensor frozen by name.
void vectorFilledFromNamedParameters(Net Model) {
  std::vector<torch::Tensor> Params;
  for (auto &Item : Model->named_parameters())
    Params.push_back(Item.value());
  Model->named_parameters()["Fc.weight"].requires_grad_(false);
  auto Opt = std::make_shared<torch::optim::RMSprop>(Params);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:42: note: some parameters of 'Model' are frozen here
  train(*Opt);
  // CHECK-FIXES:void vectorFilledFromNamedParameters(Net Model) {
  // CHECK-FIXES:  auto Opt = std::make_shared<torch::optim::RMSprop>(Params);
}

// Freezing the whole model and re-enabling only the head leaves the
// backbone frozen in an optimizer over everything.
void partlyReEnabled(Net Model) {
  for (auto &P : Model->parameters())
    P.requires_grad_(false);
  for (auto &P : Model->Fc->parameters())
    P.requires_grad_(true);
  torch::optim::SGD Opt(Model->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-5]]:7: note: parameters of 'Model' are frozen here
  train(Opt);
  // CHECK-FIXES:void partlyReEnabled(Net Model) {
  // CHECK-FIXES:  torch::optim::SGD Opt(Model->parameters());
}

void addParamGroup(Net Model, torch::optim::SGD &Opt) {
  Model->Fc->bias.requires_grad_(false);
  Opt.add_param_group(torch::optim::OptimizerParamGroup(Model->Fc->parameters()));
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: optimizer receives frozen parameters of 'Fc'
  // CHECK-MESSAGES: :[[@LINE-3]]:19: note: parameter 'bias' is frozen here
  // CHECK-FIXES:void addParamGroup(Net Model, torch::optim::SGD &Opt) {
  // CHECK-FIXES-NEXT:  Model->Fc->bias.requires_grad_(false);
  // CHECK-FIXES-NEXT:  Opt.add_param_group(torch::optim::OptimizerParamGroup(Model->Fc->parameters()));
}

void addParameters(Net Model, torch::optim::Adam *Opt) {
  for (auto &P : Model->Features->Conv->parameters())
    P.requires_grad_(false);
  Opt->add_parameters(Model->Features->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: optimizer receives frozen parameters of 'Features'
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Conv' are frozen here
  // CHECK-FIXES:void addParameters(Net Model, torch::optim::Adam *Opt) {
  // CHECK-FIXES:  Opt->add_parameters(Model->Features->parameters());
}

// Parameter groups: only the group holding the frozen tensor is filtered.
void parameterGroups(Net Model) {
  Model->Fc->weight.requires_grad_(false);
  torch::optim::SGD Opt({torch::optim::OptimizerParamGroup(Model->Features->parameters()),
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Fc'
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: parameter 'weight' is frozen here
                         torch::optim::OptimizerParamGroup(Model->Fc->parameters())});
  train(Opt);
  // CHECK-FIXES:void parameterGroups(Net Model) {
  // CHECK-FIXES:  torch::optim::SGD Opt({torch::optim::OptimizerParamGroup(Model->Features->parameters()),
  // CHECK-FIXES:                         torch::optim::OptimizerParamGroup(Model->Fc->parameters())});
}

// Inside a module: the submodule and parameters() through `this`.
struct FineTunerImpl : torch::nn::Module {
  Backbone Body{nullptr};
  torch::nn::Linear Head{nullptr};
  std::unique_ptr<torch::optim::Optimizer> Opt;
  void prepare() {
    for (auto &P : Body->parameters())
      P.requires_grad_(false);
    Opt = std::make_unique<torch::optim::SGD>(parameters(), torch::optim::SGDOptions(0.1));
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: optimizer receives frozen parameters of 'FineTunerImpl'
    // CHECK-MESSAGES: :[[@LINE-3]]:9: note: parameters of 'Body' are frozen here
    // CHECK-FIXES:  void prepare() {
    // CHECK-FIXES:    Opt = std::make_unique<torch::optim::SGD>(parameters(), torch::optim::SGDOptions(0.1));
  }
};

// Staged training: the freezing at the end of one stage reaches the
// construction of the next stage's optimizer.
void stages(Net Model) {
  for (int Stage = 0; Stage < 2; ++Stage) {
    torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: optimizer receives frozen parameters of 'Model'
    train(Opt);
    for (auto &P : Model->Features->parameters())
      P.requires_grad_(false);
    // CHECK-MESSAGES: :[[@LINE-1]]:9: note: parameters of 'Features' are frozen here
  }
  // CHECK-FIXES:void stages(Net Model) {
  // CHECK-FIXES-NEXT:  for (int Stage = 0; Stage < 2; ++Stage) {
  // CHECK-FIXES-NEXT:    torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
}

// Copy-initialised from a temporary; every named parameter frozen through `*Item`.
void copyInitialised(Net Model) {
  for (auto &Item : Model->named_parameters())
    (*Item).requires_grad_(false);
  auto Opt = torch::optim::SGD(Model->Fc->parameters(), torch::optim::SGDOptions(0.1));
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: optimizer receives frozen parameters of 'Fc'
  // CHECK-MESSAGES: :[[@LINE-3]]:13: note: parameters of 'Model' are frozen here
  train(Opt);
  // CHECK-FIXES:void copyInitialised(Net Model) {
  // CHECK-FIXES:  auto Opt = torch::optim::SGD(Model->Fc->parameters(), torch::optim::SGDOptions(0.1));
}

// One element of a parameter list frozen by index; a raw pointer assigned later.
void elementByIndex(Net Model) {
  auto Params = Model->parameters();
  Params[0].requires_grad_(false);
  torch::optim::Optimizer *Opt = nullptr;
  Opt = new torch::optim::Adagrad(Params);
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-4]]:13: note: some parameters of 'Model' are frozen here
  Opt->step();
  // CHECK-FIXES:void elementByIndex(Net Model) {
  // CHECK-FIXES:  Opt = new torch::optim::Adagrad(Params);
}

// The parameter list comes from a macro: warn without a fix.
void listFromMacro(Net Model) {
  Model->Fc->weight.requires_grad_(false);
  torch::optim::SGD Opt(ALL_PARAMS(Model));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: parameter 'weight' is frozen here
  train(Opt);
  // CHECK-FIXES:void listFromMacro(Net Model) {
  // CHECK-FIXES-NEXT:  Model->Fc->weight.requires_grad_(false);
  // CHECK-FIXES-NEXT:  torch::optim::SGD Opt(ALL_PARAMS(Model));
}

// ---- Positives: freezing after the construction, optimizer still used -------

void frozenAfterConstruction(Net Model) {
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).weight_decay(1e-4));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives parameters of 'Model' that are frozen while it is still in use [torch-frozen-param-in-optimizer]
  train(Opt);
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: note: parameters of 'Features' are frozen here, after the optimizer is built
  train(Opt);
  // no fix: the optimizer must be rebuilt from the trainable parameters
  // CHECK-FIXES:void frozenAfterConstruction(Net Model) {
  // CHECK-FIXES-NEXT:  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1).weight_decay(1e-4));
}

// The freezing loop runs over a local copy of named_parameters(), after the
// optimizer of the epoch is built.
void frozenThroughDictionaryCopy(Net Model, int Epochs) {
  auto Dict = Model->named_parameters();
  for (int E = 0; E < Epochs; ++E) {
    torch::optim::Adam Opt(Model->parameters());
    // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: optimizer receives frozen parameters of 'Model'
    if (E < 2)
      for (auto Item : Dict)
        Item.value().set_requires_grad(false);
    // CHECK-MESSAGES: :[[@LINE-1]]:22: note: parameters of 'Model' are frozen here
    train(Opt);
  }
  // CHECK-FIXES:void frozenThroughDictionaryCopy(Net Model, int Epochs) {
  // CHECK-FIXES:    torch::optim::Adam Opt(Model->parameters());
  // CHECK-FIXES-SAFE:void frozenThroughDictionaryCopy(Net Model, int Epochs) {
  // CHECK-FIXES-SAFE:    torch::optim::Adam Opt(Model->parameters());
}

void frozenMidTraining(Net Model) {
  auto Opt = std::make_shared<torch::optim::SGD>(
      // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: optimizer receives parameters of 'Model' that are frozen while it is still in use
      Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    if (Epoch == 5)
      Model->Fc->weight.requires_grad_(false);
    // CHECK-MESSAGES: :[[@LINE-1]]:25: note: parameter 'weight' is frozen here, after the optimizer is built
    Opt->zero_grad();
    Model->forward(batch()).sum().backward();
    Opt->step();
  }
  // CHECK-FIXES:void frozenMidTraining(Net Model) {
  // CHECK-FIXES-NEXT:  auto Opt = std::make_shared<torch::optim::SGD>(
  // CHECK-FIXES:      Model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
}

struct Trainer {
  Net Model;
  std::shared_ptr<torch::optim::Optimizer> Opt;
  void run() {
    Opt = std::make_shared<torch::optim::AdamW>(Model->parameters());
    // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: optimizer receives parameters of 'Model' that are frozen while it is still in use
    Model->Fc->weight.requires_grad_(false);
    // CHECK-MESSAGES: :[[@LINE-1]]:23: note: parameter 'weight' is frozen here, after the optimizer is built
    Opt->step();
  }
};

// ---- The fix: the one submodule that stays trainable -------------------------

// A model whose constructor registers its submodules: what parameters() lists
// is known, so the fix names the submodule left trainable.
struct ClassifierImpl : torch::nn::Module {
  ClassifierImpl()
      : Stem(register_module("stem", torch::nn::Linear(8, 8))) {
    Body = register_module("body", Backbone());
    Head = register_module("head", torch::nn::Linear(8, 2));
  }
  torch::Tensor forward(torch::Tensor X);
  torch::nn::Linear Stem;
  Backbone Body{nullptr};
  torch::nn::Linear Head{nullptr};
  torch::nn::Linear Unregistered{nullptr};
};
TORCH_MODULE(Classifier);

void fineTuneHead(Classifier Model) {
  for (auto &P : Model->Stem->parameters())
    P.requires_grad_(false);
  for (auto &P : Model->Body->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-5]]:7: note: parameters of 'Stem' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:21: note: pass only the parameters of 'Head', the submodule of 'Model' that stays trainable
  // CHECK-FIXES:void fineTuneHead(Classifier Model) {
  // CHECK-FIXES:  torch::optim::SGD Opt(Model->Head->parameters(), torch::optim::SGDOptions(0.1));
  // CHECK-FIXES-SAFE:void fineTuneHead(Classifier Model) {
  // CHECK-FIXES-SAFE:  torch::optim::SGD Opt(Model->parameters(), torch::optim::SGDOptions(0.1));
  train(Opt);
}

// Two submodules stay trainable, or a single parameter is frozen: no one
// submodule is the trainable set, and the note offers no fix.
void twoLeftTrainable(Classifier Model) {
  for (auto &P : Model->Body->parameters())
    P.requires_grad_(false);
  torch::optim::Adam Opt(Model->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Body' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: build the optimizer from the parameters that stay trainable
  // CHECK-FIXES:void twoLeftTrainable(Classifier Model) {
  // CHECK-FIXES:  torch::optim::Adam Opt(Model->parameters());
  train(Opt);
}
void oneWeightFrozen(Classifier Model) {
  Model->Stem->weight.requires_grad_(false);
  for (auto &P : Model->Body->parameters())
    P.requires_grad_(false);
  torch::optim::Adam Opt(Model->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-5]]:23: note: parameter 'weight' is frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: build the optimizer from the parameters that stay trainable
  // CHECK-FIXES:void oneWeightFrozen(Classifier Model) {
  // CHECK-FIXES:  torch::optim::Adam Opt(Model->parameters());
  train(Opt);
}

// A submodule registered without a field: what parameters() lists is not
// known, so no fix.
struct HiddenPartImpl : torch::nn::Module {
  HiddenPartImpl() {
    register_module("extra", torch::nn::Linear(8, 8));
    Head = register_module("head", torch::nn::Linear(8, 2));
    Body = register_module("body", Backbone());
  }
  torch::Tensor forward(torch::Tensor X);
  Backbone Body{nullptr};
  torch::nn::Linear Head{nullptr};
};
TORCH_MODULE(HiddenPart);
void unknownChildren(HiddenPart Model) {
  for (auto &P : Model->Body->parameters())
    P.requires_grad_(false);
  torch::optim::Adam Opt(Model->parameters());
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: optimizer receives frozen parameters of 'Model'
  // CHECK-MESSAGES: :[[@LINE-3]]:7: note: parameters of 'Body' are frozen here
  // CHECK-MESSAGES: :[[@LINE-3]]:22: note: build the optimizer from the parameters that stay trainable
  // CHECK-FIXES:void unknownChildren(HiddenPart Model) {
  // CHECK-FIXES:  torch::optim::Adam Opt(Model->parameters());
  train(Opt);
}

// ---- Negatives ---------------------------------------------------------------

void onlyTheHead(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->Fc->parameters()); // no warning: the head is trainable
  train(Opt);
}

void studentNextToFrozenTeacher(Net Student, Net Teacher) {
  for (auto &P : Teacher->parameters())
    P.requires_grad_(false);
  auto Opt = std::make_shared<torch::optim::Adam>(Student->parameters()); // no warning: another module
  train(*Opt);
}

void filteredOnRequiresGrad(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  std::vector<torch::Tensor> Trainable;
  for (auto &P : Model->parameters())
    if (P.requires_grad())
      Trainable.push_back(P);
  torch::optim::SGD Opt(Trainable); // no warning: filtered on requires_grad()
  train(Opt);
}

void erasedFrozen(Net Model) {
  Model->Fc->bias.requires_grad_(false);
  auto Params = Model->parameters();
  Params.erase(std::remove_if(Params.begin(), Params.end(),
                              [](const torch::Tensor &P) { return !P.requires_grad(); }),
               Params.end());
  torch::optim::SGD Opt(Params); // no warning: the vector was filtered
  train(Opt);
}

// A list filtered by an immediately invoked lambda (as earlier versions of
// the fix wrote it).
void alreadyFixed(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt([](const std::vector<torch::Tensor> &All) { std::vector<torch::Tensor> Trainable; for (const auto &P : All) if (P.requires_grad()) Trainable.push_back(P); return Trainable; }(Model->parameters())); // no warning: filtered
  train(Opt);
}

void reEnabledBeforeConstruction(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  train(*std::make_unique<torch::optim::SGD>(Model->Fc->parameters()));
  for (auto &P : Model->parameters())
    P.requires_grad_(true);
  torch::optim::SGD Opt(Model->parameters()); // no warning: everything re-enabled
  train(Opt);
}

void singleReEnabled(Net Model) {
  Model->Fc->weight.requires_grad_(false);
  Model->Fc->weight.requires_grad_(true);
  torch::optim::SGD Opt(Model->parameters()); // no warning: re-enabled
  train(Opt);
}

void requiresGradTrueAlone(Net Model) {
  for (auto &P : Model->parameters())
    P.requires_grad_();
  Model->Fc->weight.requires_grad_(true);
  torch::optim::SGD Opt(Model->parameters()); // no warning: nothing frozen
  train(Opt);
}

void frozenThenHeadReEnabled(Net Model) {
  for (auto &P : Model->parameters())
    P.requires_grad_(false);
  for (auto &P : Model->Fc->parameters())
    P.requires_grad_(true);
  torch::optim::SGD Opt(Model->Fc->parameters()); // no warning: the head is trainable again
  train(Opt);
}

void ownParametersOnly(Net Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters(/*recurse=*/false)); // no warning: submodules excluded
  train(Opt);
}

void frozenAfterLastUse(Net Model) {
  torch::optim::SGD Opt(Model->parameters()); // no warning: not used after the freezing
  train(Opt);
  for (auto &P : Model->parameters())
    P.requires_grad_(false);
}

void rebuiltAfterFreezing(Net Model) {
  auto Opt = std::make_unique<torch::optim::SGD>(Model->parameters()); // no warning: replaced
  train(*Opt);
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  Opt = std::make_unique<torch::optim::SGD>(Model->Fc->parameters());
  train(*Opt);
}

// The manual fix from the docs: a new optimizer right after the freezing.
void rebuiltInLoop(Net Model, torch::optim::SGDOptions Options) {
  auto Opt = std::make_unique<torch::optim::SGD>(Model->parameters(), Options); // no warning: replaced
  for (int Epoch = 0; Epoch < 10; ++Epoch) {
    if (Epoch == 5) {
      for (auto &P : Model->Features->parameters())
        P.requires_grad_(false);
      Opt = std::make_unique<torch::optim::SGD>(Model->Fc->parameters(), Options);
    }
    train(*Opt);
  }
}

void frozenCopy(Net Model) {
  auto Snapshot = Model->Fc->weight.clone();
  Snapshot.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters()); // no warning: a copy is frozen
  train(Opt);
}

void unknownFlag(Net Model, bool Trainable) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(Trainable);
  torch::optim::SGD Opt(Model->parameters()); // no warning: the flag is not constant
  train(Opt);
}

void freezeElsewhere(Net Model);
void frozenInAnotherFunction(Net Model) {
  freezeElsewhere(Model);
  torch::optim::SGD Opt(Model->parameters()); // no warning: intraprocedural
  train(Opt);
}

template <typename M> void generic(M &Model) {
  for (auto &P : Model->Features->parameters())
    P.requires_grad_(false);
  torch::optim::SGD Opt(Model->parameters()); // no warning: dependent code is not analyzed
  train(Opt);
}
template void generic<Net>(Net &);
