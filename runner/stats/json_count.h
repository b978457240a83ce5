#pragma once
// Counts read back from result documents (runners' results, fetched by the operator). nlohmann's
// get<std::uint64_t>() converts a float or a negative number with a cast, which is undefined
// when the value is out of range (5e47, found by the result fuzz target): a count must be a
// JSON whole number >= 0, and anything else is refused with a message.

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace stampede {

// The value as a count; nullopt when it is not a whole number >= 0. Parsed non-negative
// numbers are unsigned; a document built in code from `int` holds signed ones, so those are
// taken too when not negative.
inline std::optional<std::uint64_t> json_uint(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  return std::nullopt;
}

// As json_uint, for readers that report through exceptions.
inline std::uint64_t json_count(const nlohmann::json& value) {
  if (const auto count = json_uint(value)) return *count;
  throw std::invalid_argument("a count must be a whole number >= 0, not " + value.dump());
}

// `key` of an object, 0 when absent (keys added in later versions).
inline std::uint64_t json_count(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? 0 : json_count(*it);
}

// `key` of an object as a finite number >= 0, 0 when absent.
inline double json_non_negative(const nlohmann::json& object, const char* key) {
  const double value = object.value(key, 0.0);
  if (!std::isfinite(value) || value < 0) {
    throw std::invalid_argument(std::string(key) + " must be a number >= 0");
  }
  return value;
}

}  // namespace stampede
