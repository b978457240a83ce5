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

// TEXT without the leading and trailing characters found in BLANKS (spaces and tabs by default).
inline std::string_view trim(std::string_view text, std::string_view blanks = " \t") {
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

// TEXT with ASCII letters lowercased (scheme and host names, units, keywords); other bytes as
// they are, whatever the locale.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// For parsers that return false and say why through an optional out-parameter.
inline bool set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace stampede
