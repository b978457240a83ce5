#include "engine/closed_driver.h"

#include "engine/weighted_picker.h"

namespace stampede {

std::vector<std::size_t> assign_scenarios(const std::vector<double>& weights, std::uint32_t users) {
  WeightedPicker picker(weights);
  std::vector<std::size_t> out(users);
  for (auto& scenario : out) scenario = picker.pick();
  return out;
}

ClosedDriver::ClosedDriver(UserPool& pool, const ClosedModel& model, Share share,
                           std::vector<std::size_t> scenario_of_user)
    : pool_(pool),
      schedule_(model),
      share_(share),
      scenario_of_user_(
          std::make_shared<const std::vector<std::size_t>>(std::move(scenario_of_user))) {
  if (model.adaptive) backoff_.emplace(*model.adaptive, share);
}

void ClosedDriver::tick(TimePoint now) {
  if (stopped_) return;
  std::size_t wanted = static_cast<std::size_t>(share_.of(schedule_.users_at(now - t0_)));
  if (backoff_) wanted = backoff_->users(now, wanted);
  while (active_.size() < wanted) {
    // The n-th user of this share has global index share.index + n * share.count.
    const std::size_t global = share_.index + active_.size() * share_.count;
    User* user = nullptr;
    if (!spare_.empty()) {
      user = spare_.back();
      spare_.pop_back();
    } else {
      user = &pool_.create_user();
    }
    active_.push_back(user);
    const std::vector<std::size_t>& scenarios = *scenario_of_user_;
    user->start_loop(scenarios[global % scenarios.size()]);
  }
  while (active_.size() > wanted) {
    User* user = active_.back();
    active_.pop_back();
    user->stop();
  }
}

void ClosedDriver::reschedule(const LoadSchedule& schedule) {
  // The next tick starts or stops users toward the new count.
  schedule_ = *schedule.users;
  scenario_of_user_ = schedule.scenario_of_user;
}

void ClosedDriver::stop_load() {
  stopped_ = true;
  for (User* user : active_) user->stop();
  active_.clear();
}

}  // namespace stampede
