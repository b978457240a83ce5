#pragma once
// How many users a closed model wants at each moment: a pure function of the plan and of the
// changes made while it runs (POST /v1/load).

#include <cstdint>
#include <vector>

#include "plan/plan.h"

namespace stampede {

class UserSchedule {
 public:
  explicit UserSchedule(const ClosedModel& model);

  // This schedule with its load changed at offset `at` (0: from the start): the users wanted
  // then (none at 0) move toward `users`, the first one started or stopped at `at` and one more
  // every 1/spawn_rate seconds (all at once for 0), then stay at `users` until the planned end.
  // The stages and earlier changes from `at` on are replaced.
  UserSchedule changed(Duration at, std::uint32_t users, double spawn_rate) const;

  // Users that should be running at offset t from the start (0 at or after the end).
  std::uint32_t users_at(Duration t) const;
  // The plan's peak, without changes.
  std::uint32_t peak_users() const;
  Duration total() const { return total_; }

 private:
  struct Change {
    Duration at{};
    std::uint32_t from = 0;  // users wanted at `at` before the change
    std::uint32_t to = 0;
    double spawn_rate = 0;
  };
  std::uint32_t planned_at(Duration t) const;

  ClosedModel model_;
  Duration total_{};
  std::vector<Change> changes_;  // by `at`, ascending
};

}  // namespace stampede
