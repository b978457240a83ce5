// The /__ endpoints tests use to observe and steer the server. They are never counted and never
// held by a stall, so a test can read counters or end a stall while responses are frozen.

#include <chrono>
#include <string>

#include "target/request_target.h"
#include "target/router.h"

namespace stampede::target {
namespace {

// Long enough for any coordinated-omission test, short enough that a typo cannot wedge a server.
constexpr double kMaxStallSeconds = 3600;

// The request counters and the WebSocket counters ("ws_..."), plus the /api outcome counters
// under "api".
Reply handle_stats(const RouteRequest& request) {
  nlohmann::json stats = request.state.counters.to_json();
  stats.update(request.state.ws.to_json());
  stats["api"] = request.state.api.counters.to_json();
  stats["quota"] = request.state.api.quota.to_json();
  return json_reply(http::status::ok, stats);
}

// Zeroes the counters only: stored plans and workers and the rate-limit buckets stay as they are.
Reply handle_reset_counters(const RouteRequest& request) {
  request.state.counters.reset();
  request.state.api.counters.reset();
  request.state.api.quota.reset_counts();
  request.state.ws.reset();
  return json_reply(http::status::ok, {{"reset", true}});
}

// POST /__stall?seconds=S: hold every other response for S seconds from now (0 ends a stall).
Reply handle_stall(const RouteRequest& request) {
  const auto seconds = parse_double(query_param(request.query, "seconds").value_or(""));
  if (!seconds || *seconds < 0 || *seconds > kMaxStallSeconds) {
    return error_reply(http::status::bad_request, "seconds must be a number from 0 to 3600");
  }
  request.state.stall.stall_for(std::chrono::duration_cast<StallWindow::Clock::duration>(
      std::chrono::duration<double>(*seconds)));
  return json_reply(http::status::ok, {{"stall_seconds", *seconds}});
}

}  // namespace

void add_admin_routes(Router& router) {
  router.add("/__stats", handle_stats, http::verb::get);
  router.add("/__reset", handle_reset_counters, http::verb::post);
  router.add("/__stall", handle_stall, http::verb::post);
}

}  // namespace stampede::target
