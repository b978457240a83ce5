#pragma once
// What every user of a run shares: the compiled plan, where to connect, and the limits.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/asio.h"
#include "engine/compiled_plan.h"

namespace stampede {

class RateGate;

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
  // The run's `limits:` entries, by Plan::limits index (the engine owns them); empty before the
  // load starts (the setup runs unlimited) and when the plan has none.
  std::vector<RateGate*> gates;
  // A closed model's `load.adaptive`: users report its overload signals to their worker. Null:
  // none (the open model, the setup and teardown).
  const AdaptiveUsers* backoff = nullptr;
};

}  // namespace stampede
