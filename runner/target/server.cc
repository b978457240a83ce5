#include "target/server.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>

#include "target/session.h"

namespace stampede::target {
namespace {

// After accept() fails (e.g. EMFILE) wait a little instead of spinning on the same error.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

void log_line(bool quiet, std::string_view message) {
  if (!quiet) std::cerr << "stampede-target: " << message << std::endl;
}

// Completion handler for co_spawn: a coroutine that ends with an exception is reported, never
// silently dropped.
auto report_failure(bool quiet, std::string_view what) {
  return [quiet, what](const std::exception_ptr& error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log_line(quiet, std::string(what) + " failed: " + e.what());
    }
  };
}

}  // namespace

Server::Server(const ServerConfig& config)
    : config_(config),
      state_(config.threads, config.api),
      router_(make_router()),
      contexts_([&] {
        std::vector<std::unique_ptr<net::io_context>> contexts;
        for (unsigned i = 0; i < std::max(config.threads, 1U); ++i) {
          // Hint 1: each context is run by exactly one thread.
          contexts.push_back(std::make_unique<net::io_context>(1));
        }
        return contexts;
      }()),
      acceptor_(*contexts_[0]),
      signals_(*contexts_[0], SIGINT, SIGTERM) {}

Server::~Server() = default;

tcp::endpoint Server::listen(const tcp::endpoint& endpoint, error_code& ec) {
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(tcp::socket::max_listen_connections, ec);
  if (ec) return {};
  return acceptor_.local_endpoint(ec);
}

void Server::run() {
  signals_.async_wait([this](const error_code& ec, int) {
    if (!ec) stop();
  });
  net::co_spawn(*contexts_[0], accept_loop(), [this](std::exception_ptr error) {
    report_failure(config_.quiet, "accept loop")(error);
    stop();  // without an acceptor the server is useless: exit rather than hang
  });
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] {
      // Without the guard an idle context would return from run() at once.
      auto guard = net::make_work_guard(*contexts_[i]);
      contexts_[i]->run();
    });
  }
  contexts_[0]->run();
  stop();
  for (auto& thread : threads) thread.join();
}

void Server::stop() {
  for (auto& context : contexts_) context->stop();
}

net::awaitable<void> Server::accept_loop() {
  std::size_t next = 0;
  for (;;) {
    net::io_context& context = *contexts_[next];
    tcp::socket socket(context);
    error_code ec;
    co_await acceptor_.async_accept(socket, with_ec(ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) {
      log_line(config_.quiet, "accept failed: " + ec.message());
      net::steady_timer pause(acceptor_.get_executor(), kAcceptRetryDelay);
      co_await pause.async_wait(with_ec(ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(context, run_session(std::move(socket), SessionConfig{router_, state_, next}),
                  report_failure(config_.quiet, "session"));
    next = (next + 1) % contexts_.size();
  }
}

}  // namespace stampede::target
