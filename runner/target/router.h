#pragma once
// Path -> handler table. New endpoints are one add() call; see routes.cc and admin_routes.cc.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "target/net.h"
#include "target/reply.h"
#include "target/server_state.h"

namespace stampede::target {

// Everything a handler may look at. `state` is shared by all server threads.
struct RouteRequest {
  const Request& message;
  std::string_view path;   // without the query
  std::string_view query;  // after '?'
  ServerState& state;
};

using Handler = std::function<Reply(const RouteRequest&)>;

class Router {
 public:
  // Exact path match, e.g. "/echo". With `method` set, other methods get 405.
  void add(std::string path, Handler handler, std::optional<http::verb> method = std::nullopt);
  // Prefix match for paths with a parameter, e.g. "/status/" serves "/status/503". The longest
  // matching prefix wins; exact routes win over prefixes.
  void add_prefix(std::string prefix, Handler handler,
                  std::optional<http::verb> method = std::nullopt);

  // Runs the matching handler: 404 when none matches, 405 for a disallowed method, 500 when
  // the handler throws.
  Reply dispatch(const RouteRequest& request) const;

 private:
  struct Route {
    Handler handler;
    std::optional<http::verb> method;
  };

  const Route* find(std::string_view path) const;

  std::map<std::string, Route, std::less<>> exact_;
  std::vector<std::pair<std::string, Route>> prefixes_;  // sorted longest first
};

// The public endpoints (/, /delay, /status/, /bytes/, ...).
void add_public_routes(Router& router);
// The /__ admin endpoints (/__stats, /__reset, /__stall).
void add_admin_routes(Router& router);
// The /api endpoints and /health that example load plans exercise (see api_routes.cc).
void add_api_routes(Router& router);
// All of the above.
Router make_router();

}  // namespace stampede::target
