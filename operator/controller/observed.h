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
  std::uint32_t index = 0;
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
  WallClock::time_point now;
  bool plan_config_map = false;
  bool result_config_map = false;
  std::vector<RunnerObservation> runners;  // one per runner pod found, by index
};

// Reads a pod into an observation (index from its label).
RunnerObservation observe_pod(const nlohmann::json& pod);

}  // namespace stampede::op
