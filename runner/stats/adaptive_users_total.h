#pragma once
// A runner's `load.adaptive` statistics from its worker threads' latest (docs/rate-limits.md).
// Counts add up across threads. The low point is the threads' running users added up right after
// a cut — read only when a cut happened, because between cuts users only come back or follow the
// plan: a stage that ramps down to 0 users is the plan, not the target pushing back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "stats/adaptive_users_stats.h"

namespace stampede {

class AdaptiveUsersTotal {
 public:
  // Keeps worker `worker`'s latest statistics.
  void note(std::size_t worker, const AdaptiveUsersStats& stats);
  // The threads added up, with the runner's low point; nullopt before any thread reported.
  std::optional<AdaptiveUsersStats> total() const;

 private:
  std::optional<AdaptiveUsersStats> sum() const;

  std::vector<std::optional<AdaptiveUsersStats>> workers_;
  std::uint64_t decreases_ = 0;  // cuts seen so far, all threads
  std::optional<double> lowest_;
};

}  // namespace stampede
