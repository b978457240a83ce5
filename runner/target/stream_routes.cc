// Streaming LLM answers, for the time-to-first-token and inter-token metrics of `stream:` steps:
//
//   GET or POST /api/chat/stream?tokens=N&first_ms=T&gap_ms=G&format=sse|ndjson
//     N token events (`event: token`, an `id`, data {"index":i,"token":"tok<i> "}, a comment line
//     before every tenth), the first T ms after the headers and each next one G ms later, then
//     `data: [DONE]` (NDJSON: one object per line, then {"done":true}).
//   POST /v1/chat/completions with {"stream": true, "max_tokens": N, ...}
//     OpenAI's chat completion chunks (choices[0].delta.content), a last chunk with
//     finish_reason "stop" and, when stream_options.include_usage is set, the usage block, then
//     `data: [DONE]`. Without "stream" the whole completion as one JSON object. The delays come
//     from the X-Stampede-First-Token-Ms and X-Stampede-Token-Gap-Ms headers (default 0).
//
// The session writes each event as its own chunk when it falls due (a timer, not a sleep) and
// counts streams and events in /__stats, so a test can compare its event counts exactly.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "target/api_support.h"
#include "target/request_target.h"

namespace stampede::target {
namespace {

constexpr std::uint64_t kMaxTokens = 100'000;
constexpr std::uint64_t kDefaultTokens = 16;

std::string token_text(std::uint64_t index) {
  return "tok" + std::to_string(index) + " ";
}

std::string sse_event(std::string_view data, std::string_view type = {},
                      std::optional<std::uint64_t> id = std::nullopt) {
  std::string event;
  if (!type.empty()) event.append("event: ").append(type).append("\n");
  if (id) event.append("id: ").append(std::to_string(*id)).append("\n");
  return event.append("data: ").append(data).append("\n\n");
}

// A number from the query, or the default when absent; nullopt when present but invalid.
std::optional<std::uint64_t> bounded(std::optional<std::string_view> text, std::uint64_t fallback,
                                     std::uint64_t max) {
  if (!text) return fallback;
  const auto value = parse_uint(*text);
  if (!value || *value > max) return std::nullopt;
  return value;
}

Reply event_stream(EventStreamBody body, bool ndjson) {
  Reply reply =
      make_reply(http::status::ok, "", ndjson ? "application/x-ndjson" : "text/event-stream");
  reply.response.set(http::field::cache_control, "no-cache");
  reply.events = std::move(body);
  return reply;
}

Reply handle_chat_stream(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const auto tokens = bounded(query_param(request.query, "tokens"), kDefaultTokens, kMaxTokens);
  const auto first = bounded(query_param(request.query, "first_ms"), 0, kMaxDelayMs);
  const auto gap = bounded(query_param(request.query, "gap_ms"), 0, kMaxDelayMs);
  const auto format = query_param(request.query, "format").value_or("sse");
  if (!tokens || !first || !gap) {
    return bad_request(api, "tokens (0-100000), first_ms and gap_ms (0-60000) are integers");
  }
  if (format != "sse" && format != "ndjson") return bad_request(api, "format is sse or ndjson");
  const bool ndjson = format == "ndjson";
  EventStreamBody body{{}, std::chrono::milliseconds(*first), std::chrono::milliseconds(*gap)};
  body.events.reserve(*tokens + 2);
  for (std::uint64_t i = 0; i < *tokens; ++i) {
    const std::string data = nlohmann::json{{"index", i}, {"token", token_text(i)}}.dump();
    // Every tenth event comes after a comment line, as servers send heartbeats: a comment is
    // no event and carries no token.
    const std::string_view heartbeat = i % 10 == 0 ? ": keep-alive\n" : "";
    body.events.push_back(ndjson ? data + "\n"
                                 : std::string(heartbeat) + sse_event(data, "token", i));
  }
  body.events.push_back(ndjson ? nlohmann::json{{"done", true}, {"tokens", *tokens}}.dump() + "\n"
                               : sse_event("[DONE]"));
  return event_stream(std::move(body), ndjson);
}

std::optional<std::uint64_t> header_ms(const Request& message, std::string_view name) {
  const auto it = message.find(boost::beast::string_view(name.data(), name.size()));
  if (it == message.end()) return 0;
  const auto value = parse_uint(std::string_view(it->value().data(), it->value().size()));
  if (!value || *value > kMaxDelayMs) return std::nullopt;
  return value;
}

std::uint64_t prompt_tokens(const nlohmann::json& body) {
  const auto messages = body.find("messages");
  if (messages == body.end()) return 0;
  return messages->dump().size() / kPromptBytesPerToken;
}

nlohmann::json chunk(const std::string& model, std::uint64_t created, nlohmann::json delta,
                     nlohmann::json finish_reason) {
  return {{"id", "chatcmpl-stampede"},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices",
           nlohmann::json::array(
               {{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish_reason}}})}};
}

Reply completion(const std::string& model, std::uint64_t created, std::uint64_t tokens,
                 const nlohmann::json& usage) {
  std::string content;
  for (std::uint64_t i = 0; i < tokens; ++i) content += token_text(i);
  return json_reply(http::status::ok,
                    {{"id", "chatcmpl-stampede"},
                     {"object", "chat.completion"},
                     {"created", created},
                     {"model", model},
                     {"choices", nlohmann::json::array(
                                     {{{"index", 0},
                                       {"message", {{"role", "assistant"}, {"content", content}}},
                                       {"finish_reason", "stop"}}})},
                     {"usage", usage}});
}

Reply handle_completions(const RouteRequest& request) {
  ApiState& api = request.state.api;
  const auto body = parse_json_object(request.message.body());
  if (!body) return bad_request(api, "body must be a JSON object");
  const auto max_tokens = body->value("max_tokens", nlohmann::json(kDefaultTokens));
  if (!max_tokens.is_number_unsigned() || max_tokens.get<std::uint64_t>() > kMaxTokens) {
    return bad_request(api, "max_tokens must be an integer from 0 to 100000");
  }
  const auto first = header_ms(request.message, "X-Stampede-First-Token-Ms");
  const auto gap = header_ms(request.message, "X-Stampede-Token-Gap-Ms");
  if (!first || !gap) return bad_request(api, "X-Stampede-*-Ms headers are 0 to 60000");
  const std::uint64_t tokens = max_tokens.get<std::uint64_t>();
  const std::string model = body->value("model", std::string("stampede-demo"));
  const auto created =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const std::uint64_t prompt = prompt_tokens(*body);
  const nlohmann::json usage = {
      {"prompt_tokens", prompt}, {"completion_tokens", tokens}, {"total_tokens", prompt + tokens}};
  if (!body->value("stream", false)) return completion(model, created, tokens, usage);
  EventStreamBody stream{{}, std::chrono::milliseconds(*first), std::chrono::milliseconds(*gap)};
  stream.events.reserve(tokens + 3);
  stream.events.push_back(
      sse_event(chunk(model, created, {{"role", "assistant"}, {"content", ""}}, nullptr).dump()));
  for (std::uint64_t i = 0; i < tokens; ++i) {
    stream.events.push_back(
        sse_event(chunk(model, created, {{"content", token_text(i)}}, nullptr).dump()));
  }
  nlohmann::json last = chunk(model, created, nlohmann::json::object(), "stop");
  const auto options = body->find("stream_options");
  if (options != body->end() && options->is_object() && options->value("include_usage", false)) {
    last["usage"] = usage;
  }
  stream.events.push_back(sse_event(last.dump()));
  stream.events.push_back(sse_event("[DONE]"));
  return event_stream(std::move(stream), /*ndjson=*/false);
}

}  // namespace

void add_stream_routes(Router& router) {
  router.add("/api/chat/stream", handle_chat_stream);
  router.add("/v1/chat/completions", handle_completions, http::verb::post);
}

}  // namespace stampede::target
