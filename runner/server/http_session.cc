#include "server/http_session.h"

#include <spdlog/spdlog.h>

#include "server/event_stream_session.h"

namespace stampede {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 4096;

HttpRequest to_request(const http::request<http::string_body>& r) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  const std::string_view target = r.target();
  const std::size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.authorization = std::string(r[http::field::authorization]);
  out.body = r.body();
  return out;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, const HttpHandler& handler,
                         const HttpServerLimits& limits, std::function<void()> on_close)
    : stream_(std::move(socket)),
      handler_(handler),
      limits_(limits),
      on_close_(std::move(on_close)) {}

HttpSession::~HttpSession() {
  if (on_close_) on_close_();
}

void HttpSession::start() {
  read_request();
}

// Between requests the connection may idle for the idle timeout; the next request's time
// starts with its first byte, so a slow client cannot stretch a request over both.
void HttpSession::await_next_request() {
  if (buffer_.size() > 0) {  // pipelined: the next request has already begun
    read_request();
    return;
  }
  stream_.expires_after(limits_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_first_byte(ec, n);
                          });
}

void HttpSession::on_first_byte(beast::error_code ec, std::size_t bytes) {
  if (ec) return;  // idle too long or closed by the client
  buffer_.commit(bytes);
  read_request();
}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->body_limit(limits_.max_body);
  parser_->header_limit(limits_.max_head);
  stream_.expires_after(limits_.request_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::body_limit) {
    refuse(413, "request body too large (limit " + std::to_string(limits_.max_body) + " bytes)");
    return;
  }
  if (ec == http::error::header_limit) {
    refuse(431, "request head too large (limit " + std::to_string(limits_.max_head) + " bytes)");
    return;
  }
  if (ec) return;  // closed, timed out (a slow head) or malformed: drop the connection
  const auto& request = parser_->get();
  HttpResponse response = handle(to_request(request));
  if (response.events) {
    stream_events(std::move(response.events));
    return;
  }
  send(std::move(response), request.keep_alive(), request.version());
}

HttpResponse HttpSession::handle(const HttpRequest& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {
    spdlog::error("control API: {} {}: {}", request.method, request.path, e.what());
    HttpResponse r;
    r.status = 500;
    r.body = R"({"error":"internal error"})";
    return r;
  }
}

// The connection becomes an event stream: its socket, and the open-connection count that
// on_close_ gives back, move to the stream's own session.
void HttpSession::stream_events(std::shared_ptr<const EventFeed> feed) {
  stream_.expires_never();
  std::make_shared<EventStreamSession>(std::move(stream_), std::move(feed), limits_,
                                       std::exchange(on_close_, nullptr))
      ->start();
}

// Answers a request that was not read whole, then closes the connection.
void HttpSession::refuse(unsigned status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = R"({"error":")" + message + R"("})";
  drain_after_send_ = true;
  send(std::move(r), false, 11);
}

void HttpSession::send(HttpResponse r, bool keep_alive, unsigned version) {
  auto response = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(r.status), version);
  response->set(http::field::server, "stampede");
  response->set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) response->set(name, value);
  response->body() = std::move(r.body);
  response->keep_alive(keep_alive);
  response->prepare_payload();
  stream_.expires_after(limits_.request_timeout);  // a client that does not read loses it
  http::async_write(stream_, *response,
                    [self = shared_from_this(), response, after = std::move(r.after_sent)](
                        beast::error_code ec, std::size_t) {
                      if (after) after();
                      if (ec) return;
                      if (response->keep_alive()) {
                        self->await_next_request();
                      } else if (self->drain_after_send_) {
                        self->drain_and_close();
                      }
                    });
}

// Closing a socket with unread request bytes makes the kernel send a reset, which can destroy
// the error response before the client reads it. So: stop sending, read and discard what the
// client still sends, for at most the request timeout, then close.
void HttpSession::drain_and_close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(limits_.request_timeout);
  discard_until_closed();
}

void HttpSession::discard_until_closed() {
  stream_.async_read_some(buffer_.prepare(kReadChunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) self->discard_until_closed();
                          });
}

}  // namespace stampede
