#pragma once
// The runner's own small HTTP/1.1 server (Beast): /metrics, health and the control API. It runs
// on its own thread with its own io_context, so serving never takes time from the workers.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/event_feed.h"
#include "server/listen_address.h"

namespace stampede {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', raw
  std::string authorization;
  std::string body;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Allow, WWW-Authenticate
  std::function<void()> after_sent;  // runs on the server thread once the response is written
  // Set for a Server-Sent Events stream: the rest of the fields are ignored, the connection
  // carries the feed's events until the client leaves (server/event_stream_session.h).
  std::shared_ptr<const EventFeed> events;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// What keeps the server answering /healthz when clients misbehave or file handles run out
// (README: "Metrics and the control API"). The defaults suit the agent and the operator.
struct HttpServerLimits {
  // Connections open at once. At the cap the server stops accepting: further clients wait in
  // the kernel's listen backlog (costing no fd and no CPU) until a connection closes.
  std::size_t max_connections = 256;
  // One whole request, head and body: from accept for the first request of a connection, from
  // its first byte for later ones. A slow head (slowloris) is cut off here. Also bounds the
  // time to write a response to a client that does not read it.
  std::chrono::milliseconds request_timeout{10'000};
  // A keep-alive connection waiting for its next request.
  std::chrono::milliseconds idle_timeout{30'000};
  // After accept fails (EMFILE, ENFILE, ENOBUFS...) the next attempt waits this long: the
  // pending connection keeps the listening socket readable, so retrying at once would spin.
  std::chrono::milliseconds accept_backoff{100};
  // Request bodies (control calls carry tiny JSON bodies); larger ones get 413.
  std::size_t max_body = std::size_t{64} * 1024;
  // Request line and headers; larger heads get 431.
  std::uint32_t max_head = 8 * 1024;
};

class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler, HttpServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on a new thread; false and *error when the address is unusable.
  bool start(const ListenAddress& address, std::string* error);
  // The bound port (useful with port 0).
  std::uint16_t port() const { return port_; }
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

}  // namespace stampede
