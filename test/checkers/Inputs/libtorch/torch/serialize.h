// Mock of torch/serialize.h: torch::save and torch::load.
#pragma once
#include <string>

namespace torch {
template <typename Value, typename... SaveToArgs>
void save(const Value &value, SaveToArgs &&...args);
template <typename Value, typename... LoadFromArgs>
void load(Value &value, LoadFromArgs &&...args);
} // namespace torch
