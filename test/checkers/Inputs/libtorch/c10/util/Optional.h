// Mock of c10/util/Optional.h.
#pragma once
#include <optional>
namespace c10 {
template <class T> using optional = std::optional<T>;
using std::nullopt;
} // namespace c10
