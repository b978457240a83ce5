#pragma once
// The plan turned into what the request path needs: requests serialized once, statistics rows
// numbered, weights ready for picking. Built once before the run; read-only afterwards, so all
// worker threads share it without locks.

#include <cstddef>
#include <string>
#include <vector>

#include "model/plan.h"
#include "model/request_stats.h"

namespace stampede {

struct CompiledStep {
  std::string request;  // the complete HTTP/1.1 request bytes
  std::size_t row = 0;  // index of the statistics row (scenario + name + method)
  StatusSet expect;     // statuses that count as success
  bool head = false;    // HEAD: the response has no body whatever its headers say
};

struct CompiledTask {
  std::vector<CompiledStep> steps;
};

struct CompiledScenario {
  std::string name;
  WaitTime wait;
  std::vector<CompiledTask> tasks;
  std::vector<double> task_weights;
};

struct CompiledPlan {
  std::vector<StatsKey> rows;  // statistics rows in plan order
  std::vector<CompiledScenario> scenarios;
  std::vector<double> scenario_weights;
};

CompiledPlan compile_plan(const Plan& plan);

// Serializes one request: request line, Host, User-Agent, target headers overridden by the
// step's (names compared case-insensitively), Content-Type/Length when there is a body.
std::string serialize_request(const Target& target, const HttpStep& step);

}  // namespace stampede
