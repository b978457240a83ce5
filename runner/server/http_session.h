#pragma once
// One client connection of the runner's HTTP server: read a request, answer it, repeat while
// the client keeps the connection alive. Every step runs under a deadline from
// HttpServerLimits, so a client that stalls or trickles bytes loses its connection instead of
// holding it.

// Asio's C++20 support on gcc 12 needs <utility> before its headers (see engine/asio.h).
#include <utility>
// keep the order
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/http_server.h"

namespace stampede {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `handler` and `limits` must outlive the session. `on_close` runs once, when the session
  // ends (the connection is closed right after it).
  HttpSession(boost::asio::ip::tcp::socket socket, const HttpHandler& handler,
              const HttpServerLimits& limits, std::function<void()> on_close);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Reads the first request; it must arrive whole within the request timeout.
  void start();

 private:
  void await_next_request();
  void on_first_byte(boost::beast::error_code ec, std::size_t bytes);
  void read_request();
  void on_read(boost::beast::error_code ec);
  HttpResponse handle(const HttpRequest& request);
  void stream_events(std::shared_ptr<const EventFeed> feed);
  void refuse(unsigned status, const std::string& message);
  void send(HttpResponse response, bool keep_alive, unsigned version);
  void drain_and_close();
  void discard_until_closed();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  const HttpHandler& handler_;
  const HttpServerLimits& limits_;
  std::function<void()> on_close_;
  bool drain_after_send_ = false;  // the request was refused before it was read whole
};

}  // namespace stampede
