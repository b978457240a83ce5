#pragma once
// Every second of a run for every request name: what Locust's `--csv-full-history` writes (a
// stats-history row per entry and second). The result keeps only the all-rows series, so this
// is recorded only when asked for: the engine's aggregator feeds each completed second with the
// rows' statistics of that second.
//
// Entries are keyed by method and name, as Locust keys its statistics: rows of several
// scenarios with the same name and method are one entry, their histograms merged bucket by
// bucket. Every number is exact: a second's percentiles come from that second's merged
// histogram, the totals from the running merge of all seconds so far. A second keeps numbers,
// not histograms: about 300 bytes per entry and second (an hour of 20 names: about 23 MB).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/request_stats.h"

namespace stampede {

// The latency percentiles Locust's CSV files report (its PERCENTILES_TO_REPORT); 100 is the
// maximum.
inline constexpr std::array<double, 11> kHistoryPercentiles = {50, 66, 75,   80,    90, 95,
                                                               98, 99, 99.9, 99.99, 100};

// Latencies of a histogram, in nanoseconds; all 0 when it is empty (count 0).
struct LatencySummary {
  std::uint64_t count = 0;
  std::uint64_t min_ns = 0;
  std::uint64_t max_ns = 0;
  double mean_ns = 0;
  std::array<std::uint64_t, kHistoryPercentiles.size()> percentiles_ns{};

  static LatencySummary of(const Histogram& h);
};

// One entry (or all of them) over one second, and its totals from the start to that second's end.
struct HistorySecond {
  double elapsed_seconds = 0;  // the end of the second; the last one ends with the run
  std::uint32_t users = 0;     // as in the series: running users, or iterations in flight
  std::uint64_t requests = 0;  // in this second
  std::uint64_t failures = 0;
  LatencySummary latency;  // of this second
  std::uint64_t total_requests = 0;
  std::uint64_t total_failures = 0;
  std::uint64_t total_bytes_received = 0;
  LatencySummary total_latency;
};

class RequestHistory {
 public:
  struct Entry {
    std::string method;
    std::string name;
  };

  // `rows`: the statistics rows in the order add_second() receives them.
  explicit RequestHistory(const std::vector<StatsKey>& rows);

  // The second ending at `elapsed_seconds`: `rows` holds what each row recorded in it.
  void add_second(double elapsed_seconds, std::uint32_t users,
                  const std::vector<RequestStats>& rows);
  // The run ended `elapsed` seconds after its start: the last second is labelled with it.
  void finish(double elapsed);

  // Sorted by name, then method (Locust's order).
  const std::vector<Entry>& entries() const { return entries_; }
  // seconds()[i][e]: second i of entry e; index entries().size() is all entries together.
  const std::vector<std::vector<HistorySecond>>& seconds() const { return seconds_; }

 private:
  // What the history needs of a row's statistics (RequestStats would copy four histograms).
  struct Tally {
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;
    std::uint64_t bytes_received = 0;
    Histogram latency;
    void add(const RequestStats& stats);
    void add(const Tally& other);
  };
  HistorySecond next_second(std::size_t entry, double elapsed, std::uint32_t users,
                            const Tally& second);

  std::vector<Entry> entries_;
  std::vector<std::size_t> entry_of_row_;
  std::vector<Tally> totals_;  // per entry, then all entries
  std::vector<std::vector<HistorySecond>> seconds_;
};

}  // namespace stampede
