#include "target/reply.h"

#include <utility>

namespace stampede::target {

Reply make_reply(http::status status, std::string body, std::string_view content_type) {
  Reply reply;
  reply.response.result(status);
  reply.response.set(http::field::server, "stampede-target");
  if (!content_type.empty()) reply.response.set(http::field::content_type, content_type);
  reply.response.body() = std::move(body);
  return reply;
}

Reply error_reply(http::status status, std::string_view message) {
  std::string body(message);
  body += '\n';
  return make_reply(status, std::move(body));
}

Reply json_reply(http::status status, const nlohmann::json& body) {
  return make_reply(status,
                    body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
}

Reply json_error(http::status status, std::string_view message) {
  return json_reply(status, {{"error", message}});
}

}  // namespace stampede::target
