#pragma once
// A change of a running test's load (POST /v1/load, Engine::change_load), as Locust's web UI and
// k6's arrival-rate control allow: a new user target and spawn rate for the closed model, or a
// new arrival rate for the open model. The numbers are the whole test's, like the plan's: every
// runner and thread takes its share of them.

#include <cstdint>
#include <optional>
#include <string>

#include "base/units.h"

namespace stampede {

struct LoadChange {
  std::optional<std::uint32_t> users;  // closed model: the new target
  // Closed model: users started (or stopped) per second on the way there; 0: at once. Unset: the
  // plan's spawnRate.
  std::optional<double> spawn_rate;
  std::optional<double> rate;  // open model: arrivals per second
};

// Why the numbers of `change` make no sense, naming the field as the API spells it (users,
// spawnRate, rate): negative, not finite or above plan/limits.h, both models' fields or neither.
// nullopt when they are fine. Whether they fit the plan's model is LoadControl's question.
std::optional<std::string> load_change_error(const LoadChange& change);

struct LoadChangeOutcome {
  enum class Status {
    kApplied,
    kInvalid,  // the change makes no sense for this plan (400 in the API)
    kTooLate,  // the load phase is over (409)
  };
  Status status = Status::kInvalid;
  std::string error;   // unless applied
  LoadChange applied;  // the change as made, its spawn rate resolved
  Duration at{};       // where it applies, from the start of the load phase (t0)
};

}  // namespace stampede
