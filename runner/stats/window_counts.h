#pragma once
// Events per time slot since the test's start, for the largest number of events in any window
// of a given length: "no more than 30 requests in any minute", "no burst above 20 in 10 s".
// One-second buckets miss a burst that straddles two seconds; these slots are a microsecond
// wide, so a window can start at any microsecond.
//
// Exact and mergeable: counts add slot by slot, so the series of many threads or runners (which
// share the test's start instant) merged is the series of all their events, and its maximum is
// the maximum of the union. Memory is bounded: past kMaxSlots non-empty slots the slots double
// in width (merged pairwise), which only a long run at a high rate reaches — a quota test at
// 60 requests a minute keeps microsecond slots for 36 hours. The width in use is reported, and
// a window is then measured on that coarser grid.
//
// Layout: sorted (slot index, count) pairs, slot index = time since start / slot width.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stampede {

class WindowCounts {
 public:
  static constexpr std::uint64_t kFinestSlotNs = 1'000;  // 1 us
  static constexpr std::size_t kMaxSlots = std::size_t{1} << 17;

  // `count` events at `ns` after the test's start. Any order; in time order it appends.
  void add(std::uint64_t ns, std::uint64_t count = 1);
  void merge(const WindowCounts& other);

  // The most events in any window [t, t + window) with t on the slot grid; the window is
  // rounded up to whole slots (never down: a quota is never under-counted for it).
  std::uint64_t max_in_window(std::uint64_t window_ns) const;
  std::uint64_t total() const { return total_; }
  std::uint64_t slot_ns() const { return slot_ns_; }
  std::size_t slots() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }

  // {"slot_ns": 1000, "slots": [index delta, count, index delta, count, ...]}. from_json
  // returns nullopt and says why for a document that is not such a series.
  nlohmann::json to_json() const;
  static std::optional<WindowCounts> from_json(const nlohmann::json& j, std::string* error);

  bool operator==(const WindowCounts& other) const = default;

 private:
  // Widens the slots `factor` times (a power of two), merging the counts that fall together.
  void coarsen(std::uint64_t factor);
  void fit();  // coarsens until at most kMaxSlots remain

  std::uint64_t slot_ns_ = kFinestSlotNs;
  std::uint64_t total_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> slots_;
};

}  // namespace stampede
