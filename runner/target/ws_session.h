#pragma once
// One WebSocket connection, taken over from the HTTP session that read its upgrade request:
// the handshake (permessage-deflate when offered, the subprotocol echoed), then the endpoint's
// handler until either side closes. Counted in /__stats (ws_counters.h).

#include "target/net.h"
#include "target/ws_counters.h"
#include "target/ws_handshake.h"

namespace stampede::target {

// Serves the connection on `socket`, whose upgrade `request` plan_ws_handshake() accepted, until
// it ends: a close handshake from either side, an abort the handler asked for, a failed
// handshake or a broken connection. Like run_session, it throws only on programming errors.
net::awaitable<void> run_ws_session(tcp::socket socket, Request request, WsAccept accept,
                                    WsCounters& counters);

}  // namespace stampede::target
