#pragma once
// A client of a Server-Sent Events stream (GET /v1/events): the connection of an HttpSession
// whose response was an EventFeed. It sends the feed's latest event at once, then each newer
// one it finds when it polls, and a comment line when it has been quiet for a while (so a proxy
// keeps the connection and a vanished client is noticed by the failed write). It ends when the
// client closes the connection, a write is not taken within the request timeout, or the server
// stops.

// Asio's C++20 support on gcc 12 needs <utility> before its headers (see engine/asio.h).
#include <utility>
// keep the order
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/event_feed.h"
#include "server/http_server.h"

namespace stampede {

class EventStreamSession : public std::enable_shared_from_this<EventStreamSession> {
 public:
  // `limits` must outlive the session; `on_close` runs once, when it ends.
  EventStreamSession(boost::beast::tcp_stream stream, std::shared_ptr<const EventFeed> feed,
                     const HttpServerLimits& limits, std::function<void()> on_close);
  ~EventStreamSession();
  EventStreamSession(const EventStreamSession&) = delete;
  EventStreamSession& operator=(const EventStreamSession&) = delete;

  // Writes the response head and starts streaming.
  void start();

 private:
  void watch_for_close();
  void poll();
  void send(std::shared_ptr<const std::string> text);
  void close();

  boost::beast::tcp_stream stream_;
  std::shared_ptr<const EventFeed> feed_;
  const HttpServerLimits& limits_;
  std::function<void()> on_close_;
  boost::asio::steady_timer timer_;
  std::uint64_t sent_sequence_ = 0;
  std::chrono::steady_clock::time_point last_write_{};
  bool writing_ = false;
  bool closed_ = false;
  std::array<char, 512> discard_{};  // whatever the client sends after its request
};

}  // namespace stampede
