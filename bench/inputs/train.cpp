// SPDX-License-Identifier: Apache-2.0
// Benchmark input: a complete, correct CNN training program on synthetic
// MNIST-shaped data.

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace nn = torch::nn;

// Random 28x28 images whose label is the quadrant holding the brightest blob.
class SyntheticDigits : public torch::data::Dataset<SyntheticDigits> {
public:
  explicit SyntheticDigits(int64_t size)
      : images_(torch::rand({size, 1, 28, 28}) * 0.1),
        labels_(torch::randint(0, 4, {size}, torch::kLong)) {
    for (int64_t i = 0; i < size; ++i) {
      int64_t q = labels_[i].item<int64_t>();
      images_[i]
          .narrow(1, (q / 2) * 14 + 3, 8)
          .narrow(2, (q % 2) * 14 + 3, 8) += 1.0;
    }
  }
  torch::data::Example<> get(size_t index) override {
    return {images_[index], labels_[index]};
  }
  torch::optional<size_t> size() const override { return images_.size(0); }
  const torch::Tensor &images() const { return images_; }
  const torch::Tensor &labels() const { return labels_; }

private:
  torch::Tensor images_, labels_;
};

struct NetImpl : nn::Module {
  NetImpl()
      : conv1(register_module(
            "conv1", nn::Conv2d(nn::Conv2dOptions(1, 16, 3).padding(1)))),
        bn1(register_module("bn1", nn::BatchNorm2d(16))),
        conv2(register_module(
            "conv2", nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)))),
        dropout(register_module("dropout", nn::Dropout(0.25))),
        fc(register_module("fc", nn::Linear(32 * 7 * 7, 4))) {}

  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(bn1->forward(conv1->forward(x))), 2);
    x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2);
    return fc->forward(dropout->forward(x.flatten(1)));
  }

  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::Dropout dropout;
  nn::Linear fc;
};
TORCH_MODULE(Net);

double evaluate(Net &model, const torch::Tensor &images,
                const torch::Tensor &labels) {
  torch::NoGradGuard no_grad;
  model->eval();
  int64_t correct = 0;
  for (int64_t start = 0; start < images.size(0); start += 256) {
    auto prediction =
        model
            ->forward(images.narrow(
                0, start, std::min<int64_t>(256, images.size(0) - start)))
            .argmax(1);
    correct += prediction.eq(labels.narrow(0, start, prediction.size(0)))
                   .sum()
                   .item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(images.size(0));
}

int main(int argc, char **argv) {
  torch::manual_seed(1);
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 3;
  SyntheticDigits test_set(512);
  auto train_loader =
      torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
          SyntheticDigits(2048).map(torch::data::transforms::Stack<>()),
          torch::data::DataLoaderOptions(64).workers(0));

  Net model;
  torch::optim::SGD optimizer(
      model->parameters(),
      torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4));
  torch::optim::StepLR scheduler(optimizer, /*step_size=*/2, /*gamma=*/0.5);

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model->train();
    double total = 0.0;
    int64_t batches = 0;
    for (auto &batch : *train_loader) {
      optimizer.zero_grad();
      auto loss =
          torch::cross_entropy_loss(model->forward(batch.data), batch.target);
      loss.backward();
      nn::utils::clip_grad_norm_(model->parameters(), 5.0);
      optimizer.step();
      total += loss.item<double>();
      ++batches;
    }
    scheduler.step();
    double accuracy = evaluate(model, test_set.images(), test_set.labels());
    std::printf("epoch %d  loss %.4f  accuracy %.3f\n", epoch,
                total / static_cast<double>(batches), accuracy);
  }
  torch::save(model, "bench-train-model.pt");
  return 0;
}
