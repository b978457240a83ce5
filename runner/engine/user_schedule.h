#pragma once
// How many users a closed model wants at each moment: a pure function of the plan.

#include <cstdint>
#include <vector>

#include "plan/plan.h"

namespace stampede {

class UserSchedule {
 public:
  explicit UserSchedule(const ClosedModel& model);

  // Users that should be running at offset t from the start (0 at or after the end).
  std::uint32_t users_at(Duration t) const;
  std::uint32_t peak_users() const;
  Duration total() const { return total_; }

 private:
  ClosedModel model_;
  Duration total_{};
};

}  // namespace stampede
