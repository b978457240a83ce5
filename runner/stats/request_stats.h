#pragma once
// Statistics of one request name within one scenario: what every worker thread records on the
// request path, what the aggregator merges, and what a result carries per row.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stats/error_category.h"
#include "stats/histogram.h"
#include "stats/stream_stats.h"

namespace stampede {

// Identifies a row of statistics. Names are templates, never rendered URLs.
struct StatsKey {
  std::string scenario;
  std::string name;
  std::string method;

  bool operator==(const StatsKey&) const = default;
};

// Counts per HTTP status; a request name sees few distinct statuses, so a small vector with a
// linear search beats a map on the request path.
class StatusCounts {
 public:
  void add(int status, std::uint64_t n = 1) {
    for (auto& [code, count] : counts_) {
      if (code == status) {
        count += n;
        return;
      }
    }
    counts_.emplace_back(status, n);
  }
  void merge(const StatusCounts& other) {
    for (const auto& [code, count] : other.counts_) add(code, count);
  }
  std::uint64_t get(int status) const {
    for (const auto& [code, count] : counts_) {
      if (code == status) return count;
    }
    return 0;
  }
  // Sorted by status.
  std::vector<std::pair<int, std::uint64_t>> sorted() const;
  bool empty() const { return counts_.empty(); }

 private:
  std::vector<std::pair<int, std::uint64_t>> counts_;
};

// Passes and failures of one check of a row's step (k6's `checks` metric). A row's checks are
// numbered in plan order, so the request path records by index; merging matches by name.
struct CheckCounts {
  std::string name;
  std::uint64_t passes = 0;
  std::uint64_t fails = 0;
};

struct RequestStats {
  std::uint64_t requests = 0;  // completed or failed (dropped iterations are not requests)
  std::uint64_t failures = 0;  // transport errors plus unexpected statuses
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  StatusCounts statuses;          // responses received, by status
  ErrorCounts errors{};           // failures by category
  Histogram latency;              // from the scheduled start to the last byte
  Histogram service_time;         // from the actual send to the last byte
  Histogram waiting;              // from the actual send to the first byte (TTFB)
  Histogram connecting;           // TCP (+TLS) connect time, for requests that opened a connection
  std::uint64_t retries = 0;      // attempts retried by a `retry` policy (not in `requests`)
  StatusCounts retried_statuses;  // the statuses that caused those retries (0: no response)
  std::vector<CheckCounts> checks;  // the row's checks, in plan order
  StreamStats stream;               // `stream:` steps only

  void merge(const RequestStats& other);
  std::uint64_t error_count(ErrorCategory c) const { return errors[static_cast<std::size_t>(c)]; }
};

}  // namespace stampede
