#include "target/session.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "target/pattern.h"
#include "target/request_target.h"
#include "target/ws_handshake.h"
#include "target/ws_session.h"

namespace stampede::target {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kMaxHeaderBytes = std::uint32_t{16} << 10;
constexpr std::uint64_t kMaxBodyBytes = std::uint64_t{8} << 20;
constexpr auto kIdleTimeout = 120s;  // waiting for the next request on a keep-alive connection
constexpr auto kIoTimeout = 60s;     // one body read or one write making no progress
constexpr auto kLingerTimeout = 2s;  // draining the peer after we half-close
constexpr auto kStallPoll = 100ms;   // re-check the stall window, which /__stall may move
// The literal holds a NUL byte, so its length is given (sizeof less the terminator).
constexpr char kGarbageBytes[] = "\x00\x01 not http at all\r\n\r\n";
constexpr std::string_view kGarbage{kGarbageBytes, sizeof kGarbageBytes - 1};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A malformed or oversized request, which gets an HTTP error before we close. Everything else
// (EOF, reset, timeout, a request cut short) means the peer is gone: close without answering.
bool is_parse_error(const error_code& ec) {
  static const auto& http_category = http::make_error_code(http::error::bad_method).category();
  return ec.category() == http_category && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

http::status status_for_parse_error(const error_code& ec) {
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return http::status::request_header_fields_too_large;
  }
  return http::status::bad_request;
}

bool has_no_body(http::status status) {
  return status == http::status::no_content || status == http::status::not_modified;
}

class Session {
 public:
  Session(tcp::socket socket, SessionConfig config)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), config_(config) {
    error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string();
  }

  net::awaitable<void> run();

 private:
  net::awaitable<std::optional<Request>> read_request(std::uint64_t& bytes);
  net::awaitable<void> answer_parse_error(const error_code& ec);
  Reply dispatch(const Request& request, std::uint64_t bytes);
  net::awaitable<void> serve_websocket(Request request);
  net::awaitable<void> hold(const Reply& reply, bool admin);
  net::awaitable<bool> deliver(const Request& request, Reply& reply);
  net::awaitable<bool> write_response(Reply& reply, bool head);
  net::awaitable<bool> write_generated(Response& header, GeneratedBody body, bool head);
  net::awaitable<bool> write_events(Response& header, const EventStreamBody& body, bool head);
  net::awaitable<bool> pause(std::chrono::milliseconds wait);
  net::awaitable<error_code> write_head(Response& header);
  net::awaitable<error_code> write_piece(net::const_buffer piece, bool chunked);
  net::awaitable<void> close_gracefully();
  void reset();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  net::steady_timer timer_;
  SessionConfig config_;
  std::uint64_t counted_epoch_ = Counters::kNoEpoch;
  std::string peer_;  // the client's address, once per connection: /__stats by_peer
};

net::awaitable<void> Session::run() {
  config_.state.counters.record_accept(config_.shard);
  for (;;) {
    std::uint64_t bytes = 0;
    std::optional<Request> request = co_await read_request(bytes);
    if (!request) co_return;
    if (is_ws_upgrade(*request)) {
      co_await serve_websocket(std::move(*request));
      co_return;
    }
    Reply reply = dispatch(*request, bytes);
    if (!co_await deliver(*request, reply)) co_return;
  }
}

// Reads one request. Answers `Expect: 100-continue` so clients such as curl do not stall before
// sending a body, and answers parse errors itself; nullopt means the connection is finished.
net::awaitable<std::optional<Request>> Session::read_request(std::uint64_t& bytes) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(kMaxBodyBytes);
  error_code ec;
  stream_.expires_after(kIdleTimeout);
  bytes = co_await http::async_read_header(stream_, buffer_, parser, with_ec(ec));
  if (!ec && !parser.is_done()) {
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      stream_.expires_after(kIoTimeout);
      co_await net::async_write(stream_, net::buffer(kContinue), with_ec(ec));
    }
    stream_.expires_after(kIoTimeout);
    if (!ec) bytes += co_await http::async_read(stream_, buffer_, parser, with_ec(ec));
  }
  if (ec) {
    if (is_parse_error(ec)) co_await answer_parse_error(ec);
    co_return std::nullopt;
  }
  co_return parser.release();
}

net::awaitable<void> Session::answer_parse_error(const error_code& ec) {
  config_.state.counters.record_parse_error(config_.shard);
  Reply reply = error_reply(status_for_parse_error(ec), ec.message());
  reply.response.keep_alive(false);
  reply.response.prepare_payload();
  error_code write_ec;
  stream_.expires_after(kIoTimeout);
  co_await http::async_write(stream_, reply.response, with_ec(write_ec));
  if (!write_ec) co_await close_gracefully();
}

Reply Session::dispatch(const Request& request, std::uint64_t bytes) {
  const auto [path, query] = split_target(request.target());
  Reply reply = config_.router.dispatch({request, path, query, config_.state});
  if (!is_admin_path(path)) {
    const unsigned status = reply.delivery == Delivery::kRespond ? reply.response.result_int() : 0;
    config_.state.counters.record_request(
        config_.shard, {path, request.method_string(), status, bytes, peer_}, counted_epoch_);
  }
  return reply;
}

// Hands the connection to a WebSocket session, or refuses the upgrade with an ordinary response.
// Upgrades are counted by the ws_ counters, not as HTTP requests. Bytes the client sent after
// its upgrade request, before our 101, are lost with buffer_: RFC 6455 clients wait for the 101.
net::awaitable<void> Session::serve_websocket(Request request) {
  WsHandshake handshake = plan_ws_handshake(request);
  if (auto* refusal = std::get_if<Reply>(&handshake)) {
    config_.state.ws.record(WsEvent::kSessionsRefused);
    refusal->close = true;
    co_await deliver(request, *refusal);
    co_return;
  }
  co_await run_ws_session(stream_.release_socket(), std::move(request),
                          std::get<WsAccept>(std::move(handshake)), config_.state.ws);
}

// Applies the reply's delay, then holds non-admin replies while a stall window is open.
net::awaitable<void> Session::hold(const Reply& reply, bool admin) {
  co_await pause(reply.delay);
  if (admin) co_return;
  error_code ec;
  for (;;) {
    const auto now = StallWindow::Clock::now();
    const auto until = config_.state.stall.until();
    if (until <= now) co_return;
    // Poll rather than sleep to `until`: /__stall may extend or end the window meanwhile.
    timer_.expires_at(std::min(until, now + kStallPoll));
    co_await timer_.async_wait(with_ec(ec));
  }
}

// Sends the reply; true when the connection stays open for another request.
net::awaitable<bool> Session::deliver(const Request& request, Reply& reply) {
  co_await hold(reply, is_admin_path(split_target(request.target()).path));
  switch (reply.delivery) {
    case Delivery::kReset:
      reset();
      co_return false;
    case Delivery::kGarbage: {
      error_code ec;
      stream_.expires_after(kIoTimeout);
      co_await net::async_write(stream_, net::buffer(kGarbage), with_ec(ec));
      if (!ec) co_await close_gracefully();
      co_return false;
    }
    case Delivery::kRespond:
      break;
  }
  const bool keep_alive = request.keep_alive() && !reply.close;
  reply.response.version(request.version());
  reply.response.keep_alive(keep_alive);
  const bool written = co_await write_response(reply, request.method() == http::verb::head);
  if (written && !keep_alive) co_await close_gracefully();
  co_return written&& keep_alive;
}

net::awaitable<bool> Session::write_response(Reply& reply, bool head) {
  if (reply.generated) co_return co_await write_generated(reply.response, *reply.generated, head);
  if (reply.events) co_return co_await write_events(reply.response, *reply.events, head);
  if (has_no_body(reply.response.result())) {
    // RFC 9110 forbids Content-Length on 204; a 304's would describe a body never sent.
    reply.response.erase(http::field::content_length);
  } else {
    reply.response.prepare_payload();
  }
  error_code ec;
  stream_.expires_after(kIoTimeout);
  if (head) {
    // HEAD: the headers of the GET response (Content-Length included) and no body.
    http::response_serializer<http::string_body> serializer(reply.response);
    co_await http::async_write_header(stream_, serializer, with_ec(ec));
  } else {
    co_await http::async_write(stream_, reply.response, with_ec(ec));
  }
  co_return !ec;
}

// Writes the header, then the pattern body in slices (as chunks when chunk_size is set).
net::awaitable<bool> Session::write_generated(Response& header, GeneratedBody body, bool head) {
  // HTTP/1.0 has no chunked encoding; such clients get Content-Length framing instead.
  const bool chunked = body.chunk_size != 0 && header.version() >= 11;
  header.body().clear();
  if (chunked) {
    header.chunked(true);
  } else {
    header.content_length(body.size);
  }
  error_code ec = co_await write_head(header);
  const std::size_t piece = chunked ? body.chunk_size : kMaxPatternSlice;
  for (std::uint64_t offset = 0; !head && !ec && offset < body.size; offset += piece) {
    ec = co_await write_piece(
        net::buffer(pattern_slice(offset, std::min<std::uint64_t>(piece, body.size - offset))),
        chunked);
  }
  if (chunked && !head && !ec)
    co_await net::async_write(stream_, http::make_chunk_last(), with_ec(ec));
  co_return !ec;
}

// Writes the header, then each event as it falls due, as a chunk of its own (HTTP/1.0: the
// bytes alone, and the connection closes to end the body). Counts what reached the socket.
net::awaitable<bool> Session::write_events(Response& header, const EventStreamBody& body,
                                           bool head) {
  const bool chunked = header.version() >= 11;
  header.body().clear();
  if (chunked) {
    header.chunked(true);
  } else {
    header.keep_alive(false);
  }
  error_code ec = co_await write_head(header);
  if (ec || head) co_return !ec;
  ApiCounters& counters = config_.state.api.counters;
  counters.record(ApiEvent::kStreamsStarted);
  for (std::size_t i = 0; i < body.events.size(); ++i) {
    if (!co_await pause(i == 0 ? body.first_delay : body.gap)) co_return false;
    if (co_await write_piece(net::buffer(body.events[i]), chunked)) co_return false;
    const bool last = i + 1 == body.events.size();
    counters.record(last ? ApiEvent::kStreamsCompleted : ApiEvent::kStreamEvents);
  }
  if (chunked) co_await net::async_write(stream_, http::make_chunk_last(), with_ec(ec));
  co_return !ec;
}

net::awaitable<error_code> Session::write_head(Response& header) {
  error_code ec;
  stream_.expires_after(kIoTimeout);
  http::response_serializer<http::string_body> serializer(header);
  co_await http::async_write_header(stream_, serializer, with_ec(ec));
  co_return ec;
}

// One piece of a body that is written over time: a chunk of its own when chunked, else the bytes
// as they are (Content-Length or close-delimited framing).
net::awaitable<error_code> Session::write_piece(net::const_buffer piece, bool chunked) {
  error_code ec;
  stream_.expires_after(kIoTimeout);
  // NOLINTNEXTLINE(bugprone-branch-clone): a chunk-framed buffer vs the raw bytes
  if (chunked) {
    co_await net::async_write(stream_, http::make_chunk(piece), with_ec(ec));
  } else {
    co_await net::async_write(stream_, piece, with_ec(ec));
  }
  co_return ec;
}

// A timer wait (a reply's delay, the time between events); false when the session is being
// torn down.
net::awaitable<bool> Session::pause(std::chrono::milliseconds wait) {
  if (wait.count() <= 0) co_return true;
  error_code ec;
  timer_.expires_after(wait);
  co_await timer_.async_wait(with_ec(ec));
  co_return !ec;
}

// Half-closes, then reads and discards until the peer closes: closing with unread input would
// send RST, which can destroy the response we just sent before the client reads it.
net::awaitable<void> Session::close_gracefully() {
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.expires_after(kLingerTimeout);
  char scratch[4096];
  while (!ec) co_await stream_.async_read_some(net::buffer(scratch), with_ec(ec));
  stream_.socket().close(ec);
}

// Closes with RST: SO_LINGER with a zero timeout discards the send queue and aborts.
void Session::reset() {
  error_code ec;
  stream_.socket().set_option(net::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
}

// The coroutine whose frame holds the session: internal, like Session (a frame of an external
// function holding an anonymous-namespace type is what GCC's -Wsubobject-linkage flags).
net::awaitable<void> serve(std::unique_ptr<Session> session) {
  co_await session->run();
}

}  // namespace

net::awaitable<void> run_session(tcp::socket socket, SessionConfig config) {
  return serve(std::make_unique<Session>(std::move(socket), config));
}

}  // namespace stampede::target
