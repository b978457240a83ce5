#include "stats/adaptive_users_total.h"

#include <algorithm>

namespace stampede {

void AdaptiveUsersTotal::note(std::size_t worker, const AdaptiveUsersStats& stats) {
  if (workers_.size() <= worker) workers_.resize(worker + 1);
  workers_[worker] = stats;
  const std::optional<AdaptiveUsersStats> now = sum();
  if (!now || now->decreases <= decreases_) return;
  decreases_ = now->decreases;
  lowest_ = std::min(lowest_.value_or(now->users), now->users);
}

std::optional<AdaptiveUsersStats> AdaptiveUsersTotal::total() const {
  std::optional<AdaptiveUsersStats> out = sum();
  // The threads' own lows came at different moments: their sum is not the runner's low point.
  if (out) out->lowest_users = lowest_.value_or(0.0);
  return out;
}

std::optional<AdaptiveUsersStats> AdaptiveUsersTotal::sum() const {
  std::optional<AdaptiveUsersStats> out;
  for (const auto& worker : workers_) {
    if (!worker) continue;
    if (out) {
      out->merge(*worker);
    } else {
      out = worker;
    }
  }
  return out;
}

}  // namespace stampede
