#pragma once
// A small blocking HTTP/1.1 client for integration tests: every call has a deadline.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede::testing {

using Millis = std::chrono::milliseconds;

// Blocking HTTP/1.1 client. Every call has a deadline; failures throw std::runtime_error.

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; repeats joined with ", "
  bool keep_alive = true;
  bool chunked = false;  // sent with Transfer-Encoding: chunked (body is already decoded)

  // The value of header `name` (any case), "" when absent.
  std::string header(std::string_view name) const;
};

// One keep-alive connection carrying requests one after another.
class HttpConnection {
 public:
  HttpConnection(const std::string& host, std::uint16_t port, Millis timeout = Millis(10'000));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       const Headers& headers = {});
  // Request bytes written on this connection so far (to check server-side byte counters).
  std::uint64_t bytes_sent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // keeps Asio out of test headers
};

// One request on a fresh connection.
HttpResponse http_request(const std::string& host, std::uint16_t port, std::string_view method,
                          std::string_view target, std::string_view body = {},
                          const Headers& headers = {});
HttpResponse http_get(const std::string& host, std::uint16_t port, std::string_view target,
                      const Headers& headers = {});
HttpResponse http_post(const std::string& host, std::uint16_t port, std::string_view target,
                       std::string_view body = {},
                       std::string_view content_type = "application/octet-stream");

// How a raw exchange ended.
enum class RawEnd { kClosed, kReset, kTimeout };

struct RawExchange {
  std::string received;  // every byte read before the end
  RawEnd end = RawEnd::kClosed;
};

// Protocol-level tests: sends `data` as is, then reads until the peer closes or resets the
// connection, or `timeout` passes.
RawExchange raw_exchange(const std::string& host, std::uint16_t port, std::string_view data,
                         Millis timeout = Millis(5'000));

// Polls GET /healthz on 127.0.0.1:`port` (a runner that has just been started) until it answers
// 200; false when `timeout` passes first.
bool await_healthz(std::uint16_t port, Millis timeout = Millis(10'000));

// "http://HOST:PORT[/...]" (HOST may be a bracketed IPv6 literal) -> host and port.
std::optional<std::pair<std::string, std::uint16_t>> parse_http_url(std::string_view url);

}  // namespace stampede::testing
