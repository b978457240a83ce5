#include "target/ws_handshake.h"

#include <string_view>

#include "base/text.h"
#include "target/request_target.h"
#include "target/ws_net.h"
#include "target/ws_routes.h"

namespace stampede::target {
namespace {

constexpr std::uint64_t kMinRefusal = 400;
constexpr std::uint64_t kMaxRefusal = 599;

// The first token of the first Sec-WebSocket-Protocol field: the client lists the protocols it
// speaks in order of preference, and the demo speaks them all.
std::string first_subprotocol(const Request& request) {
  const auto offered = request[http::field::sec_websocket_protocol];
  const std::string_view list(offered.data(), offered.size());
  return std::string(trim(list.substr(0, list.find(','))));
}

Reply refusal(std::string_view status_text) {
  const auto status = parse_uint(status_text);
  if (!status || *status < kMinRefusal || *status > kMaxRefusal) {
    return error_reply(http::status::bad_request, "status must be from 400 to 599");
  }
  Reply reply = error_reply(http::status::bad_request, "handshake refused");
  reply.response.result(static_cast<unsigned>(*status));
  if (reply.response.result() == http::status::unknown) reply.response.reason("Refused");
  return reply;
}

}  // namespace

bool is_ws_upgrade(const Request& request) {
  return websocket::is_upgrade(request) && is_ws_path(split_target(request.target()).path);
}

WsHandshake plan_ws_handshake(const Request& request) {
  const auto [path, query] = split_target(request.target());
  if (const auto status = query_param(query, "status")) return refusal(*status);
  WsRoute route = make_ws_handler(path, query);
  if (!route.handler) return error_reply(http::status::bad_request, route.error);
  return WsAccept{std::move(route.handler), first_subprotocol(request)};
}

}  // namespace stampede::target
