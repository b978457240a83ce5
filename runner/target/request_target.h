#pragma once
// Small helpers for the request target ("/path?a=1&b=2") shared by the route handlers.

#include <cstdint>
#include <optional>
#include <string_view>

namespace stampede::target {

struct TargetParts {
  std::string_view path;   // up to the first '?'
  std::string_view query;  // after the '?', empty when there is none
};

TargetParts split_target(std::string_view target);

// The raw (not percent-decoded) value of the first `name=value` pair; nullopt when absent.
std::optional<std::string_view> query_param(std::string_view query, std::string_view name);

// Whole-string decimal parses: nullopt on empty input, trailing junk, sign or overflow.
std::optional<std::uint64_t> parse_uint(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// The longest wait any route takes from its request (?ms=, ?first_ms=, X-Stampede-*-Ms,
// delay_ms): a minute, so that a typo cannot hold a connection for hours.
inline constexpr std::uint64_t kMaxDelayMs = 60'000;

// "/__stats", "/__reset", ...: admin endpoints are neither counted nor stalled.
inline bool is_admin_path(std::string_view path) {
  return path.starts_with("/__");
}

}  // namespace stampede::target
