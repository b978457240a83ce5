#include "engine/user_backoff.h"

#include <algorithm>
#include <cmath>

namespace stampede {

UserBackoff::UserBackoff(const AdaptiveUsers& spec, Share share)
    : spec_(spec),
      floor_(static_cast<double>(share.of(spec.min_users))),
      step_(spec.increase / share.count) {}

void UserBackoff::on_signal(TimePoint now, TimePoint sent, std::size_t running) {
  ++stats_.signals;
  if (last_cut_ && (sent < *last_cut_ || now - *last_cut_ < kCutSpacing)) return;
  const double before = cap_.value_or(static_cast<double>(running));
  cap_ = std::max(floor_, std::min(before, static_cast<double>(running)) * spec_.decrease);
  last_cut_ = now;
  last_tick_ = now;  // users come back, and the throttled time counts, from the cut
  ++stats_.decreases;
  const double lowest = std::floor(*cap_);
  stats_.lowest_users = stats_.decreases == 1 ? lowest : std::min(stats_.lowest_users, lowest);
}

std::size_t UserBackoff::users(TimePoint now, std::size_t wanted) {
  const double elapsed = last_tick_ ? to_seconds(now - *last_tick_) : 0.0;
  last_tick_ = now;
  const auto want = static_cast<double>(wanted);
  if (cap_) {
    *cap_ += step_ * elapsed;
    // Throttled while the ceiling kept users the load asked for from running.
    if (std::floor(*cap_) < want) stats_.throttled_seconds += elapsed;
    if (*cap_ >= want) cap_.reset();  // back to the plan: a later ramp-up is not held back
  }
  const double run = cap_ ? std::min(want, std::floor(*cap_)) : want;
  stats_.planned_users = want;
  stats_.users = run;
  return static_cast<std::size_t>(run);
}

}  // namespace stampede
