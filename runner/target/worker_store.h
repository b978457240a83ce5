#pragma once
// The workers behind /api/workers: created, claimed at most once, deleted. Load plans use them
// to provoke the 404s and 409s that concurrent users of one API run into. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

#include "target/recent_id_map.h"

namespace stampede::target {

struct Worker {
  std::uint64_t id = 0;
  bool claimed = false;
};

enum class ClaimOutcome { kClaimed, kAlreadyClaimed, kNotFound };

class WorkerStore {
 public:
  // At most `capacity` ids (live or deleted) are remembered; creating one more forgets the
  // oldest, so memory stays bounded however long a load test runs.
  explicit WorkerStore(std::size_t capacity);

  Worker create();
  std::optional<Worker> find(std::uint64_t id) const;
  ClaimOutcome claim(std::uint64_t id);
  // False when the id is unknown (or already deleted).
  bool remove(std::uint64_t id);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;  // held for one map operation only
  RecentIdMap<Worker> workers_;
};

}  // namespace stampede::target
