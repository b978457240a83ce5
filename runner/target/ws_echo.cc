// /ws/echo: every message back with its type (text or binary), for round-trip and throughput
// tests. The query shapes how the session ends or slows down:
//
//   ?close_after=N  the close handshake (code 1000) after echoing N messages
//   ?abort_after=N  the TCP connection dropped, without a close frame, after echoing N messages
//                   (the client sees an abnormal closure, 1006)
//   ?delay_ms=D     each echo D ms after its message (the next message is read after the echo)
//
// Pings are answered by Beast with pongs; they are not messages and are not echoed.

#include <chrono>
#include <cstdint>
#include <optional>

#include "target/request_target.h"
#include "target/ws_routes.h"

namespace stampede::target {
namespace {

struct EchoOptions {
  std::optional<std::uint64_t> close_after;
  std::optional<std::uint64_t> abort_after;
  std::chrono::milliseconds delay{0};
};

class EchoHandler final : public WsHandler {
 public:
  explicit EchoHandler(EchoOptions options) : options_(options) {}

  net::awaitable<WsNext> on_message(WsMessage message,
                                    const std::shared_ptr<WsPeer>& peer) override {
    if (options_.delay.count() > 0) {
      net::steady_timer timer(peer->executor(), options_.delay);
      error_code ec;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    peer->send(std::move(message));
    ++echoed_;
    if (echoed_ == options_.close_after) co_return WsNext::kClose;
    if (echoed_ == options_.abort_after) co_return WsNext::kAbort;
    co_return WsNext::kContinue;
  }

 private:
  EchoOptions options_;
  std::uint64_t echoed_ = 0;
};

// A positive count from the query: nullopt when absent; false when present but invalid.
bool read_count(std::string_view query, std::string_view name, std::optional<std::uint64_t>* out) {
  const auto text = query_param(query, name);
  if (!text) return true;
  *out = parse_uint(*text);
  return *out && **out > 0;
}

}  // namespace

WsRoute make_echo_handler(std::string_view query) {
  EchoOptions options;
  if (!read_count(query, "close_after", &options.close_after) ||
      !read_count(query, "abort_after", &options.abort_after)) {
    return {nullptr, "close_after and abort_after are positive integers"};
  }
  std::optional<std::uint64_t> delay_ms;
  if (const auto text = query_param(query, "delay_ms")) {
    delay_ms = parse_uint(*text);
    if (!delay_ms || *delay_ms > kMaxDelayMs) {
      return {nullptr, "delay_ms must be an integer from 0 to 60000"};
    }
    options.delay = std::chrono::milliseconds(*delay_ms);
  }
  return {std::make_shared<EchoHandler>(options), {}};
}

}  // namespace stampede::target
