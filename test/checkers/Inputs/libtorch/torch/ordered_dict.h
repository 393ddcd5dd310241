// Mock of torch/ordered_dict.h.
#pragma once
#include <string>
#include <vector>
namespace torch {
template <typename Key, typename Value> class OrderedDict {
public:
  class Item {
  public:
    const Key &key() const;
    Value &value();
    const Value &value() const;
    Value *operator->();
    Value &operator*();
  };
  Item *begin();
  Item *end();
  const Item *begin() const;
  const Item *end() const;
  std::vector<Value> values() const;
  std::vector<Key> keys() const;
  size_t size() const;
  Value &operator[](const Key &key);
};
} // namespace torch
