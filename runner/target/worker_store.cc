#include "target/worker_store.h"

namespace stampede::target {

WorkerStore::WorkerStore(std::size_t capacity) : workers_(capacity) {}

Worker WorkerStore::create() {
  std::lock_guard lock(mutex_);
  const Worker worker{workers_.next_id(), false};
  workers_.insert(worker);
  return worker;
}

std::optional<Worker> WorkerStore::find(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  const Worker* worker = workers_.find(id);
  if (worker == nullptr) return std::nullopt;
  return *worker;
}

ClaimOutcome WorkerStore::claim(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  Worker* worker = workers_.find(id);
  if (worker == nullptr) return ClaimOutcome::kNotFound;
  if (worker->claimed) return ClaimOutcome::kAlreadyClaimed;
  worker->claimed = true;
  return ClaimOutcome::kClaimed;
}

bool WorkerStore::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  return workers_.erase(id);
}

std::size_t WorkerStore::size() const {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

}  // namespace stampede::target
