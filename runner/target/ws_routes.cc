#include "target/ws_routes.h"

#include <array>
#include <utility>

namespace stampede::target {
namespace {

struct WsEndpoint {
  std::string_view path;
  WsRoute (*make)(std::string_view query);
};

constexpr std::array kEndpoints{
    WsEndpoint{"/ws/echo", make_echo_handler},
    WsEndpoint{"/ws/scope", make_scope_handler},
};

const WsEndpoint* find_endpoint(std::string_view path) {
  for (const WsEndpoint& endpoint : kEndpoints) {
    if (endpoint.path == path) return &endpoint;
  }
  return nullptr;
}

}  // namespace

bool is_ws_path(std::string_view path) {
  return find_endpoint(path) != nullptr;
}

WsRoute make_ws_handler(std::string_view path, std::string_view query) {
  const WsEndpoint* endpoint = find_endpoint(path);
  if (endpoint == nullptr) return {nullptr, "not a WebSocket endpoint"};
  return endpoint->make(query);
}

}  // namespace stampede::target
