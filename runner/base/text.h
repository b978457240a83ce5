#pragma once
// Small text helpers the parsers and reports share.

#include <initializer_list>
#include <string>
#include <string_view>

namespace stampede {

// "a, b, c" (or with another separator): the items of any range of string-like values.
template <class Range>
std::string join(const Range& items, std::string_view separator = ", ") {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += separator;
    out += item;
    first = false;
  }
  return out;
}

inline std::string join(std::initializer_list<std::string_view> items,
                        std::string_view separator = ", ") {
  return join<std::initializer_list<std::string_view>>(items, separator);
}

// For parsers that return false and say why through an optional out-parameter.
inline bool set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace stampede
