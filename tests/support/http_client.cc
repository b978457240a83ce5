#include "support/http_client.h"

// <utility> (via http_client.h) must precede Asio with Boost 1.74.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace stampede::testing {

// ---------------------------------------------------------------------------------------------
// HTTP

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

// Named, not anonymous: HttpConnection::Impl (external linkage) holds one.
namespace http_client_detail {

// A TCP connection whose every operation has a deadline: each call runs one async operation on
// a private io_context, and beast::tcp_stream turns a hang into error::timeout.
class DeadlineStream {
 public:
  DeadlineStream(const std::string& host, std::uint16_t port, Millis timeout)
      : stream_(context_), timeout_(timeout) {
    const auto endpoints = tcp::resolver(context_).resolve(host, std::to_string(port));
    const auto ec = run([&](auto done) {
      stream_.async_connect(endpoints, [done](error_code e, const tcp::endpoint&) { done(e, 0); });
    });
    if (ec) fail("connect to " + host + ":" + std::to_string(port), ec);
  }

  // `start(done)` starts one operation that calls done(error_code, bytes); returns its error.
  template <typename Start>
  error_code run(Start start, std::size_t* bytes = nullptr) {
    error_code result;
    stream_.expires_after(timeout_);
    start([&result, bytes](error_code ec, std::size_t n) {
      result = ec;
      if (bytes != nullptr) *bytes = n;
    });
    context_.restart();
    context_.run();
    return result;
  }

  [[noreturn]] static void fail(const std::string& what, const error_code& ec) {
    throw std::runtime_error(what + ": " + ec.message());
  }

  beast::tcp_stream& stream() { return stream_; }
  beast::flat_buffer& buffer() { return buffer_; }

 private:
  net::io_context context_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Millis timeout_;
};

}  // namespace http_client_detail

using http_client_detail::DeadlineStream;

namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

HttpResponse to_response(const http::response<http::string_body>& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.body = message.body();
  response.keep_alive = message.keep_alive();
  response.chunked = message.chunked();
  for (const auto& field : message) {
    auto [it, inserted] = response.headers.try_emplace(lower(field.name_string()), field.value());
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  return response;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? "" : it->second;
}

struct HttpConnection::Impl {
  Impl(const std::string& h, std::uint16_t p, Millis timeout)
      : host(h + ":" + std::to_string(p)), stream(h, p, timeout) {}

  std::string host;  // the Host header
  DeadlineStream stream;
  std::uint64_t bytes_sent = 0;
};

HttpConnection::HttpConnection(const std::string& host, std::uint16_t port, Millis timeout)
    : impl_(std::make_unique<Impl>(host, port, timeout)) {}

HttpConnection::~HttpConnection() = default;

std::uint64_t HttpConnection::bytes_sent() const {
  return impl_->bytes_sent;
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target,
                                     std::string_view body, const Headers& headers) {
  http::request<http::string_body> request(http::verb::get, target, 11);
  request.method_string(method);
  request.set(http::field::host, impl_->host);
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  request.prepare_payload();
  auto& s = impl_->stream;
  std::size_t written = 0;
  auto ec = s.run([&](auto done) { http::async_write(s.stream(), request, done); }, &written);
  impl_->bytes_sent += written;
  if (ec) DeadlineStream::fail("write " + std::string(target), ec);
  http::response_parser<http::string_body> parser;
  // /bytes/N may exceed the 8 MiB default. Not boost::none: Boost 1.74 compares the optional
  // itself ("len > none" is always true) and then rejects every Content-Length body.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.skip(request.method() == http::verb::head);  // HEAD responses have no body
  ec = s.run([&](auto done) { http::async_read(s.stream(), s.buffer(), parser, done); });
  if (ec) DeadlineStream::fail("read response to " + std::string(target), ec);
  return to_response(parser.get());
}

HttpResponse http_request(const std::string& host, std::uint16_t port, std::string_view method,
                          std::string_view target, std::string_view body, const Headers& headers) {
  return HttpConnection(host, port).request(method, target, body, headers);
}

HttpResponse http_get(const std::string& host, std::uint16_t port, std::string_view target,
                      const Headers& headers) {
  return http_request(host, port, "GET", target, {}, headers);
}

bool await_healthz(std::uint16_t port, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (http_get("127.0.0.1", port, "/healthz").status == 200) return true;
    } catch (const std::runtime_error&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

HttpResponse http_post(const std::string& host, std::uint16_t port, std::string_view target,
                       std::string_view body, std::string_view content_type) {
  return http_request(host, port, "POST", target, body,
                      {{"Content-Type", std::string(content_type)}});
}

RawExchange raw_exchange(const std::string& host, std::uint16_t port, std::string_view data,
                         Millis timeout) {
  DeadlineStream s(host, port, timeout);
  RawExchange result;
  auto ec = s.run([&](auto done) { net::async_write(s.stream(), net::buffer(data), done); });
  char chunk[4096];
  while (!ec) {
    std::size_t n = 0;
    ec = s.run([&](auto done) { s.stream().async_read_some(net::buffer(chunk), done); }, &n);
    result.received.append(chunk, n);
  }
  if (ec == net::error::eof) {
    result.end = RawEnd::kClosed;
  } else if (ec == beast::error::timeout) {
    result.end = RawEnd::kTimeout;
  } else if (ec == net::error::connection_reset || ec == net::error::broken_pipe) {
    result.end = RawEnd::kReset;
  } else {
    DeadlineStream::fail("raw exchange", ec);
  }
  return result;
}

std::optional<std::pair<std::string, std::uint16_t>> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == authority.size()) return std::nullopt;
  std::string_view host = authority.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  for (const char c : authority.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || (port = port * 10 + (c - '0')) > 65535) {
      return std::nullopt;
    }
  }
  if (host.empty()) return std::nullopt;
  return std::make_pair(std::string(host), static_cast<std::uint16_t>(port));
}

}  // namespace stampede::testing
