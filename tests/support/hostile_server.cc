#include "support/hostile_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

namespace stampede::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// A request head larger than this is not something the runner sends; refuse to buffer more.
constexpr std::size_t kMaxRequestHead = std::size_t{64} << 10;

}  // namespace

HostilePeer::HostilePeer(tcp::socket socket, std::atomic<std::uint64_t>& requests)
    : socket_(std::move(socket)), requests_(requests) {}

asio::awaitable<std::string> HostilePeer::read_request() {
  for (;;) {
    const std::size_t end = pending_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string line = pending_.substr(0, pending_.find("\r\n"));
      pending_.erase(0, end + 4);
      ++requests_;
      co_return line;
    }
    if (pending_.size() > kMaxRequestHead) {
      throw boost::system::system_error(asio::error::message_size, "request head too large");
    }
    char chunk[4096];
    const std::size_t n =
        co_await socket_.async_read_some(asio::buffer(chunk), asio::use_awaitable);
    pending_.append(chunk, n);
  }
}

asio::awaitable<void> HostilePeer::write(std::string_view bytes) {
  co_await asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                             asio::use_awaitable);
}

asio::awaitable<void> HostilePeer::sleep(std::chrono::milliseconds duration) {
  asio::steady_timer timer(socket_.get_executor(), duration);
  co_await timer.async_wait(asio::use_awaitable);
}

void HostilePeer::reset() {
  boost::system::error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void HostilePeer::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

HostileServer::HostileServer(HostileBehaviour behaviour)
    : behaviour_(std::move(behaviour)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

HostileServer::~HostileServer() {
  io_.stop();
  thread_.join();
}

asio::awaitable<void> HostileServer::accept_loop() {
  for (;;) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // EMFILE and the like: the runner under test sees a refused connect
    ++connections_;
    asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HostileServer::serve(tcp::socket socket) {
  HostilePeer peer(std::move(socket), requests_);
  try {
    co_await behaviour_(peer);
  } catch (const boost::system::system_error&) {
    // The runner closed the connection (or reset it): this behaviour is over.
  }
}

}  // namespace stampede::testing
