#pragma once
// One HTTP/1.1 connection: read a request, route it, hold it (delay, stall), write the reply,
// repeat while keep-alive lasts.

#include <cstddef>

#include "target/net.h"
#include "target/router.h"
#include "target/server_state.h"

namespace stampede::target {

struct SessionConfig {
  const Router& router;
  ServerState& state;
  std::size_t shard;  // the counters shard of the thread running this session
};

// Serves `socket` until the peer closes, an error occurs or the server stops. Client disconnects
// and malformed requests end the coroutine normally; it throws only on programming errors.
net::awaitable<void> run_session(tcp::socket socket, SessionConfig config);

}  // namespace stampede::target
