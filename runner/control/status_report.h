#pragma once
// The /v1/status document: where a running test stands, built once per second from the
// merged snapshot. The operator copies it into the LoadTest's status.progress.

#include <nlohmann/json.hpp>
#include <vector>

#include "engine/snapshot.h"
#include "stats/result.h"

namespace stampede {

struct StatusIdentity {
  std::string testid;
  std::string runner;  // "i/N"
};

// {testid, runner, elapsed_seconds, planned_seconds, users, rps, target_rate, target_users,
//  requests, failures, dropped, iterations, latency_seconds{p50,p95,p99}, thresholds[],
//  generator{cpu, memory_bytes, memory_peak_bytes, connections, loop_lag_seconds, saturated,
//  saturated_seconds, cause}}; the state and start time are added by ControlState.
nlohmann::json status_document(const StatusIdentity& identity, const Snapshot& snapshot,
                               const std::vector<ThresholdOutcome>& thresholds);

}  // namespace stampede
