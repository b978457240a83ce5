// /api/plans: a create-then-use resource, so load plans can chain the id of one response into
// the next request (create -> get -> approve) and meet a 409 when two users approve one plan.

#include <array>
#include <string>

#include "target/api_support.h"

namespace stampede::target {
namespace {

constexpr std::string_view kPrefix = "/api/plans/";
// Names are stored for up to --store-capacity plans; a cap keeps that memory bounded too.
constexpr std::size_t kMaxNameBytes = 128;

nlohmann::json plan_json(const Plan& plan) {
  return {{"id", std::to_string(plan.id)}, {"name", plan.name}, {"status", to_string(plan.status)}};
}

nlohmann::json status_json(std::uint64_t id, PlanStatus status) {
  return {{"id", std::to_string(id)}, {"status", to_string(status)}};
}

// POST /api/plans {"name": "..."} -> 201 with the plan and its Location.
Reply handle_create(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const auto body = parse_json_object(request.message.body());
  if (!body) return bad_request(api, "body must be a JSON object");
  const auto name = body->find("name");
  if (name == body->end() || !name->is_string()) {
    return bad_request(api, "\"name\" must be a string");
  }
  if (name->get_ref<const std::string&>().size() > kMaxNameBytes) {
    return bad_request(api, "\"name\" must be at most 128 bytes");
  }
  const Plan plan = api.plans.create(name->get<std::string>());
  api.counters.record(ApiEvent::kPlansCreated);
  Reply reply = json_reply(http::status::created, plan_json(plan));
  reply.response.set(http::field::location, std::string(kPrefix) + std::to_string(plan.id));
  return reply;
}

Reply handle_get(const RouteRequest& request, std::uint64_t id) {
  const auto plan = request.state.api.plans.find(id);
  if (!plan) return not_found(request.state.api, "no such plan");
  return json_reply(http::status::ok, plan_json(*plan));
}

Reply handle_status(const RouteRequest& request, std::uint64_t id) {
  const auto plan = request.state.api.plans.find(id);
  if (!plan) return not_found(request.state.api, "no such plan");
  return json_reply(http::status::ok, status_json(plan->id, plan->status));
}

Reply handle_approve(const RouteRequest& request, std::uint64_t id) {
  ApiState& api = request.state.api;
  switch (api.plans.approve(id)) {
    case ApproveOutcome::kNotFound:
      return not_found(api, "no such plan");
    case ApproveOutcome::kAlreadyApproved:
      api.counters.record(ApiEvent::kApproveConflicts);
      return json_error(http::status::conflict, "plan already approved");
    case ApproveOutcome::kApproved:
      break;
  }
  api.counters.record(ApiEvent::kPlansApproved);
  return json_reply(http::status::ok, status_json(id, PlanStatus::kApproved));
}

constexpr std::array<ResourceAction, 3> kActions{{
    {"", http::verb::get, handle_get},
    {"approve", http::verb::post, handle_approve},
    {"status", http::verb::get, handle_status},
}};

}  // namespace

void add_plan_routes(Router& router) {
  router.add("/api/plans", handle_create, http::verb::post);
  router.add_prefix(std::string(kPrefix), [](const RouteRequest& request) {
    return dispatch_resource(request, kPrefix, kActions);
  });
}

}  // namespace stampede::target
