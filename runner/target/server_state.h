#pragma once
// State shared by every server thread and reachable from route handlers. Later endpoints (JSON
// stores, rate limiters) add their state here.

#include <cstddef>

#include "target/counters.h"
#include "target/stall.h"

namespace stampede::target {

struct ServerState {
  explicit ServerState(std::size_t threads) : counters(threads) {}

  Counters counters;
  StallWindow stall;
};

}  // namespace stampede::target
