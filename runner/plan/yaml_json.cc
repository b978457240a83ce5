#include "plan/yaml_json.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace stampede {
namespace {

using Json = nlohmann::ordered_json;

// Aliases can repeat a subtree many times ("billion laughs"); cap the expanded size.
constexpr std::size_t kMaxNodes = 1'000'000;

struct Converter {
  std::size_t nodes = 0;
  std::string error;

  // Plain (unquoted) scalar, resolved like YAML 1.2's core schema.
  static Json plain_scalar(const std::string& text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
      return nullptr;
    }
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    // from_chars takes no '+'; the core schema allows one.
    const std::string_view number = text[0] == '+' ? std::string_view(text).substr(1) : text;
    const char* end = number.data() + number.size();
    if (is_decimal(number, /*allow_fraction=*/false)) {
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(number.data(), end, value);
      if (ec == std::errc() && ptr == end) return value;
    }
    if (is_decimal(number, /*allow_fraction=*/true)) {
      double value = 0;
      auto [ptr, ec] = std::from_chars(number.data(), end, value);
      if (ec == std::errc() && ptr == end && std::isfinite(value)) return value;
    }
    return text;
  }

  // [-]digits, or with allow_fraction [-](digits[.digits*] | .digits)[(e|E)[+-]digits].
  static bool is_decimal(std::string_view text, bool allow_fraction) {
    std::size_t i = !text.empty() && text[0] == '-' ? 1 : 0;
    auto digits = [&text, &i] {
      const std::size_t start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
      return i - start;
    };
    std::size_t count = digits();
    if (allow_fraction && i < text.size() && text[i] == '.') {
      ++i;
      count += digits();
    }
    if (count == 0) return false;
    if (allow_fraction && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
      if (digits() == 0) return false;
    }
    return i == text.size();
  }

  std::optional<Json> convert(const YAML::Node& node) {
    if (++nodes > kMaxNodes) {
      error = "json value is too large";
      return std::nullopt;
    }
    switch (node.Type()) {
      case YAML::NodeType::Map:
        return convert_map(node);
      case YAML::NodeType::Sequence: {
        Json array = Json::array();
        for (const YAML::Node& item : node) {
          std::optional<Json> value = convert(item);
          if (!value) return std::nullopt;
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Scalar:
        // "?" marks a plain scalar; quoted and explicitly tagged ones are strings.
        return node.Tag() == "?" ? plain_scalar(node.Scalar()) : Json(node.Scalar());
      default:
        return Json(nullptr);
    }
  }

  std::optional<Json> convert_map(const YAML::Node& node) {
    Json object = Json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) {
        error = "json object keys must be strings";
        return std::nullopt;
      }
      std::optional<Json> value = convert(it->second);
      if (!value) return std::nullopt;
      object[it->first.Scalar()] = std::move(*value);
    }
    return object;
  }
};

}  // namespace

std::optional<std::string> yaml_to_json_text(const YAML::Node& node, std::string* error) {
  Converter converter;
  std::optional<Json> json = converter.convert(node);
  if (!json) {
    if (error) *error = converter.error;
    return std::nullopt;
  }
  // Invalid UTF-8 in the YAML is replaced rather than thrown on.
  return json->dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace stampede
