#pragma once
// Statistics of one request name within one scenario: what every worker thread records on the
// request path, what the aggregator merges, and what a result carries per row.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "stats/error_category.h"
#include "stats/histogram.h"
#include "stats/status_counts.h"
#include "stats/stream_stats.h"
#include "stats/ws_stats.h"

namespace stampede {

// Identifies a row of statistics. Names are templates, never rendered URLs.
struct StatsKey {
  std::string scenario;
  std::string name;
  std::string method;

  bool operator==(const StatsKey&) const = default;
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
  WsStats ws;                       // `ws:` steps only

  void merge(const RequestStats& other);
  std::uint64_t error_count(ErrorCategory c) const { return errors[static_cast<std::size_t>(c)]; }
};

}  // namespace stampede
