#pragma once
// The acceptor and the I/O threads. Each thread runs its own io_context; the acceptor hands new
// connections out round-robin, so a session lives on one thread and needs no strand.

#include <memory>
#include <vector>

#include "target/net.h"
#include "target/router.h"
#include "target/server_state.h"

namespace stampede::target {

struct ServerConfig {
  unsigned threads = 1;
  bool quiet = false;  // no diagnostics on stderr
  ApiConfig api;       // the /api endpoints' secret, rates and store sizes
};

class Server {
 public:
  explicit Server(const ServerConfig& config);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds and listens; returns the bound endpoint (the real port when `endpoint` has port 0).
  tcp::endpoint listen(const tcp::endpoint& endpoint, error_code& ec);
  // Serves until SIGINT or SIGTERM (or stop()); blocks the calling thread.
  void run();
  // Stops every thread; safe from any thread.
  void stop();

 private:
  net::awaitable<void> accept_loop();

  ServerConfig config_;
  // Declared before the io_contexts: sessions refer to these until their contexts are destroyed.
  ServerState state_;
  Router router_;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  // These live on contexts_[0] and must be destroyed before it.
  tcp::acceptor acceptor_;
  net::signal_set signals_;
};

}  // namespace stampede::target
