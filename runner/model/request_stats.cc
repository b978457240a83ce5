#include "model/request_stats.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

namespace stampede {
namespace {

constexpr std::array<std::string_view, kErrorCategoryCount> kErrorNames = {
    "connect_refused",
    "connect_timeout",
    "connect_error",
    "request_timeout",
    "reset",
    "tls",
    "protocol",
    "response_too_large",
    "unexpected_status",
    "interrupted",
    "extract",
};

}  // namespace

std::string_view error_category_name(ErrorCategory category) {
  return kErrorNames[static_cast<std::size_t>(category)];
}

std::optional<ErrorCategory> error_category_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kErrorNames.size(); ++i) {
    if (kErrorNames[i] == name) return static_cast<ErrorCategory>(i);
  }
  return std::nullopt;
}

std::vector<std::pair<int, std::uint64_t>> StatusCounts::sorted() const {
  auto out = counts_;
  std::sort(out.begin(), out.end());
  return out;
}

void RequestStats::merge(const RequestStats& other) {
  requests += other.requests;
  failures += other.failures;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  statuses.merge(other.statuses);
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  latency.merge(other.latency);
  service_time.merge(other.service_time);
  waiting.merge(other.waiting);
  connecting.merge(other.connecting);
  retries += other.retries;
  retried_statuses.merge(other.retried_statuses);
  for (std::size_t i = 0; i < other.checks.size(); ++i) {
    const CheckCounts& theirs = other.checks[i];
    // Same plan: same order. Otherwise (results of other versions) match by name.
    CheckCounts* mine = i < checks.size() && checks[i].name == theirs.name ? &checks[i] : nullptr;
    for (std::size_t j = 0; !mine && j < checks.size(); ++j) {
      if (checks[j].name == theirs.name) mine = &checks[j];
    }
    if (!mine) mine = &checks.emplace_back(CheckCounts{theirs.name, 0, 0});
    mine->passes += theirs.passes;
    mine->fails += theirs.fails;
  }
}

}  // namespace stampede
