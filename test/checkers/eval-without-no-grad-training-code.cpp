// RUN: %check_torch_tidy %s torch-eval-without-no-grad %t -- -- %mock_torch
// RUN: %check_torch_tidy %s torch-eval-without-no-grad %t -- -- %mock_torch2

// Evaluation as real training programs spread it: class-template trainers,
// helpers without eval(), evaluation after the training loop, names shared
// between training and validation code.

#include <torch/script.h>
#include <torch/torch.h>

#include <iostream>
#include <string>
#include <tuple>
#include <vector>

struct NetImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X) { return X; }
};
TORCH_MODULE(Net);

struct EncoderImpl : torch::nn::Module {
  std::tuple<torch::Tensor, torch::Tensor> forward(torch::Tensor X) {
    return {X, X};
  }
  torch::Tensor init_state(std::tuple<torch::Tensor, torch::Tensor> Out) {
    return std::get<1>(Out);
  }
};
TORCH_MODULE(Encoder);

torch::Tensor batch();
bool more();
torch::Tensor lossOf(const torch::Tensor &Out);
torch::Tensor keep(const torch::Tensor &Out);
void show(float Value) { (void)Value; }

// A module whose methods are defined in another file.
struct VaeImpl : torch::nn::Module {
  std::tuple<torch::Tensor, torch::Tensor> encode(torch::Tensor X);
  torch::Tensor decode(torch::Tensor Z);
  torch::Tensor forward(torch::Tensor X);
  int64_t latentSize() const;
};
TORCH_MODULE(Vae);

// A model written without torch::nn::Module: its parameters are tensors.
struct ScratchRnn {
  std::vector<torch::Tensor> params;
  std::tuple<torch::Tensor, torch::Tensor> forward(torch::Tensor X,
                                                   torch::Tensor State) {
    return {X * params[0], State};
  }
  torch::Tensor begin_state() { return torch::zeros({1}); }
};

// ---- Positives ---------------------------------------------------------------

// A class-template trainer: `model` has a dependent type, so its calls are
// recognised by name.
template <class Model> struct Trainer {
  Model model;
  torch::optim::SGD *Opt;

  void fit(int Epochs) {
    for (int E = 0; E < Epochs; ++E) {
      model->train();
      while (more()) {
        auto Loss = lossOf(model->forward(batch())); // no warning: trains
        Opt->zero_grad();
        Loss.backward();
        Opt->step();
      }
      model->eval();
      float Total = 0;
      while (more()) {
        auto Prediction = model->forward(batch());
        // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: forward pass after 'eval()' still records an autograd graph [torch-eval-without-no-grad]
        // CHECK-MESSAGES: :[[@LINE-5]]:14: note: module put in evaluation mode here
        Total += lossOf(Prediction).template item<float>();
      }
      show(Total);
      // CHECK-FIXES:      model->eval();
      // CHECK-FIXES-NEXT:      torch::NoGradGuard no_grad;
    }
  }

  // Predict() never calls eval(): its name makes it an evaluation function.
  void Predict(torch::Tensor Image) {
    auto Output = model->forward(Image);
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: forward pass in evaluation function 'Predict' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE-3]]:8: note: 'Predict' is an evaluation function by its name
    show(Output.sum().template item<float>());
    // CHECK-FIXES:  void Predict(torch::Tensor Image) {
    // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  }
};

// A function template, called with a module holder.
template <class Network> float evaluateOn(Network &Net, torch::Tensor X) {
  Net->eval();
  return Net->forward(X).sum().template item<float>();
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: forward pass after 'eval()' still records an autograd graph
}

// A function template over a data loader of a template parameter's type:
// Clang leaves the loop over it unexpanded, yet the body has a CFG.
template <class Loader> float validate(Net &Model, Loader &Data) {
  Model->eval();
  float Total = 0;
  for (auto &Batch : Data) {
    auto Output = Model->forward(Batch.data);
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: forward pass after 'eval()' still records an autograd graph
    Total += Output.sum().template item<float>();
  }
  return Total;
  // CHECK-FIXES:  Model->eval();
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
}

// Training in such a loop, evaluation after it: the code after the loop is
// reachable.
template <class Loader>
float trainThenTest(Net &Model, Loader &Data, torch::optim::SGD &Opt) {
  for (auto &Batch : Data) {
    Opt.zero_grad();
    auto Loss = lossOf(Model->forward(Batch.data)); // no warning: trains
    Loss.backward();
    Opt.step();
  }
  Model->eval();
  return Model->forward(batch()).sum().template item<float>();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: forward pass after 'eval()' still records an autograd graph
}

// A Predict() helper of a non-template class, without eval().
void Predict(Net Model, torch::Tensor Image) {
  torch::Tensor Scores = Model->forward(Image);
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: forward pass in evaluation function 'Predict' still records an autograd graph
  show(Scores.sum().item<float>());
}

// Generation: the forward results leave the function only as numbers, in a
// string built from them; the recurrent state stays in the function.
std::string sample_text(Net Model, int Steps) {
  std::vector<long> Tokens{0};
  torch::Tensor State = torch::zeros({1});
  for (int I = 0; I < Steps; ++I) {
    torch::Tensor Y = Model->forward(State);
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: forward pass in evaluation function 'sample_text' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE-6]]:13: note: 'sample_text' is an evaluation function by its name
    // CHECK-FIXES:  for (int I = 0; I < Steps; ++I) {
    // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
    // CHECK-FIXES-NEXT:    torch::Tensor Y = Model->forward(State);
    State = Y;
    Tokens.push_back(Y.sum().item<long>());
  }
  std::string Text;
  for (long T : Tokens)
    Text += std::to_string(T);
  return Text;
}

// Evaluation after the training loop, without eval() or a test function: the
// result reaches no backward().
void trainThenTest(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 100; ++I) {
    Opt.zero_grad();
    lossOf(Model(batch())).backward();
    Opt.step();
  }
  torch::Tensor Output = Model->forward(batch());
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
  show(Output.sum().item<float>());
}

// One name for the training and the validation output: the validation value
// is reassigned and never reaches the backward() above it.
void sharedName(Net Model, torch::optim::SGD &Opt, int Epochs) {
  torch::Tensor Output;
  torch::Tensor Loss;
  for (int E = 0; E < Epochs; ++E) {
    Model->train();
    while (more()) {
      Output = Model->forward(batch());
      Loss = lossOf(Output);
      Opt.zero_grad();
      Loss.backward();
      Opt.step();
    }
    Model->eval();
    while (more()) {
      Output = Model->forward(batch());
      // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: forward pass after 'eval()' still records an autograd graph
      Loss = lossOf(Output);
      show(Loss.item<float>());
    }
  }
}

// An evaluation helper without eval() or a telling name, called from the
// training loop only: the fix belongs in the helper.
float logRmse(Net Model, torch::Tensor Features) {
  return Model->forward(Features).mean().item<float>();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: forward pass in 'logRmse' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE+9]]:10: note: 'logRmse' is called here from training code
  // CHECK-FIXES:float logRmse(Net Model, torch::Tensor Features) {
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
}
void trainWithLogging(Net Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 10; ++I) {
    Opt.zero_grad();
    lossOf(Model(batch())).backward();
    Opt.step();
    show(logRmse(Model, batch()));
  }
}

// The same helper used correctly by one caller and not by another: the
// finding is the unguarded call.
float accuracy(Net Model, torch::Tensor X) {
  return Model->forward(X).sum().item<float>();
}
void guardedUse(Net Model) {
  torch::NoGradGuard NoGrad;
  show(accuracy(Model, batch()));
}
void unguardedUse(Net Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  lossOf(Model(batch())).backward();
  Opt.step();
  show(accuracy(Model, batch()));
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: call of 'accuracy' runs its forward passes with autograd recording
}

// The caller comes before its helper, and after it: same findings.
void callerFirst(Net Model, torch::optim::SGD &Opt);
float laterHelper(Net Model) {
  return Model->forward(batch()).sum().item<float>();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: forward pass in 'laterHelper' still records an autograd graph
}
void callerFirst(Net Model, torch::optim::SGD &Opt) {
  lossOf(Model(batch())).backward();
  Opt.step();
  show(laterHelper(Model));
}
void trainsThroughHelper(Net Model, torch::optim::SGD &Opt);
void usesTrainer(Net Model, torch::optim::SGD &Opt) {
  trainsThroughHelper(Model, Opt);
  torch::Tensor Y = Model(batch());
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
  show(Y.sum().item<float>());
}
void trainsThroughHelper(Net Model, torch::optim::SGD &Opt) {
  lossOf(Model(batch())).backward();
  Opt.step();
}

// Helpers that return their forward passes' results are forward passes
// where they are called: in the test block of a trainer, and after eval().
torch::Tensor sumOf(const torch::Tensor &T) { return T.sum(); }

struct Autoencoder {
  Net Encoder, Decoder;
  torch::optim::SGD *Opt;
  std::tuple<torch::Tensor, torch::Tensor> encodeDecode(torch::Tensor X) {
    torch::Tensor Code = Encoder->forward(X);
    return std::make_tuple(Decoder->forward(Code), Code);
  }
  void fit(int Epochs) {
    for (int E = 0; E < Epochs; ++E) {
      for (int B = 0; B < 10; ++B) {
        Opt->zero_grad();
        auto [Out, Code] = encodeDecode(batch());
        sumOf(Out).backward();
        Opt->step();
      }
      auto [TestOut, TestCode] = encodeDecode(batch());
      // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
      // CHECK-MESSAGES: :[[@LINE-13]]:35: note: 'encodeDecode' returns the result of this forward pass
      show(sumOf(TestOut).item<float>());
    }
  }
};

template <class Model> torch::Tensor embed(Model &M, torch::Tensor X) {
  torch::Tensor H = M->forward(X);
  return H;
}
template <class Model> torch::Tensor embedTwice(Model &M, torch::Tensor X) {
  return embed(M, embed(M, X));
}

void showEmbedding(Net Model) {
  Model->eval();
  torch::Tensor E = embedTwice(Model, batch());
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: forward pass after 'eval()' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-7]]:19: note: 'embedTwice' returns the result of this forward pass
  // CHECK-MESSAGES: :[[@LINE-4]]:10: note: module put in evaluation mode here
  // CHECK-FIXES:  Model->eval();
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  torch::Tensor E = embedTwice(Model, batch());
  show(E.sum().item<float>());
}

// An agent's action choice: the result it returns is the index of the best
// action (`argmax`, the indices of `torch::max`), which holds no graph, so
// the helper is not a forward pass at its call; its forward passes are
// evaluation, made from training code.
struct Agent {
  Net Policy;
  torch::Tensor chooseAction(torch::Tensor State) {
    torch::Tensor Action, Value;
    torch::Tensor Scores = Policy->forward(State);
    // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: forward pass in 'chooseAction' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE+25]]:30: note: 'chooseAction' is called here from training code
    std::tie(Value, Action) = torch::max(Scores, 1);
    return Action;
    // CHECK-FIXES:  torch::Tensor chooseAction(torch::Tensor State) {
    // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
    // CHECK-FIXES-NEXT:    torch::Tensor Action, Value;
  }
  torch::Tensor greedy(torch::Tensor State) {
    return Policy->forward(State).argmax(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: forward pass in 'greedy' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE+16]]:30: note: 'greedy' is called here from training code
  }
  torch::Tensor bestIndex(torch::Tensor State) {
    return std::get<1>(Policy->forward(State).max(1));
    // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: forward pass in 'bestIndex' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE+12]]:28: note: 'bestIndex' is called here from training code
  }
  void learn(torch::optim::SGD &Opt) {
    Opt.zero_grad();
    lossOf(Policy->forward(batch())).backward();
    Opt.step();
  }
};
void playEpisodes(Agent &A, torch::optim::SGD &Opt) {
  for (int I = 0; I < 100; ++I) {
    torch::Tensor Action = A.chooseAction(batch());
    torch::Tensor Greedy = A.greedy(batch());
    torch::Tensor Best = A.bestIndex(batch());
    keep(Action + Greedy + Best);
    A.learn(Opt);
  }
}

// Testing inside the epoch loop, without eval(): the test forward's result
// goes only to a function defined elsewhere that makes a number of it.
int64_t countCorrect(const torch::Tensor &Out, const torch::Tensor &Target);
void epochsWithTest(Net Model, torch::optim::SGD &Opt) {
  for (int E = 0; E < 3; ++E) {
    Opt.zero_grad();
    lossOf(Model->forward(batch())).backward();
    Opt.step();
    int64_t Correct = 0;
    while (more()) {
      auto Output = Model->forward(batch());
      // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
      Correct += countCorrect(Output, batch());
    }
    show(static_cast<float>(Correct));
  }
}

// A GAN epoch: the training steps return their losses, which are logged;
// the samples drawn after the batches are detached into images, so their
// forward pass reaches no backward() and records a graph for nothing.
torch::Tensor discriminatorStep(Net D, Net G, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  auto Fake = G->forward(batch()); // no warning: reaches backward() detached
  auto Loss = lossOf(D->forward(Fake.detach()));
  Loss.backward();
  Opt.step();
  return Loss;
}
void ganEpochs(Net D, Net G, torch::optim::SGD &Opt,
               std::vector<torch::Tensor> &Images) {
  for (int E = 0; E < 3; ++E) {
    float Total = 0;
    while (more())
      Total += discriminatorStep(D, G, Opt).item<float>(); // no warning
    show(Total);
    torch::Tensor Samples = G->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
    Images.push_back(Samples.detach());
  }
}

// Generation with a model from scratch, in a function template whose state
// has a dependent type: `std::tie(Y, State)` is still a tuple binding.
template <typename Model> long predict_next(Model Net, int Steps) {
  auto State = Net.begin_state();
  long Last = 0;
  for (int I = 0; I < Steps; ++I) {
    torch::Tensor Y;
    std::tie(Y, State) = Net.forward(torch::ones({1}), State);
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: forward pass in evaluation function 'predict_next' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE-7]]:32: note: 'predict_next' is an evaluation function by its name
    // CHECK-FIXES:  long Last = 0;
    // CHECK-FIXES-NEXT:  for (int I = 0; I < Steps; ++I) {
    // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
    // CHECK-FIXES-NEXT:    torch::Tensor Y;
    // CHECK-FIXES-NEXT:    std::tie(Y, State) = Net.forward(torch::ones({1}), State);
    Last = Y.argmax().item<long>();
  }
  return Last;
}
long generate(ScratchRnn &Net) { return predict_next(Net, 4); }

// Inference with a loaded model, in a function whose name does not say so
// and that nothing calls after eval().
void print_probabilities(const std::string &Path, torch::Tensor Image) {
  torch::jit::Module Backbone = torch::jit::load(Path);
  torch::nn::Linear Head(512, 2);
  torch::load(Head, Path + ".head");
  std::vector<torch::jit::IValue> Input{Image};
  torch::Tensor Prob = Backbone.forward(Input).toTensor();
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: forward pass in evaluation function 'print_probabilities' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-6]]:33: note: 'print_probabilities' loads a trained model here and does not train
  Prob = Head(Prob);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: forward pass in evaluation function 'print_probabilities' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-9]]:33: note: 'print_probabilities' loads a trained model here and does not train
  show(Prob.sum().item<float>());
  // CHECK-FIXES:void print_probabilities(const std::string &Path, torch::Tensor Image) {
  // CHECK-FIXES-NEXT:  torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:  torch::jit::Module Backbone = torch::jit::load(Path);
}

// A diffusion-style sampling loop: each step's output is the next step's
// input, so the graph grows with every step even though the sample is
// returned to the caller.
struct DenoiserImpl : torch::nn::Module {
  torch::Tensor forward(torch::Tensor X, torch::Tensor T) { return X + T; }
  torch::Tensor sample(int Steps) {
    torch::Tensor Z = torch::randn({4, 8});
    for (int I = Steps - 1; I >= 0; --I)
      Z = Z - 0.1 * forward(Z, torch::ones({1}));
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: forward pass in evaluation function 'sample' still records an autograd graph
    // CHECK-MESSAGES: :[[@LINE-5]]:17: note: 'sample' is an evaluation function by its name
    return Z;
  }
  // CHECK-FIXES:  torch::Tensor sample(int Steps) {
  // CHECK-FIXES-NEXT:    torch::NoGradGuard no_grad;
  // CHECK-FIXES-NEXT:    torch::Tensor Z = torch::randn({4, 8});
  // One step, returned: the caller decides.
  torch::Tensor sample_once(torch::Tensor Z) {
    return forward(Z, torch::ones({1})); // no warning
  }
};
TORCH_MODULE(Denoiser);

// Sampling after eval() through a method defined elsewhere.
void sampleEpoch(Vae Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  Model->forward(batch()).sum().backward();
  Opt.step();
  Model->eval();
  torch::Tensor Images = Model->decode(torch::randn({4, Model->latentSize()}));
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: forward pass after 'eval()' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-2]]:33: note: 'decode' is defined in another file; it is taken to run the module's layers
  // CHECK-MESSAGES: :[[@LINE-4]]:10: note: module put in evaluation mode here
  show(Images.sum().item<float>());
}

// The shape is printed, and so are the values: an evaluation.
void shapeAndValues() {
  Net Block;
  Block->eval();
  torch::Tensor Out = Block->forward(torch::zeros({2, 3}));
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: forward pass after 'eval()' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-3]]:10: note: module put in evaluation mode here
  std::cout << Out.sizes() << Out << '\n';
}

// ---- Negatives: the correct idioms -----------------------------------------

// A sampling helper that returns the tensors it computed: the caller may
// train on them.
std::vector<torch::Tensor> sample_batch(Net Model, int Steps) {
  std::vector<torch::Tensor> Out;
  for (int I = 0; I < Steps; ++I)
    Out.push_back(Model->forward(batch())); // no warning: returned
  return Out;
}

// A helper that returns its forward pass: the caller may train on it.
torch::Tensor predictLogits(Net Model, torch::Tensor X) {
  return Model->forward(X); // no warning: the result leaves the function
}

// A forward whose result goes to a function defined elsewhere.
void trainingStep(Net Model, torch::optim::SGD &Opt) {
  Opt.zero_grad();
  lossOf(Model(batch())).backward();
  Opt.step();
  keep(Model(batch())); // no warning: keep() is not known
}

// A function named like evaluation that trains: its name does not decide.
void testTraining(Net Model, torch::optim::SGD &Opt) {
  auto Out = Model->forward(batch()); // no warning: reaches backward()
  lossOf(Out).backward();
  Opt.step();
}

// The evaluation helper guarded by its only caller.
float meanOutput(Net Model) {
  return Model->forward(batch()).mean().item<float>(); // no warning: guarded
}
void guardedLogging(Net Model, torch::optim::SGD &Opt) {
  lossOf(Model(batch())).backward();
  Opt.step();
  torch::NoGradGuard NoGrad;
  show(meanOutput(Model));
}

// A GAN step: the generator's output reaches both backward() calls.
void ganStep(Net Generator, Net Discriminator, torch::optim::SGD &OptD,
             torch::optim::SGD &OptG) {
  torch::Tensor Fake = Generator->forward(batch());
  lossOf(Discriminator(Fake.detach())).backward(); // no warning
  OptD.step();
  lossOf(Discriminator(Fake)).backward(); // no warning
  OptG.step();
}

// A template trainer's training forward reaches backward() by name.
template <class Model> void fitTemplate(Model &M, torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) {
    auto Out = M->forward(batch()); // no warning: reaches backward()
    auto Loss = lossOf(Out);
    Loss.backward();
    Opt.step();
  }
}

// A loop-carried training output reaches backward() on the next iteration.
void carried(Net Model, torch::optim::SGD &Opt) {
  torch::Tensor Previous = batch();
  for (int I = 0; I < 3; ++I) {
    auto Loss = lossOf(Previous);
    Loss.backward();
    Opt.step();
    Previous = Model->forward(batch()); // no warning: used next iteration
  }
}

// A function defined elsewhere whose name says it trains may run backward()
// on what it is given.
float trainStep(const torch::Tensor &Out);
void stepsElsewhere(Net Model) {
  for (int I = 0; I < 3; ++I)
    show(trainStep(Model->forward(batch()))); // no warning
}

// Shape checks: what the forward pass gives is only asked for its shape,
// printed, through std::get, a variable and another module's method. The
// graph is freed as soon as it is made.
void shapeDemo() {
  Net Block;
  Block->eval();
  torch::Tensor X = torch::zeros({2, 3});
  std::cout << Block->forward(X).sizes() << '\n'; // no warning
  Encoder Enc;
  Enc->eval();
  std::tuple<torch::Tensor, torch::Tensor> Out = Enc->forward(X); // no warning
  std::cout << std::get<0>(Out).sizes() << std::get<1>(Out).size(0) << '\n';
  torch::Tensor State = Enc->init_state(Enc->forward(X)); // no warning
  std::cout << State.dim() << '\n';
}

// A shape check on a model from scratch, which is then handed on by value.
void scratchShapes(ScratchRnn Net) {
  std::tuple<torch::Tensor, torch::Tensor> Out =
      Net.forward(torch::ones({1}), Net.begin_state()); // no warning
  auto Z = std::get<0>(Out);
  std::cout << Z.sizes() << '\n';
  show(static_cast<float>(generate(Net)));
}

// A shape check on a loaded TorchScript model, whose output comes as an
// IValue,
void scriptShapes(const std::string &Path) {
  torch::jit::Module Script = torch::jit::load(Path);
  std::vector<torch::jit::IValue> Inputs{torch::zeros({1})};
  auto Out = Script.forward(Inputs).toTensor(); // no warning
  std::cout << Out.sizes() << '\n';
}
// and one that walks the layers before training, each fed the last one's
// output.
void layerShapes(torch::optim::SGD &Opt) {
  Net Model;
  torch::Tensor X = torch::zeros({2, 3});
  for (auto &Layer : Model->modules(false))
    if (auto *Lin = dynamic_cast<torch::nn::LinearImpl *>(Layer.get())) {
      X = Lin->forward(X); // no warning
      std::cout << X.sizes() << '\n';
    }
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad();
    Model->forward(batch()).sum().backward();
    Opt.step();
  }
}
// A module's forward that writes its layers' outputs into slices of one
// tensor (`cat[0] = ...` copies into `cat`'s storage) and returns it: the
// training loop's backward() reaches them.
struct BiDirImpl : torch::nn::Module {
  torch::nn::LSTM Fwd{nullptr};
  torch::nn::LSTM Bwd{nullptr};
  torch::Tensor forward(torch::Tensor X) {
    auto Ahead = Fwd->forward(X); // no warning
    auto Back = Bwd->forward(X);  // no warning
    auto Cat = torch::zeros({2, 3});
    Cat[0] = std::get<0>(Ahead).view({3});
    Cat[1] = std::get<0>(Back);
    return Cat;
  }
};
TORCH_MODULE(BiDir);
void trainBiDir(torch::optim::SGD &Opt, BiDir Model) {
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad();
    Model->forward(batch()).sum().backward();
    Opt.step();
  }
}

// Loading a checkpoint to go on training it, to hand its output on, or
// loading an optimizer's state: no inference.
void fineTune(const std::string &Path, torch::optim::SGD &Opt) {
  Net Model;
  torch::load(Model, Path);
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad();
    Model->forward(batch()).sum().backward(); // no warning
    Opt.step();
  }
}
torch::Tensor loadedFeatures(const std::string &Path, torch::Tensor X) {
  Net Model;
  torch::load(Model, Path);
  return Model->forward(X); // no warning: the caller decides
}
void restoreOptimizer(const std::string &Path, torch::optim::SGD &Opt,
                      Net Model, torch::Tensor X) {
  torch::load(Opt, Path);
  show(keep(Model->forward(X)).sum().item<float>()); // no warning
}

// Methods defined elsewhere whose results train, or that run guarded.
void trainVae(Vae Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) {
    auto [Mu, LogVar] = Model->encode(batch()); // no warning: trains
    Opt.zero_grad();
    (Model->decode(Mu).sum() + LogVar.sum()).backward(); // no warning
    Opt.step();
  }
  Model->eval();
  torch::NoGradGuard NoGrad;
  show(Model->decode(torch::randn({4, 8})).sum().item<float>()); // no warning
}

// A progress picture rendered in the training loop by a method defined
// elsewhere, which may guard itself: not known here, no warning.
void trainWithPictures(Vae Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad();
    Model->forward(batch()).sum().backward();
    Opt.step();
    show(Model->decode(torch::randn({1, 8})).sum().item<float>()); // no warning
  }
}

// The module's own forward, defined in another file, tested after training
// without a guard: a forward pass wherever it is defined.
void trainThenTest(Vae Model, torch::optim::SGD &Opt) {
  for (int I = 0; I < 3; ++I) {
    Opt.zero_grad();
    Model->forward(batch()).sum().backward();
    Opt.step();
  }
  int Correct = 0;
  for (int I = 0; I < 3; ++I) {
    auto Out = Model->forward(batch());
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: forward pass whose result reaches no 'backward()' still records an autograd graph
    Correct += Out.argmax().item<int>();
  }
  show(static_cast<float>(Correct));
}

// eval() through a reference to the module, forward through its holder: the
// same module, as the model's access paths say.
void evalThroughAlias(Net Model) {
  NetImpl &Inner = *Model;
  Inner.eval();
  show(Model->forward(batch()).sum().item<float>());
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: forward pass after 'eval()' still records an autograd graph
  // CHECK-MESSAGES: :[[@LINE-3]]:9: note: module put in evaluation mode here
}

// Layers without parameters record a graph only from an input that has one.
void plotActivation() {
  torch::Tensor X = torch::ones({8});
  torch::Tensor Y = torch::nn::LeakyReLU(0.2)->forward(X); // no warning
  show(Y.sum().item<float>());
  torch::nn::Dropout Drop;
  Drop->eval();
  show(Drop->forward(X).sum().item<float>()); // no warning
}
