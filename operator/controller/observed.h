#pragma once
// What the controller sees of one LoadTest before deciding: the resource, its children and, while
// the test runs, each runner's /v1/status.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/loadtest.h"

namespace stampede::op {

using WallClock = std::chrono::system_clock;

struct RunnerObservation {
  std::uint32_t run = 0;  // label stampede.dev/run (0: none)
  std::uint32_t index = 0;
  std::uint32_t attempt = 0;  // label stampede.dev/attempt: a replacement's number
  bool deleting = false;      // the pod has a deletionTimestamp (its runner is stopping)
  bool pod_exists = false;
  std::string pod_name;
  std::string phase;  // Pending, Running, Succeeded, Failed
  bool ready = false;
  std::string pod_ip;
  std::string problem;  // why it is not running: "ImagePullBackOff: ...", "Unschedulable: ..."
  bool terminated = false;
  int exit_code = 0;
  std::optional<nlohmann::json> status;  // /v1/status, when polled and answered
};

struct Observed {
  LoadTest lt;
  // The spec's plan, parsed once per reconcile (observe_plan) and used by decide and act;
  // nullopt and plan_errors (field paths) when it does not parse.
  std::optional<Plan> plan;
  SourceErrors plan_errors;
  WallClock::time_point now;
  bool plan_config_map = false;
  bool result_config_map = false;
  std::vector<RunnerObservation> runners;     // one per runner pod of the current run, by index
  std::vector<RunnerObservation> other_runs;  // pods of other runs (left to delete)
};

// Reads a pod into an observation (run and index from its labels).
RunnerObservation observe_pod(const nlohmann::json& pod);

// Parses o.lt's plan into o.plan, or its errors into o.plan_errors.
void observe_plan(Observed& o);

// The plan errors as one message: "spec.load.users: must be > 0; ...".
std::string plan_errors_text(const Observed& o);

}  // namespace stampede::op
