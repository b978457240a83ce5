#pragma once
// What the server answers to a WebSocket upgrade, decided from the request alone: a refusal (an
// ordinary HTTP response the HTTP session sends), or what accepting it needs.

#include <memory>
#include <string>
#include <variant>

#include "target/net.h"
#include "target/reply.h"
#include "target/ws_handler.h"

namespace stampede::target {

struct WsAccept {
  std::shared_ptr<WsHandler> handler;
  // Echoed in Sec-WebSocket-Protocol: the first one the client offered; empty when it offered
  // none (the header is then left out, as RFC 6455 requires).
  std::string subprotocol;
};

using WsHandshake = std::variant<Reply, WsAccept>;

// Whether `request` is a WebSocket upgrade to one of the /ws endpoints (ws_routes.h). An upgrade
// to any other path is served as a plain request, so it gets 404.
bool is_ws_upgrade(const Request& request);

// For a request is_ws_upgrade() accepts: ?status=NNN (400 to 599) refuses with that status, as
// a server that turns a client away would; an invalid query refuses with 400.
WsHandshake plan_ws_handshake(const Request& request);

}  // namespace stampede::target
