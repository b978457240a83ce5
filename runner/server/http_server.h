#pragma once
// The runner's own small HTTP/1.1 server (Beast): /metrics, health and the control API. It runs
// on its own thread with its own io_context, so serving never takes time from the workers.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  explicit HttpServer(HttpHandler handler);
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
