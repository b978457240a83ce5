// POST /api/chat: an LLM chat gateway in miniature. Requests rotate over several providers (the
// answer names the one used in X-Provider), may be rate limited like a real provider quota, and
// may take as long as ?ms= asks, held by a timer in the session like /delay so other connections
// on the same thread are not blocked.

#include <chrono>
#include <cstdint>
#include <string>

#include "target/api_support.h"
#include "target/request_target.h"

namespace stampede::target {
namespace {

// Roughly what a short completion costs (the prompt's tokens come on top).
constexpr std::uint64_t kCompletionTokens = 24;

// The task's size in bytes: a string's own length, else that of its JSON text.
std::uint64_t task_bytes(const nlohmann::json& body) {
  const auto task = body.find("task");
  if (task == body.end() || task->is_null()) return 0;
  if (task->is_string()) return task->get_ref<const std::string&>().size();
  return task->dump().size();
}

nlohmann::json chat_json(const nlohmann::json& body, const ChatProvider& provider) {
  const std::uint64_t bytes = task_bytes(body);
  return {
      {"provider", provider.name},
      {"reply", "simulated " + std::string(provider.name) + " answer to a " +
                    std::to_string(bytes) + "-byte task"},
      {"tokens", kCompletionTokens + bytes / kPromptBytesPerToken},
      {"user_id", body.value("user_id", nlohmann::json())},
      {"agent_id", body.value("agent_id", nlohmann::json())},
  };
}

Reply handle_chat(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const auto ms_text = query_param(request.query, "ms");
  const auto ms = ms_text ? parse_uint(*ms_text) : std::optional<std::uint64_t>(0);
  if (!ms || *ms > kMaxDelayMs) return bad_request(api, "ms must be an integer from 0 to 60000");
  const auto body = parse_json_object(request.message.body());
  if (!body) return bad_request(api, "body must be a JSON object");
  // Only well-formed requests spend quota, as with a real provider.
  const auto admission = api.chat_limit.try_take(TokenBucket::Clock::now());
  if (!admission.admitted) {
    api.counters.record(ApiEvent::kChatRejected);
    return too_many_requests(admission.retry_after);
  }
  const std::size_t index = api.providers.next();
  api.counters.record_chat(index);
  const ChatProvider& provider = kChatProviders[index];
  const auto latency = ms_text ? std::chrono::milliseconds(*ms) : provider.typical_latency;
  Reply reply = json_reply(http::status::ok, chat_json(*body, provider));
  reply.response.set("X-Provider", provider.name);
  reply.response.set("X-Provider-Latency-Ms", std::to_string(latency.count()));
  reply.delay = std::chrono::milliseconds(*ms);
  return reply;
}

}  // namespace

void add_chat_routes(Router& router) {
  router.add("/api/chat", handle_chat, http::verb::post);
}

}  // namespace stampede::target
