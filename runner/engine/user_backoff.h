#pragma once
// A closed model's `load.adaptive` in one worker (docs/rate-limits.md): AIMD on the worker's share
// of the users. An overload signal — a listed status or a slow answer — to a request sent after
// the last cut multiplies the running users by `decrease` (at most one cut per kCutSpacing, so
// the answers already on their way to one overload do not cut again); while no signal comes,
// `increase` users a second (this worker's share of them) are added back, up to what the load
// asks for. Each worker backs off on its own users' signals: no lock, and together the workers
// follow the same law. Worker thread only.

#include <cstddef>
#include <optional>

#include "base/units.h"
#include "engine/share.h"
#include "plan/plan.h"
#include "stats/adaptive_users_stats.h"

namespace stampede {

// Whether an answer signals overload: a listed status or one slower than the latency bound.
inline bool overloaded(const AdaptiveUsers& spec, int status, Duration latency) {
  return spec.on.contains(status) || (spec.latency && latency > *spec.latency);
}

class UserBackoff {
 public:
  static constexpr Duration kCutSpacing = std::chrono::milliseconds(500);

  UserBackoff(const AdaptiveUsers& spec, Share share);

  // An overload signal at `now` for a request sent at `sent`, while `running` users run.
  void on_signal(TimePoint now, TimePoint sent, std::size_t running);
  // Every tick: the users to run now, of the `wanted` the load asks for.
  std::size_t users(TimePoint now, std::size_t wanted);
  // What it did so far (planned and users are this worker's share).
  AdaptiveUsersStats stats() const { return stats_; }

 private:
  AdaptiveUsers spec_;
  double floor_;               // this worker's share of `min`
  double step_;                // users a second added back: this worker's share of `increase`
  std::optional<double> cap_;  // the ceiling; unset until the first cut and once back to wanted
  std::optional<TimePoint> last_cut_;
  std::optional<TimePoint> last_tick_;
  AdaptiveUsersStats stats_;
};

}  // namespace stampede
