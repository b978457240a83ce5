#pragma once
// The load of a test while it runs: the plan's schedule, changed from any thread through
// change() (POST /v1/load). Workers look at version() on every tick, one atomic load, and copy
// the schedule under the mutex only when it moved, so the request path never takes the lock.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/load_change.h"
#include "engine/load_schedule.h"
#include "plan/plan.h"

namespace stampede {

// A change applies this far ahead of its request, so that every worker (ticking every 10 ms)
// learns it before the instant and all of them switch at the same offset.
inline constexpr Duration kLoadChangeLead = std::chrono::milliseconds(20);

class LoadControl {
 public:
  LoadControl(const LoadModel& load, const std::vector<double>& scenario_weights);
  LoadControl(const LoadControl&) = delete;
  LoadControl& operator=(const LoadControl&) = delete;

  // The load phase starts at `t0`: changes requested from now on apply kLoadChangeLead after
  // their request. Before this, and before t0, they apply from t0.
  void set_start(TimePoint t0);
  // The load phase has ended (or was stopped): further changes are refused.
  void end_load();
  // Thread-safe. Applies `change`, requested at `now`, or says why not.
  LoadChangeOutcome change(const LoadChange& change, TimePoint now);

  // 0 for the plan's schedule; one more with every change.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // The schedule as it stands, and its version when `version` is given.
  std::shared_ptr<const LoadSchedule> current(std::uint64_t* version = nullptr) const;

 private:
  // Where a change requested at `now` applies, from t0; nullopt when the load phase is over.
  std::optional<Duration> offset_of(TimePoint now) const;
  std::optional<std::string> model_error(const LoadChange& change) const;
  LoadSchedule apply(const LoadChange& change, Duration at) const;

  const bool open_;
  const double planned_spawn_rate_;
  const Duration total_;
  const std::vector<double> scenario_weights_;
  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> version_{0};
  std::shared_ptr<const LoadSchedule> current_;
  std::optional<TimePoint> t0_;
  bool ended_ = false;
};

}  // namespace stampede
