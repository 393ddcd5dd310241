// SPDX-License-Identifier: Apache-2.0
// Char-level GRU language model; bug: the hidden state is never detached.

#include <torch/torch.h>

#include <iostream>
#include <string>

namespace nn = torch::nn;

struct CharRnnImpl : nn::Module {
  CharRnnImpl(int64_t vocab, int64_t hidden)
      : embed(register_module("embed", nn::Embedding(vocab, 32))),
        gru(register_module(
            "gru", nn::GRU(nn::GRUOptions(32, hidden).batch_first(true)))),
        decode(register_module("decode", nn::Linear(hidden, vocab))) {}

  std::tuple<torch::Tensor, torch::Tensor> forward(const torch::Tensor &tokens,
                                                   const torch::Tensor &state) {
    auto [out, next_state] = gru->forward(embed->forward(tokens), state);
    return {decode->forward(out), next_state};
  }

  nn::Embedding embed;
  nn::GRU gru;
  nn::Linear decode;
};
TORCH_MODULE(CharRnn);

int main() {
  torch::manual_seed(0);
  std::string text;
  for (int i = 0; i < 64; ++i)
    text += "to be or not to be that is the question ";
  auto data = torch::empty({static_cast<int64_t>(text.size())}, torch::kLong);
  for (size_t i = 0; i < text.size(); ++i)
    data[i] = static_cast<int64_t>(text[i]); // byte-level vocabulary

  constexpr int64_t vocab = 128, streams = 8, seq_len = 32;
  auto batched = data.narrow(0, 0, data.size(0) / streams * streams)
                     .view({streams, -1}); // 8 parallel streams of text
  CharRnn model(vocab, 128);
  torch::optim::Adam optimizer(model->parameters(),
                               torch::optim::AdamOptions(3e-3));

  try {
    for (int epoch = 1; epoch <= 5; ++epoch) {
      torch::Tensor state; // undefined: the GRU starts from zeros
      double total = 0.0;
      int chunks = 0;
      for (int64_t t = 0; t + seq_len + 1 <= batched.size(1); t += seq_len) {
        auto input = batched.narrow(1, t, seq_len);
        auto target = batched.narrow(1, t + 1, seq_len);
        auto [logits, next_state] = model->forward(input, state);
        auto loss = torch::cross_entropy_loss(logits.reshape({-1, vocab}),
                                              target.reshape({-1}));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        // Bug: should be next_state.detach(). Carrying the graph over makes
        // the next backward() run into the previous chunk's freed graph.
        state = next_state;
        total += loss.item<double>();
        ++chunks;
      }
      std::cout << "epoch " << epoch << "  loss " << total / chunks << '\n';
    }
  } catch (const c10::Error &e) {
    std::cerr << "training failed: " << e.what_without_backtrace() << '\n';
    return 1;
  }
  return 0;
}
