#include "engine/user_schedule.h"

#include <algorithm>
#include <cmath>

#include "plan/load_peak.h"

namespace stampede {
namespace {

// Locust spawns the first user at once and one more every 1/spawn_rate seconds; a change moves
// from `from` toward `to` the same way, in either direction.
std::uint32_t spawned(std::uint32_t from, std::uint32_t to, double spawn_rate, Duration since) {
  if (spawn_rate <= 0) return to;
  const double steps = std::floor(to_seconds(since) * spawn_rate) + 1;
  if (to >= from) return static_cast<std::uint32_t>(std::min<double>(from + steps, to));
  return static_cast<std::uint32_t>(std::max<double>(from - steps, to));
}

}  // namespace

UserSchedule::UserSchedule(const ClosedModel& model) : model_(model) {
  if (model_.stages.empty()) {
    total_ = model_.duration;
  } else {
    for (const Stage& s : model_.stages) total_ += s.duration;
  }
}

UserSchedule UserSchedule::changed(Duration at, std::uint32_t users, double spawn_rate) const {
  UserSchedule out = *this;
  at = std::max(at, Duration::zero());
  // Nothing ran before the start, so a change made before it ramps from zero like the plan.
  const std::uint32_t from = at > Duration::zero() ? users_at(at) : 0;
  std::erase_if(out.changes_, [at](const Change& c) { return c.at >= at; });
  out.changes_.push_back({at, from, users, spawn_rate});
  return out;
}

std::uint32_t UserSchedule::users_at(Duration t) const {
  if (t < Duration::zero() || t >= total_) return 0;
  for (auto c = changes_.rbegin(); c != changes_.rend(); ++c) {
    if (c->at <= t) return spawned(c->from, c->to, c->spawn_rate, t - c->at);
  }
  return planned_at(t);
}

std::uint32_t UserSchedule::planned_at(Duration t) const {
  if (model_.stages.empty()) return spawned(0, model_.users, model_.spawn_rate, t);
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
