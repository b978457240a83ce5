// /api/workers: resources that concurrent users fight over, so load plans can provoke (and
// declare as expected) the 404s and 409s of a contended API: one claim wins, the rest get 409;
// a deleted worker answers 404.

#include <array>
#include <string>

#include "target/api_support.h"

namespace stampede::target {
namespace {

constexpr std::string_view kPrefix = "/api/workers/";

nlohmann::json worker_json(const Worker& worker) {
  return {{"id", std::to_string(worker.id)}, {"claimed", worker.claimed}};
}

// POST /api/workers -> 201 {"id": "N", "claimed": false}; the body is ignored.
Reply handle_create(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const Worker worker = api.workers.create();
  api.counters.record(ApiEvent::kWorkersCreated);
  Reply reply = json_reply(http::status::created, worker_json(worker));
  reply.response.set(http::field::location, std::string(kPrefix) + std::to_string(worker.id));
  return reply;
}

Reply handle_get(const RouteRequest& request, std::uint64_t id) {
  const auto worker = request.state.api.workers.find(id);
  if (!worker) return not_found(request.state.api, "no such worker");
  return json_reply(http::status::ok, worker_json(*worker));
}

Reply handle_claim(const RouteRequest& request, std::uint64_t id) {
  ApiState& api = request.state.api;
  switch (api.workers.claim(id)) {
    case ClaimOutcome::kNotFound:
      return not_found(api, "no such worker");
    case ClaimOutcome::kAlreadyClaimed:
      api.counters.record(ApiEvent::kClaimConflicts);
      return json_error(http::status::conflict, "worker already claimed");
    case ClaimOutcome::kClaimed:
      break;
  }
  api.counters.record(ApiEvent::kWorkersClaimed);
  return json_reply(http::status::ok, worker_json(Worker{id, true}));
}

Reply handle_delete(const RouteRequest& request, std::uint64_t id) {
  ApiState& api = request.state.api;
  if (!api.workers.remove(id)) return not_found(api, "no such worker");
  api.counters.record(ApiEvent::kWorkersDeleted);
  // 204 carries no body and no Content-Type.
  return make_reply(http::status::no_content, "", "");
}

constexpr std::array<ResourceAction, 3> kActions{{
    {"", http::verb::get, handle_get},
    {"", http::verb::delete_, handle_delete},
    {"claim", http::verb::post, handle_claim},
}};

}  // namespace

void add_worker_routes(Router& router) {
  router.add("/api/workers", handle_create, http::verb::post);
  router.add_prefix(std::string(kPrefix), [](const RouteRequest& request) {
    return dispatch_resource(request, kPrefix, kActions);
  });
}

}  // namespace stampede::target
