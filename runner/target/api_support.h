#pragma once
// Helpers shared by the /api route files: JSON bodies, counted error replies, and the dispatch
// of resource paths such as /api/plans/7/approve.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>

#include "target/router.h"
#include "target/token_bucket.h"

namespace stampede::target {

// The simulated model's prompt cost: about 4 bytes of prompt per token.
inline constexpr std::uint64_t kPromptBytesPerToken = 4;

// The request body as a JSON object; nullopt when it is not valid JSON or not an object.
std::optional<nlohmann::json> parse_json_object(std::string_view body);

// 400 and 404 as {"error": message}, counted in the "api" stats (bad_requests, not_found).
Reply bad_request(ApiState& api, std::string_view message);
Reply not_found(ApiState& api, std::string_view message);
// 429 with Retry-After in whole seconds (at least 1, rounded up).
Reply too_many_requests(TokenBucket::Clock::duration retry_after);
Reply method_not_allowed(std::string_view allow);

// One operation on a resource: `action` "" serves PREFIX/ID, "approve" serves PREFIX/ID/approve.
struct ResourceAction {
  std::string_view action;
  http::verb method;
  Reply (*handle)(const RouteRequest& request, std::uint64_t id);
};

// Parses PREFIX/ID[/ACTION] and runs the matching action: 404 (counted) for a non-numeric id or
// an unknown action, 405 with Allow when the action exists for other methods only.
Reply dispatch_resource(const RouteRequest& request, std::string_view prefix,
                        std::span<const ResourceAction> actions);

// Route registration per concept; add_api_routes() calls them all.
void add_plan_routes(Router& router);
void add_worker_routes(Router& router);
void add_secure_routes(Router& router);
void add_chat_routes(Router& router);
void add_stream_routes(Router& router);

}  // namespace stampede::target
