#pragma once
// State shared by every server thread and reachable from route handlers.

#include <cstddef>

#include "target/api_state.h"
#include "target/counters.h"
#include "target/stall.h"
#include "target/ws_counters.h"

namespace stampede::target {

struct ServerState {
  ServerState(std::size_t threads, const ApiConfig& api_config)
      : counters(threads), api(api_config) {}

  Counters counters;
  StallWindow stall;
  ApiState api;
  WsCounters ws;  // the /ws endpoints (see ws_session.h)
};

}  // namespace stampede::target
