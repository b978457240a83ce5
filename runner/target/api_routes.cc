// The endpoints example load plans exercise: /health, and under /api a create-then-use resource
// (plans), a JWT-protected API (secure), a rate-limited endpoint (limited), an LLM chat gateway
// (chat) and a contended resource with role checks (workers, admin/report). Outcomes are counted
// in the "api" object of /__stats so tests can compare them with what a load test saw.

#include "target/api_support.h"

namespace stampede::target {
namespace {

Reply handle_health(const RouteRequest&) {
  return json_reply(http::status::ok, {{"status", "ok"}});
}

// GET or POST /api/limited: 200 within the --rate-limit bucket, else 429.
Reply handle_limited(const RouteRequest& request) {
  const auto method = request.message.method();
  if (method != http::verb::get && method != http::verb::post) {
    return method_not_allowed("GET, POST");
  }
  ApiState& api = request.state.api;
  const auto admission = api.limited.try_take(TokenBucket::Clock::now());
  if (!admission.admitted) {
    api.counters.record(ApiEvent::kLimitedRejected);
    return too_many_requests(admission.retry_after);
  }
  api.counters.record(ApiEvent::kLimitedAccepted);
  return json_reply(http::status::ok, {{"ok", true}});
}

// GET or POST /api/quota: a quota per client, as an API gives each key its own (--key-rate-limit
// a second, burst --key-burst): 200 within the X-Api-Key's bucket, else 429 with Retry-After;
// 400 without the header. Each key's counts are under "quota" in /__stats.
Reply handle_quota(const RouteRequest& request) {
  const auto method = request.message.method();
  if (method != http::verb::get && method != http::verb::post) {
    return method_not_allowed("GET, POST");
  }
  ApiState& api = request.state.api;
  const auto key = request.message["X-Api-Key"];
  if (key.empty()) return bad_request(api, "X-Api-Key is required");
  const KeyedBuckets::Admission admission =
      api.quota.try_take(std::string_view(key.data(), key.size()), TokenBucket::Clock::now());
  if (!admission.known) return json_error(http::status::too_many_requests, "too many keys");
  if (!admission.bucket.admitted) return too_many_requests(admission.bucket.retry_after);
  return json_reply(http::status::ok, {{"ok", true}});
}

// GET /api/admin/report: 403 unless "X-Role: admin" (a stand-in for an authorisation layer, so
// plans can declare the 403 of a non-admin user as expected).
Reply handle_admin_report(const RouteRequest& request) {
  ApiState& api = request.state.api;
  if (request.message["X-Role"] != "admin") {
    api.counters.record(ApiEvent::kAdminForbidden);
    return json_reply(http::status::forbidden,
                      {{"error", "forbidden"}, {"reason", "X-Role: admin required"}});
  }
  api.counters.record(ApiEvent::kAdminReports);
  return json_reply(http::status::ok,
                    {{"plans", api.plans.size()}, {"workers", api.workers.size()}});
}

}  // namespace

void add_api_routes(Router& router) {
  router.add("/health", handle_health, http::verb::get);
  router.add("/api/limited", handle_limited);
  router.add("/api/quota", handle_quota);
  router.add("/api/admin/report", handle_admin_report, http::verb::get);
  add_plan_routes(router);
  add_worker_routes(router);
  add_secure_routes(router);
  add_chat_routes(router);
  add_stream_routes(router);
}

}  // namespace stampede::target
