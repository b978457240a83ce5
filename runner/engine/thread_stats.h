#pragma once
// What one worker thread records between two snapshots. Owned by exactly one thread at a
// time: the worker fills it, then hands it to the aggregator by value (asio::post), so the
// request path needs neither locks nor atomics.

#include <cstdint>
#include <optional>
#include <vector>

#include "stats/adaptive_users_stats.h"
#include "stats/request_stats.h"
#include "stats/result.h"
#include "stats/window_counts.h"

namespace stampede {

// The worker thread's own load in the interval (engine/self_monitor.h).
struct WorkerLoad {
  std::uint64_t cpu_ns = 0;       // CPU time the thread used
  std::uint64_t wall_ns = 0;      // the interval's length
  Histogram lag;                  // how late each 10 ms tick ran
  std::uint32_t connections = 0;  // open when handed over
};

struct ThreadStats {
  ThreadStats(std::size_t rows_count, std::size_t scenario_count, std::size_t stage_count = 0)
      : rows(rows_count), iterations(scenario_count), stages(stage_count) {}

  std::vector<RequestStats> rows;           // by CompiledStep::row
  std::vector<IterationCounts> iterations;  // by scenario index
  std::uint32_t users = 0;                  // active users when handed over
  std::vector<RequestStats> stages;         // by CompiledPlan::stage_names index
  std::vector<CustomMetricStats> custom;    // by Plan::metrics index
  std::vector<WindowCounts> windows;        // by CompiledPlan::windows index
  // By CompiledPlan::user_windows index: the busiest user's peak so far (cumulative).
  std::vector<std::uint64_t> user_window_peaks;
  WorkerLoad load;
  std::optional<AdaptiveUsersStats> backoff;  // `load.adaptive` so far (cumulative)
};

}  // namespace stampede
