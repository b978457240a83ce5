#pragma once
// The upgrade request of a WebSocket session from the step's rendered HTTP request: the same
// templates, target headers and auth (bearer, basic, JWT) as an HTTP step, so one renderer
// serves both. Beast writes the upgrade itself; the decorator copies our headers into it.

#include <boost/beast/websocket/rfc6455.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede {

struct HandshakeRequest {
  std::string host;    // the Host header (Beast needs it apart)
  std::string target;  // the request target: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // the others, in order
};

// Reads "GET /path HTTP/1.1\r\nName: value\r\n...\r\n\r\n" as serialize_request and
// render_request write it (compiled_plan.h, user_context.h).
HandshakeRequest parse_handshake_request(std::string_view request);

// Sets the headers of `request` on Beast's upgrade request, and the offered subprotocols
// (comma-separated; none when empty).
void decorate(const HandshakeRequest& request, const std::string& subprotocols,
              boost::beast::websocket::request_type& upgrade);

}  // namespace stampede
