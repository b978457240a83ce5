#pragma once
// Values under sequential ids (1, 2, 3, ...) that keeps only the newest `capacity` ids, so a
// long load test that creates objects forever holds bounded memory: when full, inserting drops
// the oldest id. Not thread-safe; the stores that use it hold their own mutex.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

namespace stampede::target {

template <typename T>
class RecentIdMap {
 public:
  explicit RecentIdMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Stores `value` under the next id and returns that id; evicts the oldest id when full.
  std::uint64_t insert(T value) {
    if (slots_.size() == capacity_) pop_front();
    const std::uint64_t id = next_id();
    slots_.emplace_back(std::move(value));
    ++live_;
    return id;
  }

  // The id the next insert() returns.
  std::uint64_t next_id() const { return first_id_ + slots_.size(); }

  // nullptr when the id was never issued, was evicted or was erased.
  T* find(std::uint64_t id) {
    return const_cast<T*>(static_cast<const RecentIdMap&>(*this).find(id));
  }
  const T* find(std::uint64_t id) const {
    if (id < first_id_ || id - first_id_ >= slots_.size()) return nullptr;
    const auto& slot = slots_[id - first_id_];
    return slot ? &*slot : nullptr;
  }

  // True when the id was present. An erased id keeps its slot (ids stay positional) until it
  // becomes the oldest; the capacity therefore bounds erased and live ids together.
  bool erase(std::uint64_t id) {
    T* value = find(id);
    if (value == nullptr) return false;
    slots_[id - first_id_].reset();
    --live_;
    while (!slots_.empty() && !slots_.front()) pop_front();
    return true;
  }

  std::size_t size() const { return live_; }  // live (not erased) values

 private:
  void pop_front() {
    if (slots_.front()) --live_;
    slots_.pop_front();
    ++first_id_;
  }

  std::size_t capacity_;
  std::deque<std::optional<T>> slots_;  // slots_[i] holds id first_id_ + i
  std::uint64_t first_id_ = 1;
  std::size_t live_ = 0;
};

}  // namespace stampede::target
