#include "engine/load_control.h"

#include <algorithm>

#include "engine/closed_driver.h"

namespace stampede {
namespace {

LoadSchedule planned_schedule(const LoadModel& load, const std::vector<double>& weights) {
  LoadSchedule s;
  if (const auto* open = std::get_if<OpenModel>(&load.model)) {
    s.arrivals = RateSchedule::of(*open);
    return s;
  }
  s.users = UserSchedule(std::get<ClosedModel>(load.model));
  s.scenario_of_user = std::make_shared<const std::vector<std::size_t>>(
      assign_scenarios(weights, std::max(1u, s.users->peak_users())));
  return s;
}

double planned_spawn_rate(const LoadModel& load) {
  const auto* closed = std::get_if<ClosedModel>(&load.model);
  return closed != nullptr ? closed->spawn_rate : 0;
}

LoadChangeOutcome refused(LoadChangeOutcome::Status status, std::string why) {
  LoadChangeOutcome outcome;
  outcome.status = status;
  outcome.error = std::move(why);
  return outcome;
}

}  // namespace

LoadControl::LoadControl(const LoadModel& load, const std::vector<double>& scenario_weights)
    : open_(load.is_open()),
      planned_spawn_rate_(planned_spawn_rate(load)),
      total_(load.duration()),
      scenario_weights_(scenario_weights),
      current_(std::make_shared<const LoadSchedule>(planned_schedule(load, scenario_weights))) {}

void LoadControl::set_start(TimePoint t0) {
  const std::lock_guard lock(mutex_);
  t0_ = t0;
}

void LoadControl::end_load() {
  const std::lock_guard lock(mutex_);
  ended_ = true;
}

LoadChangeOutcome LoadControl::change(const LoadChange& change, TimePoint now) {
  using Status = LoadChangeOutcome::Status;
  if (auto why = load_change_error(change)) return refused(Status::kInvalid, *why);
  if (auto why = model_error(change)) return refused(Status::kInvalid, *why);
  LoadChangeOutcome outcome;
  outcome.applied = change;
  if (!open_ && !change.spawn_rate) outcome.applied.spawn_rate = planned_spawn_rate_;
  const std::lock_guard lock(mutex_);
  const std::optional<Duration> at = offset_of(now);
  if (!at) return refused(Status::kTooLate, "the load phase is over");
  current_ = std::make_shared<const LoadSchedule>(apply(outcome.applied, *at));
  version_.fetch_add(1, std::memory_order_release);
  outcome.status = Status::kApplied;
  outcome.at = *at;
  return outcome;
}

std::shared_ptr<const LoadSchedule> LoadControl::current(std::uint64_t* version) const {
  const std::lock_guard lock(mutex_);
  if (version != nullptr) *version = version_.load(std::memory_order_relaxed);
  return current_;
}

std::optional<Duration> LoadControl::offset_of(TimePoint now) const {
  if (ended_) return std::nullopt;
  if (!t0_) return Duration::zero();  // not started: the change is the load from t0 on
  const Duration at = std::max(Duration::zero(), now + kLoadChangeLead - *t0_);
  if (at >= total_) return std::nullopt;
  return at;
}

std::optional<std::string> LoadControl::model_error(const LoadChange& change) const {
  if (open_ && change.users) {
    return "users: this plan has an open model (an arrival rate); change it with {\"rate\": R}";
  }
  if (!open_ && change.rate) {
    return "rate: this plan has a closed model (users); change it with {\"users\": N, "
           "\"spawnRate\": R}";
  }
  return std::nullopt;
}

LoadSchedule LoadControl::apply(const LoadChange& change, Duration at) const {
  LoadSchedule next = *current_;
  if (open_) {
    next.arrivals = next.arrivals->changed(at, *change.rate);
    return next;
  }
  next.users = next.users->changed(at, *change.users, *change.spawn_rate);
  if (*change.users > next.scenario_of_user->size()) {
    // The assignment is sequential, so the longer one begins with the shorter: users that run
    // already keep their scenarios.
    next.scenario_of_user = std::make_shared<const std::vector<std::size_t>>(
        assign_scenarios(scenario_weights_, *change.users));
  }
  return next;
}

}  // namespace stampede
