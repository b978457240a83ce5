#pragma once
// The most sends in any window of W nanoseconds, exactly, counted as the sends come in time
// order: the send times within the window that ends at the newest are kept, so each send costs
// amortized O(1) and memory is what one window holds. A user's own peak for
// max_count_per_user(W) (docs/rate-limits.md): one user sends one request at a time, so its send
// times arrive in order.
//
// The busiest window [t, t + W) always has a send at its start; mirrored, the window (s - W, s]
// ending at some send s holds as many. Counting at every send therefore finds the peak.

#include <algorithm>
#include <cstdint>
#include <deque>

namespace stampede {

class SlidingPeak {
 public:
  explicit SlidingPeak(std::uint64_t window_ns) : window_ns_(window_ns) {}

  // A send at `at_ns`, not before the previous one: the count of the window ending at it.
  std::uint64_t add(std::uint64_t at_ns) {
    while (!times_.empty() && times_.front() + window_ns_ <= at_ns) times_.pop_front();
    times_.push_back(at_ns);
    peak_ = std::max<std::uint64_t>(peak_, times_.size());
    return times_.size();
  }
  std::uint64_t peak() const { return peak_; }

 private:
  std::uint64_t window_ns_;
  std::deque<std::uint64_t> times_;
  std::uint64_t peak_ = 0;
};

}  // namespace stampede
