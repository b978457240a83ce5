#include "server/http_server.h"

// Asio's C++20 support on gcc 12 needs <utility> before its headers (see engine/asio.h).
#include <utility>
// keep the order
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/http_session.h"

namespace stampede {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// The listening side. Everything runs on the server's one thread, so the counters need no lock.
struct HttpServer::State {
  State(HttpHandler h, HttpServerLimits l) : handler(std::move(h)), limits(l) {}
  // Sessions still queued in `io` are destroyed with it, after this; they must not accept.
  ~State() { closing = true; }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Starts one accept unless one is pending, a back-off is running or the cap is reached.
  void accept() {
    if (closing || accepting || open >= limits.max_connections) return;
    accepting = true;
    acceptor.async_accept(io, [this](beast::error_code ec, tcp::socket s) {
      accepting = false;
      on_accept(ec, std::move(s));
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      back_off(ec);
      return;
    }
    if (failed_accepts > 0) {
      spdlog::info("HTTP server: accepting again after {} failed attempts", failed_accepts);
      failed_accepts = 0;
    }
    ++open;
    std::make_shared<HttpSession>(std::move(socket), handler, limits, [this] {
      closed();
    })->start();
    accept();
  }

  // The connection that failed stays in the backlog and keeps the socket readable: retrying
  // at once would spin. One warning per burst of failures, not one per attempt.
  void back_off(const beast::error_code& ec) {
    if (failed_accepts++ == 0) {
      spdlog::warn("HTTP server: cannot accept a connection: {}; retrying every {} ms",
                   ec.message(), limits.accept_backoff.count());
    }
    accepting = true;
    backoff.expires_after(limits.accept_backoff);
    backoff.async_wait([this](beast::error_code wait_ec) {
      accepting = false;
      if (!wait_ec) accept();
    });
  }

  // A session ended: below the cap again, so accepting resumes if it had paused.
  void closed() {
    --open;
    accept();
  }

  HttpHandler handler;
  HttpServerLimits limits;
  bool closing = false;
  bool accepting = false;            // an accept or a back-off is pending
  std::size_t open = 0;              // sessions alive
  std::uint64_t failed_accepts = 0;  // in the current burst
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer backoff{io};
};

HttpServer::HttpServer(HttpHandler handler, HttpServerLimits limits)
    : state_(std::make_shared<State>(std::move(handler), limits)) {}

HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::start(const ListenAddress& address, std::string* error) {
  beast::error_code ec;
  tcp::resolver resolver(state_->io);
  const auto results =
      resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    *error = "cannot listen on " + address.host + ": " + ec.message();
    return false;
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " +
             ec.message();
    return false;
  }
  port_ = acceptor.local_endpoint().port();
  state_->accept();
  thread_ = std::thread([state = state_] { state->io.run(); });
  return true;
}

void HttpServer::stop() {
  if (!thread_.joinable()) return;
  state_->io.stop();
  thread_.join();
}

}  // namespace stampede
