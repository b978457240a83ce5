#pragma once
// Asio and Beast plus Beast's WebSocket, for the WebSocket files only: the plain HTTP files do
// not pay for compiling it. net.h comes first, so its <utility> workaround still applies.

#include "target/net.h"
// (This comment keeps clang-format from sorting the WebSocket header before net.h.)
#include <boost/beast/websocket.hpp>

namespace stampede::target {

namespace websocket = beast::websocket;

using WsStream = websocket::stream<tcp::socket>;

}  // namespace stampede::target
