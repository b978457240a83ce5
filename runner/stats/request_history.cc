#include "stats/request_history.h"

#include <algorithm>
#include <tuple>

namespace stampede {

LatencySummary LatencySummary::of(const Histogram& h) {
  LatencySummary s;
  if (h.empty()) return s;
  s.count = h.count();
  s.min_ns = h.min_ns();
  s.max_ns = h.max_ns();
  s.mean_ns = h.mean_ns();
  for (std::size_t i = 0; i < kHistoryPercentiles.size(); ++i) {
    s.percentiles_ns[i] = h.percentile_ns(kHistoryPercentiles[i]);
  }
  return s;
}

void RequestHistory::Tally::add(const RequestStats& stats) {
  requests += stats.requests;
  failures += stats.failures;
  bytes_received += stats.bytes_received;
  latency.merge(stats.latency);
}

void RequestHistory::Tally::add(const Tally& other) {
  requests += other.requests;
  failures += other.failures;
  bytes_received += other.bytes_received;
  latency.merge(other.latency);
}

RequestHistory::RequestHistory(const std::vector<StatsKey>& rows) {
  for (const StatsKey& row : rows) entries_.push_back({row.method, row.name});
  const auto order = [](const Entry& a, const Entry& b) {
    return std::tie(a.name, a.method) < std::tie(b.name, b.method);
  };
  const auto same = [](const Entry& a, const Entry& b) {
    return a.name == b.name && a.method == b.method;
  };
  std::sort(entries_.begin(), entries_.end(), order);
  entries_.erase(std::unique(entries_.begin(), entries_.end(), same), entries_.end());
  for (const StatsKey& row : rows) {
    const Entry key{row.method, row.name};
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), key, order);
    entry_of_row_.push_back(static_cast<std::size_t>(it - entries_.begin()));
  }
  totals_.resize(entries_.size() + 1);
}

void RequestHistory::add_second(double elapsed_seconds, std::uint32_t users,
                                const std::vector<RequestStats>& rows) {
  std::vector<Tally> second(entries_.size() + 1);
  for (std::size_t row = 0; row < rows.size() && row < entry_of_row_.size(); ++row) {
    second[entry_of_row_[row]].add(rows[row]);
    second.back().add(rows[row]);
  }
  std::vector<HistorySecond>& out = seconds_.emplace_back();
  for (std::size_t entry = 0; entry < second.size(); ++entry) {
    out.push_back(next_second(entry, elapsed_seconds, users, second[entry]));
  }
}

HistorySecond RequestHistory::next_second(std::size_t entry, double elapsed, std::uint32_t users,
                                          const Tally& second) {
  Tally& total = totals_[entry];
  total.add(second);
  HistorySecond s;
  s.elapsed_seconds = elapsed;
  s.users = users;
  s.requests = second.requests;
  s.failures = second.failures;
  s.latency = LatencySummary::of(second.latency);
  s.total_requests = total.requests;
  s.total_failures = total.failures;
  s.total_bytes_received = total.bytes_received;
  s.total_latency = LatencySummary::of(total.latency);
  return s;
}

void RequestHistory::finish(double elapsed) {
  // As the series: the last second may have been cut short by the end of the run.
  for (auto& second : seconds_) {
    for (HistorySecond& s : second) s.elapsed_seconds = std::min(s.elapsed_seconds, elapsed);
  }
}

}  // namespace stampede
