#pragma once
// How many users a closed model wants at each moment: a pure function of the plan.

#include <cstdint>
#include <vector>

#include "model/plan.h"

namespace stampede {

class UserSchedule {
 public:
  explicit UserSchedule(const ClosedModel& model);

  // Users that should be running at offset t from the start (0 at or after the end).
  std::uint32_t users_at(Duration t) const;
  std::uint32_t peak_users() const;
  Duration total() const { return total_; }

  // How many of the first `users` global user indices belong to share k of n (index % n == k).
  static std::uint32_t share(std::uint32_t users, std::uint32_t k, std::uint32_t n);

 private:
  ClosedModel model_;
  Duration total_{};
};

}  // namespace stampede
