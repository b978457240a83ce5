#pragma once
// A loopback HTTP server that misbehaves on purpose, for the hostile-target tests: each
// connection runs a behaviour the test gives (send garbage, trickle a body, reset on accept...).
// It runs on its own thread in the test process, so the runner under test is the only process
// whose memory and exit the test measures.

// clang-format off
#include <utility>  // before Asio: Boost 1.74's coroutine headers use std::exchange without it
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace stampede::testing {

// One accepted connection, as the behaviour sees it. Every operation throws
// boost::system::system_error when the peer is gone, which ends the behaviour quietly.
class HostilePeer {
 public:
  HostilePeer(boost::asio::ip::tcp::socket socket, std::atomic<std::uint64_t>& requests);

  // Reads one request head (up to its blank line). A body, which the hostile tests never send,
  // would be taken for the next head. Returns the head's request line.
  boost::asio::awaitable<std::string> read_request();
  boost::asio::awaitable<void> write(std::string_view bytes);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);
  // Closes with SO_LINGER 0: the peer gets a TCP RST instead of a FIN.
  void reset();
  // Closes normally (FIN).
  void close();

 private:
  boost::asio::ip::tcp::socket socket_;
  std::string pending_;  // bytes read past the last request head
  std::atomic<std::uint64_t>& requests_;
};

using HostileBehaviour = std::function<boost::asio::awaitable<void>(HostilePeer&)>;

class HostileServer {
 public:
  // Listens on 127.0.0.1 (a free port) and runs `behaviour` for every connection it accepts.
  explicit HostileServer(HostileBehaviour behaviour);
  ~HostileServer();  // stops the thread; open connections are dropped
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint64_t connections() const { return connections_.load(); }
  std::uint64_t requests() const { return requests_.load(); }  // heads read by read_request()

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

  HostileBehaviour behaviour_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::thread thread_;
};

}  // namespace stampede::testing
