#include "target/plan_store.h"

#include <utility>

namespace stampede::target {

std::string_view to_string(PlanStatus status) {
  return status == PlanStatus::kApproved ? "approved" : "pending";
}

PlanStore::PlanStore(std::size_t capacity) : plans_(capacity) {}

Plan PlanStore::create(std::string name) {
  std::lock_guard lock(mutex_);
  Plan plan{plans_.next_id(), std::move(name), PlanStatus::kPending};
  plans_.insert(plan);
  return plan;
}

std::optional<Plan> PlanStore::find(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  const Plan* plan = plans_.find(id);
  if (plan == nullptr) return std::nullopt;
  return *plan;
}

ApproveOutcome PlanStore::approve(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  Plan* plan = plans_.find(id);
  if (plan == nullptr) return ApproveOutcome::kNotFound;
  if (plan->status == PlanStatus::kApproved) return ApproveOutcome::kAlreadyApproved;
  plan->status = PlanStatus::kApproved;
  return ApproveOutcome::kApproved;
}

std::size_t PlanStore::size() const {
  std::lock_guard lock(mutex_);
  return plans_.size();
}

}  // namespace stampede::target
