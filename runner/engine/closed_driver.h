#pragma once
// The closed model (Locust): the worker's share of a user population that follows the
// spawn rate or the stages. Users loop over iterations; fewer wanted users are stopped after
// their current iteration.

#include <memory>
#include <vector>

#include "engine/load_driver.h"
#include "engine/share.h"
#include "engine/user_backoff.h"
#include "engine/user_schedule.h"

namespace stampede {

class ClosedDriver final : public LoadDriver {
 public:
  // `scenario_of_user[j]` is the scenario of global user index j (weights applied globally).
  ClosedDriver(UserPool& pool, const ClosedModel& model, Share share,
               std::vector<std::size_t> scenario_of_user);

  void start(TimePoint t0) override { t0_ = t0; }
  void tick(TimePoint now) override;
  void reschedule(const LoadSchedule& schedule) override;
  void stop_load() override;
  void on_user_idle(User& user) override { spare_.push_back(&user); }
  std::uint32_t active_users() const override { return static_cast<std::uint32_t>(active_.size()); }
  void on_overload(TimePoint sent, TimePoint now) override {
    if (backoff_) backoff_->on_signal(now, sent, active_.size());
  }
  std::optional<AdaptiveUsersStats> backoff_stats() const override {
    if (!backoff_) return std::nullopt;
    return backoff_->stats();
  }

 private:
  UserPool& pool_;
  UserSchedule schedule_;
  Share share_;
  // Shared with the load control, which replaces it when a change asks for more users.
  std::shared_ptr<const std::vector<std::size_t>> scenario_of_user_;
  TimePoint t0_{};
  bool stopped_ = false;
  std::vector<User*> active_;           // running, in start order
  std::vector<User*> spare_;            // stopped and idle, reusable
  std::optional<UserBackoff> backoff_;  // `load.adaptive`
};

// Assigns scenarios to global user indices 0..users-1 by weight, deterministically, so every
// share computes the same assignment (3:1 weights over 8 users give exactly 6 and 2).
std::vector<std::size_t> assign_scenarios(const std::vector<double>& weights, std::uint32_t users);

}  // namespace stampede
