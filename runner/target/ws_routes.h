#pragma once
// The WebSocket endpoints: which paths upgrade, and the handler each one gets.
//
//   /ws/echo   every message back with its type; ?close_after=N, ?abort_after=N, ?delay_ms=D
//   /ws/scope  an oscilloscope-like service: configure, subscribe to paced frames, unsubscribe
//
// On any of them ?status=NNN refuses the handshake with that status (see ws_handshake.h).

#include <memory>
#include <string>
#include <string_view>

#include "target/ws_handler.h"

namespace stampede::target {

struct WsRoute {
  std::shared_ptr<WsHandler> handler;  // null when the query is invalid
  std::string error;                   // why, for the 400 that refuses the handshake
};

// Whether an upgrade to `path` is served; an upgrade to any other path is a plain request (404).
bool is_ws_path(std::string_view path);
// The handler for a path is_ws_path() accepts, configured by the request's query.
WsRoute make_ws_handler(std::string_view path, std::string_view query);

// One per endpoint (ws_echo.cc, ws_scope.cc).
WsRoute make_echo_handler(std::string_view query);
WsRoute make_scope_handler(std::string_view query);

}  // namespace stampede::target
