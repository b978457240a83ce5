#pragma once
// What a route handler returns: the response, plus how the session delivers it. Handlers stay
// synchronous and side-effect free on the socket; the session owns every wait and every write.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "target/net.h"

namespace stampede::target {

enum class Delivery {
  kRespond,  // send the response
  kGarbage,  // send bytes that are not HTTP, then close
  kReset,    // close with RST and send nothing
};

// A body streamed from the deterministic pattern (see pattern.h) rather than held in memory.
struct GeneratedBody {
  std::uint64_t size = 0;
  // 0: Content-Length framing. Otherwise Transfer-Encoding: chunked, one chunk per this many bytes.
  std::size_t chunk_size = 0;
};

// A body of events sent over time (Server-Sent Events or NDJSON), each event already framed:
// the first `first_delay` after the headers, each later one `gap` after the one before, every
// event its own chunk. The last event is the end marker (OpenAI's `data: [DONE]`); what was
// written is counted in the "api" stats (streams_started, stream_events, streams_completed).
struct EventStreamBody {
  std::vector<std::string> events;
  std::chrono::milliseconds first_delay{0};
  std::chrono::milliseconds gap{0};
};

struct Reply {
  Response response;
  std::optional<GeneratedBody> generated;  // replaces response.body() when set
  std::optional<EventStreamBody> events;   // replaces response.body() when set
  std::chrono::milliseconds delay{0};      // held this long before sending (a timer, not a sleep)
  Delivery delivery = Delivery::kRespond;
  bool close = false;  // close after sending even when the client asked for keep-alive
};

// A response with a body and Content-Type; the session sets version, keep-alive and length.
Reply make_reply(http::status status, std::string body,
                 std::string_view content_type = "text/plain");
// A text/plain error with a one-line explanation.
Reply error_reply(http::status status, std::string_view message);
// `body` as one line of application/json (invalid UTF-8 replaced rather than thrown on).
Reply json_reply(http::status status, const nlohmann::json& body);
// {"error": message} as application/json, for the /api endpoints.
Reply json_error(http::status status, std::string_view message);

}  // namespace stampede::target
