#pragma once
// The /__stall window: while it is open every non-/__ response is held, which lets
// coordinated-omission tests freeze the server without stopping it from accepting requests.

#include <atomic>
#include <chrono>

namespace stampede::target {

class StallWindow {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens (or replaces) the window: it ends `length` from now. A zero length ends it at once.
  void stall_for(Clock::duration length);
  // When the current window ends; in the past when there is none.
  Clock::time_point until() const;

 private:
  // Clock ticks since the clock's epoch; atomic because every server thread reads it.
  std::atomic<Clock::rep> until_{0};
};

}  // namespace stampede::target
