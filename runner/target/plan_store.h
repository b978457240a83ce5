#pragma once
// The plans behind /api/plans: created "pending", approved once. Shared by all server threads.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "target/recent_id_map.h"

namespace stampede::target {

enum class PlanStatus { kPending, kApproved };

std::string_view to_string(PlanStatus status);

struct Plan {
  std::uint64_t id = 0;
  std::string name;
  PlanStatus status = PlanStatus::kPending;
};

enum class ApproveOutcome { kApproved, kAlreadyApproved, kNotFound };

class PlanStore {
 public:
  // At most `capacity` plans are kept; creating one more forgets the oldest (its id then
  // answers 404), so memory stays bounded however long a load test creates plans.
  explicit PlanStore(std::size_t capacity);

  Plan create(std::string name);
  // Copies, so callers build responses outside the lock.
  std::optional<Plan> find(std::uint64_t id) const;
  ApproveOutcome approve(std::uint64_t id);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;  // held for one map operation, never while serialising JSON
  RecentIdMap<Plan> plans_;
};

}  // namespace stampede::target
