#include "target/router.h"

#include <algorithm>
#include <exception>
#include <string>

namespace stampede::target {

void Router::add(std::string path, Handler handler, std::optional<http::verb> method) {
  exact_.insert_or_assign(std::move(path), Route{std::move(handler), method});
}

void Router::add_prefix(std::string prefix, Handler handler, std::optional<http::verb> method) {
  prefixes_.emplace_back(std::move(prefix), Route{std::move(handler), method});
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

const Router::Route* Router::find(std::string_view path) const {
  if (const auto it = exact_.find(path); it != exact_.end()) return &it->second;
  for (const auto& [prefix, route] : prefixes_) {
    if (path.starts_with(prefix)) return &route;
  }
  return nullptr;
}

Reply Router::dispatch(const RouteRequest& request) const {
  const Route* route = find(request.path);
  if (route == nullptr) return error_reply(http::status::not_found, "not found");
  if (route->method && *route->method != request.message.method()) {
    Reply reply = error_reply(http::status::method_not_allowed, "method not allowed");
    reply.response.set(http::field::allow, http::to_string(*route->method));
    return reply;
  }
  try {
    return route->handler(request);
  } catch (const std::exception& e) {
    // A handler bug must cost one 500, not the connection or the server.
    return error_reply(http::status::internal_server_error, e.what());
  }
}

Router make_router() {
  Router router;
  add_public_routes(router);
  add_api_routes(router);
  add_admin_routes(router);
  return router;
}

}  // namespace stampede::target
