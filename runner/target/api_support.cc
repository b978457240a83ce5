#include "target/api_support.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "target/request_target.h"

namespace stampede::target {
namespace {

struct ResourcePath {
  std::optional<std::uint64_t> id;
  std::string_view action;  // after the id's '/', "" when none
};

ResourcePath parse_resource_path(std::string_view path, std::string_view prefix) {
  const std::string_view rest = path.substr(prefix.size());
  const auto slash = rest.find('/');
  const std::string_view id = rest.substr(0, slash);
  return {parse_uint(id),
          slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1)};
}

}  // namespace

std::optional<nlohmann::json> parse_json_object(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  return parsed;
}

Reply bad_request(ApiState& api, std::string_view message) {
  api.counters.record(ApiEvent::kBadRequests);
  return json_error(http::status::bad_request, message);
}

Reply not_found(ApiState& api, std::string_view message) {
  api.counters.record(ApiEvent::kNotFound);
  return json_error(http::status::not_found, message);
}

Reply too_many_requests(TokenBucket::Clock::duration retry_after) {
  const double seconds = std::chrono::duration<double>(retry_after).count();
  const auto whole = static_cast<long long>(std::max(1.0, std::ceil(seconds)));
  Reply reply = json_reply(http::status::too_many_requests,
                           {{"error", "rate limit exceeded"}, {"retry_after_seconds", whole}});
  reply.response.set(http::field::retry_after, std::to_string(whole));
  return reply;
}

Reply method_not_allowed(std::string_view allow) {
  Reply reply = json_error(http::status::method_not_allowed, "method not allowed");
  reply.response.set(http::field::allow, allow);
  return reply;
}

Reply dispatch_resource(const RouteRequest& request, std::string_view prefix,
                        std::span<const ResourceAction> actions) {
  const ResourcePath path = parse_resource_path(request.path, prefix);
  if (!path.id) return not_found(request.state.api, "no such id");
  std::string allow;
  for (const ResourceAction& action : actions) {
    if (action.action != path.action) continue;
    if (action.method == request.message.method()) return action.handle(request, *path.id);
    if (!allow.empty()) allow += ", ";
    allow += http::to_string(action.method);
  }
  if (allow.empty()) return not_found(request.state.api, "no such path");
  return method_not_allowed(allow);
}

}  // namespace stampede::target
