#include "engine/user_schedule.h"

#include <algorithm>
#include <cmath>

#include "plan/load_peak.h"

namespace stampede {

UserSchedule::UserSchedule(const ClosedModel& model) : model_(model) {
  if (model_.stages.empty()) {
    total_ = model_.duration;
  } else {
    for (const Stage& s : model_.stages) total_ += s.duration;
  }
}

std::uint32_t UserSchedule::users_at(Duration t) const {
  if (t < Duration::zero() || t >= total_) return 0;
  if (model_.stages.empty()) {
    if (model_.spawn_rate <= 0) return model_.users;
    // Locust spawns the first user at once and one more every 1/spawn_rate seconds.
    const double spawned = std::floor(to_seconds(t) * model_.spawn_rate) + 1;
    return static_cast<std::uint32_t>(std::min<double>(spawned, model_.users));
  }
  double from = 0;
  Duration start{};
  for (const Stage& s : model_.stages) {
    if (t < start + s.duration) {
      const double f = to_seconds(t - start) / to_seconds(s.duration);
      // A small epsilon keeps exact stage ends (e.g. 10.0 users) from rounding down to 9.
      return static_cast<std::uint32_t>(std::floor(from + (s.target - from) * f + 1e-9));
    }
    from = s.target;
    start += s.duration;
  }
  return 0;
}

std::uint32_t UserSchedule::peak_users() const {
  return stampede::peak_users(model_);  // the operator sizes runners by the same function
}

}  // namespace stampede
