#pragma once
// What every user of a run shares: the compiled plan, where to connect, and the limits.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/asio.h"
#include "engine/compiled_plan.h"

namespace stampede {

struct UserConfig {
  const CompiledPlan* plan = nullptr;
  asio::ip::tcp::endpoint endpoint;
  Duration connect_timeout{};
  Duration request_timeout{};
  std::uint64_t max_response_bytes = 0;
  std::uint32_t runner_index = 0;  // segment i of N, for runnerIndex / runnerCount
  std::uint32_t runner_count = 1;
  // The setup's values, parallel to plan->setup_slots; null when the plan has no setup.
  const std::vector<std::string>* setup_values = nullptr;
};

}  // namespace stampede
