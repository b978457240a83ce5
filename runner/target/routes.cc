// The public endpoints a load test hits. Each handler only builds a Reply; waits, streaming and
// connection tricks (/garbage, /reset) are carried out by the session.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "target/request_target.h"
#include "target/router.h"

namespace stampede::target {
namespace {

constexpr std::uint64_t kMaxGeneratedBytes = 64ULL * 1024 * 1024;
// /chunked/N is for client parser tests: always several chunks, never huge ones.
constexpr std::size_t kChunksWanted = 4;
constexpr std::size_t kMaxChunkSize = std::size_t{16} << 10;

Reply handle_root(const RouteRequest&) {
  return make_reply(http::status::ok, "ok\n");
}

Reply handle_delay(const RouteRequest& request) {
  const auto ms = parse_uint(query_param(request.query, "ms").value_or(""));
  if (!ms || *ms > kMaxDelayMs) {
    return error_reply(http::status::bad_request, "ms must be an integer from 0 to 60000");
  }
  Reply reply = make_reply(http::status::ok, "ok\n");
  reply.delay = std::chrono::milliseconds(*ms);
  return reply;
}

Reply handle_status(const RouteRequest& request) {
  const auto code = parse_uint(request.path.substr(std::string_view("/status/").size()));
  if (!code || *code < 200 || *code > 599) {
    // 1xx would need interim-response handling in every client; it is not a final status.
    return error_reply(http::status::bad_request, "status must be from 200 to 599");
  }
  const auto status = static_cast<unsigned>(*code);
  // 204 and 304 must not carry a body.
  const bool bodyless = status == 204 || status == 304;
  Reply reply = bodyless ? make_reply(http::status::ok, "", "")
                         : make_reply(http::status::ok, "status " + std::to_string(status) + "\n");
  reply.response.result(status);
  if (http::int_to_status(status) == http::status::unknown) reply.response.reason("Status");
  return reply;
}

// /bytes/N and /chunked/N: N pattern bytes, framed by Content-Length or by chunks.
Reply generated_reply(const RouteRequest& request, std::string_view prefix, bool chunked) {
  const auto size = parse_uint(request.path.substr(prefix.size()));
  if (!size || *size > kMaxGeneratedBytes) {
    return error_reply(http::status::bad_request, "size must be an integer from 0 to 67108864");
  }
  Reply reply = make_reply(http::status::ok, "", "application/octet-stream");
  GeneratedBody body{*size, 0};
  if (chunked) {
    const std::uint64_t per_chunk = (*size + kChunksWanted - 1) / kChunksWanted;
    body.chunk_size =
        static_cast<std::size_t>(std::clamp<std::uint64_t>(per_chunk, 1, kMaxChunkSize));
  }
  reply.generated = body;
  return reply;
}

Reply handle_echo(const RouteRequest& request) {
  const auto type = request.message[http::field::content_type];
  return make_reply(http::status::ok, request.message.body(),
                    type.empty() ? "application/octet-stream" : type);
}

// Header names are lower-cased (they are case-insensitive) so clients can look them up reliably;
// repeated headers are joined with ", " as RFC 9110 allows.
Reply handle_headers(const RouteRequest& request) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& field : request.message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto& slot = headers[name];
    const std::string value(field.value());
    slot = slot.is_null() ? value : slot.get<std::string>() + ", " + value;
  }
  // Header values need not be UTF-8; replace invalid bytes rather than throw.
  return make_reply(http::status::ok,
                    headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
}

Reply handle_close(const RouteRequest&) {
  Reply reply = make_reply(http::status::ok, "closing\n");
  reply.close = true;
  return reply;
}

Reply handle_garbage(const RouteRequest&) {
  Reply reply;
  reply.delivery = Delivery::kGarbage;
  return reply;
}

Reply handle_connection_reset(const RouteRequest&) {
  Reply reply;
  reply.delivery = Delivery::kReset;
  return reply;
}

}  // namespace

void add_public_routes(Router& router) {
  router.add("/", handle_root);
  router.add("/delay", handle_delay);
  router.add_prefix("/status/", handle_status);
  router.add_prefix("/bytes/",
                    [](const RouteRequest& r) { return generated_reply(r, "/bytes/", false); });
  router.add_prefix("/chunked/",
                    [](const RouteRequest& r) { return generated_reply(r, "/chunked/", true); });
  router.add("/echo", handle_echo);
  router.add("/headers", handle_headers);
  router.add("/close", handle_close);
  router.add("/garbage", handle_garbage);
  router.add("/reset", handle_connection_reset);
}

}  // namespace stampede::target
