#include "server/event_stream_session.h"

#include <boost/asio/write.hpp>

namespace stampede {
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

// How often a stream looks for a newer event: updates come once per second, so a client sees
// one at most this much later than it was published.
constexpr auto kPollInterval = std::chrono::milliseconds(100);
// A quiet stream sends a comment this often (before the start, after the end).
constexpr auto kKeepAlive = std::chrono::seconds(15);

// No Content-Length and no chunking: the body is the stream, and it ends with the connection.
// "retry" tells EventSource to reconnect after 1 s when it does end (the runner restarted).
constexpr std::string_view kHead =
    "HTTP/1.1 200 OK\r\n"
    "Server: stampede\r\n"
    "Content-Type: text/event-stream; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Connection: close\r\n"
    "\r\n"
    "retry: 1000\n\n";

}  // namespace

EventStreamSession::EventStreamSession(beast::tcp_stream stream,
                                       std::shared_ptr<const EventFeed> feed,
                                       const HttpServerLimits& limits,
                                       std::function<void()> on_close)
    : stream_(std::move(stream)),
      feed_(std::move(feed)),
      limits_(limits),
      on_close_(std::move(on_close)),
      timer_(stream_.get_executor()) {}

EventStreamSession::~EventStreamSession() {
  if (on_close_) on_close_();
}

// The head and the latest event go out in one write: a new page draws at once.
void EventStreamSession::start() {
  auto first = std::make_shared<std::string>(kHead);
  const EventFeed::Event latest = feed_->latest();
  if (latest.text) {
    *first += *latest.text;
    sent_sequence_ = latest.sequence;
  }
  send(std::move(first));
  watch_for_close();
  poll();
}

// The client sends nothing more after its GET: a read that completes means it closed (or sent
// bytes we ignore); either way the stream's lifetime is the client's.
void EventStreamSession::watch_for_close() {
  stream_.socket().async_read_some(asio::buffer(discard_),
                                   [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                     if (ec) {
                                       self->close();
                                     } else {
                                       self->watch_for_close();
                                     }
                                   });
}

void EventStreamSession::poll() {
  if (closed_) return;
  if (!writing_) {
    const EventFeed::Event latest = feed_->latest();
    if (latest.sequence > sent_sequence_) {
      sent_sequence_ = latest.sequence;
      send(latest.text);
    } else if (std::chrono::steady_clock::now() - last_write_ >= kKeepAlive) {
      send(std::make_shared<const std::string>(": keep-alive\n\n"));
    }
  }
  timer_.expires_after(kPollInterval);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->poll();
  });
}

void EventStreamSession::send(std::shared_ptr<const std::string> text) {
  writing_ = true;
  last_write_ = std::chrono::steady_clock::now();
  stream_.expires_after(limits_.request_timeout);  // a client that does not read loses it
  asio::async_write(stream_, asio::buffer(*text),
                    [self = shared_from_this(), text](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) self->close();
                    });
}

void EventStreamSession::close() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace stampede
