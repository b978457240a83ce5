#pragma once
// The state of a run at one second: what progress lines, /v1/status and /metrics show.

#include <cstdint>
#include <vector>

#include "engine/compiled_plan.h"
#include "engine/self_monitor.h"
#include "stats/request_stats.h"
#include "stats/result.h"

namespace stampede {

struct Snapshot {
  double elapsed_seconds = 0;
  double planned_seconds = 0;
  std::uint32_t users = 0;     // closed model: running users; open model: iterations in flight
  bool open_model = false;     // arrivals on a schedule (target_rate) rather than a user count
  TimeSeriesPoint last;        // the interval that just ended
  RequestStats totals;         // cumulative over all rows
  IterationCounts iterations;  // cumulative
  const std::vector<RequestStats>* rows = nullptr;  // cumulative per row, valid during the call
  // Valid during the call: the row keys and scenario names, and iterations per scenario.
  const CompiledPlan* plan = nullptr;
  const std::vector<IterationCounts>* scenario_iterations = nullptr;
  // Valid during the call, cumulative; null when not recorded: the named load stages (plan
  // order) and the custom metrics (plan order, values bounded by kMaxCustomValues).
  const std::vector<StageStats>* stages = nullptr;
  const std::vector<CustomMetricStats>* custom = nullptr;
  double target_rate = 0;          // this runner's planned arrivals per second now (open model)
  std::uint32_t target_users = 0;  // this runner's planned users now (closed model)
  // The generator itself (CPU, memory, loop lag, saturation); valid during the call, null when
  // not monitored.
  const GeneratorNow* generator = nullptr;
  bool stopping = false;  // the load phase is over or a stop was requested
  bool final = false;     // the run has ended: the last snapshot, equal to the result
};

}  // namespace stampede
