#include "stats/request_stats.h"

#include <algorithm>

namespace stampede {

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
  stream.merge(other.stream);
  ws.merge(other.ws);
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
