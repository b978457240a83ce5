#include "target/stall.h"

namespace stampede::target {

void StallWindow::stall_for(Clock::duration length) {
  until_.store((Clock::now() + length).time_since_epoch().count(), std::memory_order_relaxed);
}

StallWindow::Clock::time_point StallWindow::until() const {
  return Clock::time_point(Clock::duration(until_.load(std::memory_order_relaxed)));
}

}  // namespace stampede::target
