#pragma once
// The load a test runs as it stands: the plan's schedule with every change made while it runs
// applied. One model's part is set. Immutable once published, so threads share it freely.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "engine/rate_schedule.h"
#include "engine/user_schedule.h"

namespace stampede {

struct LoadSchedule {
  // Closed model: users wanted over time, and the scenario of each global user index (weights
  // applied globally), at least as long as the most users any change asked for.
  std::optional<UserSchedule> users;
  std::shared_ptr<const std::vector<std::size_t>> scenario_of_user;
  // Open model: when each arrival is due.
  std::optional<RateSchedule> arrivals;
};

}  // namespace stampede
