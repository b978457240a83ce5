#pragma once
// The state of a run at one second: what progress lines, /v1/status and /metrics show.

#include <cstdint>
#include <vector>

#include "model/request_stats.h"
#include "model/result.h"

namespace stampede {

struct Snapshot {
  double elapsed_seconds = 0;
  double planned_seconds = 0;
  std::uint32_t users = 0;
  TimeSeriesPoint last;                             // the interval that just ended
  RequestStats totals;                              // cumulative over all rows
  IterationCounts iterations;                       // cumulative
  const std::vector<RequestStats>* rows = nullptr;  // cumulative per row, valid during the call
};

}  // namespace stampede
