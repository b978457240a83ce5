#include "kube/api_client.h"

// Asio's C++20 support on gcc 12 needs <utility> before its headers.
#include <utility>
// keep the order
#include <poll.h>
#include <sys/stat.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace stampede::kube {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kMaxBody = 256ull << 20;  // a LIST of many objects can be large

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Sending these twice has the effect of sending them once (RFC 9110 §9.2.2).
bool idempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// An idle kept-alive connection with something to read has been closed by the server (or
// carries an answer to nothing): it must not carry a request.
bool readable_while_idle(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

}  // namespace

struct ApiClient::Impl {
  explicit Impl(const KubeConfig& kube_config) : config(kube_config) { setup_tls(); }

  void setup_tls() {
    ErrorCode ec;
    if (config.insecure_skip_tls_verify) {
      tls.set_verify_mode(ssl::verify_none);
    } else {
      tls.set_verify_mode(ssl::verify_peer);
      if (config.ca_pem.empty()) {
        tls.set_default_verify_paths(ec);
      } else {
        tls.add_certificate_authority(asio::buffer(config.ca_pem), ec);
      }
      if (ec) setup_error = "cannot load the cluster CA: " + ec.message();
    }
    if (!config.client_cert_pem.empty()) {
      tls.use_certificate_chain(asio::buffer(config.client_cert_pem), ec);
      if (!ec) tls.use_private_key(asio::buffer(config.client_key_pem), ssl::context::pem, ec);
      if (ec) setup_error = "cannot load the client certificate or key: " + ec.message();
    }
  }

  // Runs one asynchronous operation on the connection to completion or until the deadline
  // (then the connection is closed and timed_out returned).
  template <class Start>
  ErrorCode await(Start&& start, SteadyClock::time_point deadline) {
    std::optional<ErrorCode> result;
    start([&result](const ErrorCode& ec, auto&&...) { result = ec; });
    io.restart();
    while (!result) {
      if (io.run_one_until(deadline) == 0 && !result) {
        // The streams stay until the aborted operation has finished with them; and only until
        // then: an abandoned resolution may still be running in the resolver's thread.
        close_sockets();
        io.restart();
        while (!result && io.run_one() != 0) {
        }
        close();
        return asio::error::timed_out;
      }
    }
    if (cancelled) return asio::error::operation_aborted;
    return *result;
  }

  // The server's addresses, within the call's deadline: getaddrinfo may take many seconds on
  // an unreachable DNS server. A resolution still running at the deadline is abandoned (it
  // ends in the resolver's thread, into state nobody reads). An IP address needs no lookup.
  std::optional<tcp::resolver::results_type> resolve(SteadyClock::time_point deadline,
                                                     std::string* error) {
    ErrorCode ec;
    const auto literal = asio::ip::make_address(config.host, ec);
    unsigned short port = 0;
    const char* end = config.port.data() + config.port.size();
    if (!ec && std::from_chars(config.port.data(), end, port).ptr == end) {
      return tcp::resolver::results_type::create(tcp::endpoint(literal, port), config.host,
                                                 config.port);
    }
    struct Resolution {
      std::optional<ErrorCode> ec;
      tcp::resolver::results_type endpoints;
    };
    auto state = std::make_shared<Resolution>();
    resolver.async_resolve(config.host, config.port,
                           [state](const ErrorCode& e, tcp::resolver::results_type r) {
                             state->ec = e;
                             state->endpoints = std::move(r);
                           });
    io.restart();
    while (!state->ec && !cancelled) {
      if (io.run_one_until(deadline) == 0 && !state->ec) {
        resolver.cancel();
        *error = "cannot resolve " + config.host + ": timed out";
        return std::nullopt;
      }
    }
    if (cancelled) {
      resolver.cancel();
      *error = "cannot resolve " + config.host + ": cancelled";
      return std::nullopt;
    }
    if (*state->ec) {
      *error = "cannot resolve " + config.host + ": " + state->ec->message();
      return std::nullopt;
    }
    return state->endpoints;
  }

  template <class F>
  void with_stream(F&& f) {
    if (tls_stream) {
      f(*tls_stream);
    } else {
      f(*plain);
    }
  }

  bool connected() const { return plain || tls_stream; }

  int native_socket() {
    return tls_stream ? tls_stream->lowest_layer().native_handle() : plain->native_handle();
  }

  // Aborts what is pending on the connection; the streams stay for the aborted operations.
  void close_sockets() {
    ErrorCode ignored;
    if (tls_stream) tls_stream->lowest_layer().close(ignored);
    if (plain) plain->close(ignored);
  }

  void close() {
    close_sockets();
    tls_stream.reset();
    plain.reset();
    buffer.clear();
  }

  std::string connect(SteadyClock::time_point deadline) {
    if (!setup_error.empty()) return setup_error;
    std::string error;
    const auto endpoints = resolve(deadline, &error);
    if (!endpoints) return error;
    // Connected in place, so that a deadline aborts the connect too.
    plain.emplace(io);
    ErrorCode ec =
        await([&](auto handler) { asio::async_connect(*plain, *endpoints, std::move(handler)); },
              deadline);
    if (ec) {
      close();
      return "cannot connect to " + config.host + ":" + config.port + ": " + ec.message();
    }
    plain->set_option(tcp::no_delay(true), ec);
    if (config.scheme == "http") return "";
    tcp::socket socket = std::move(*plain);
    plain.reset();
    tls_stream.emplace(std::move(socket), tls);
    if (!config.insecure_skip_tls_verify) {
      tls_stream->set_verify_callback(ssl::host_name_verification(config.host));
    }
    // SNI names a host, never an address (RFC 6066 §3).
    ErrorCode not_an_address;
    asio::ip::make_address(config.host, not_an_address);
    if (not_an_address &&
        SSL_set_tlsext_host_name(tls_stream->native_handle(), config.host.c_str()) != 1) {
      close();
      return "cannot set the TLS server name " + config.host;
    }
    ec = await(
        [&](auto handler) {
          tls_stream->async_handshake(ssl::stream_base::client, std::move(handler));
        },
        deadline);
    if (ec) {
      close();
      return "TLS handshake with " + config.host + ":" + config.port + " failed: " + ec.message();
    }
    return "";
  }

  std::string bearer_token() {
    if (config.token_file.empty()) return config.token;
    struct stat st {};
    if (::stat(config.token_file.c_str(), &st) == 0 && st.st_mtime != token_mtime) {
      // Projected service-account tokens are rotated by the kubelet: re-read on change.
      std::ifstream in(config.token_file);
      std::ostringstream text;
      text << in.rdbuf();
      token = trim(text.str());
      token_mtime = st.st_mtime;
    }
    return token;
  }

  http::request<http::string_body> make_request(const ApiRequest& r) {
    http::request<http::string_body> req{http::string_to_verb(r.method), r.path, 11};
    req.set(http::field::host, config.host);
    req.set(http::field::user_agent, "stampede-operator");
    req.set(http::field::accept, "application/json");
    if (const std::string t = bearer_token(); !t.empty()) {
      req.set(http::field::authorization, "Bearer " + t);
    }
    if (!r.body.empty()) {
      req.set(http::field::content_type, r.content_type);
      req.body() = r.body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    return req;
  }

  // Sends the request on the open connection (the answer is read by the caller).
  ErrorCode write(http::request<http::string_body>& req, SteadyClock::time_point deadline) {
    return await(
        [&](auto handler) {
          with_stream([&](auto& s) { http::async_write(s, req, std::move(handler)); });
        },
        deadline);
  }

  ApiResponse exchange(const ApiRequest& request) {
    ApiResponse response;
    const auto deadline = SteadyClock::now() + request.timeout;
    auto req = make_request(request);
    // A kept-alive connection the server closed while idle is noticed before sending. If the
    // call fails on a reused connection anyway, it is sent once more on a fresh one only when
    // the first copy never went out (the write failed) or sending it twice is harmless (an
    // idempotent method): a POST whose answer was lost may have been carried out (an Event
    // created with generateName would exist twice).
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (connected() && readable_while_idle(native_socket())) close();
      const bool reused = connected();
      if (!reused) {
        response.transport_error = connect(deadline);
        if (!response.transport_error.empty()) return response;
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(kMaxBody);
      ErrorCode ec = write(req, deadline);
      const bool sent = !ec;
      if (sent) {
        ec = await(
            [&](auto handler) {
              with_stream(
                  [&](auto& s) { http::async_read(s, buffer, parser, std::move(handler)); });
            },
            deadline);
      }
      if (ec) {
        close();
        const bool retry = attempt == 0 && reused && ec != asio::error::timed_out && !cancelled &&
                           (!sent || idempotent(request.method));
        if (retry) continue;
        response.transport_error = request.method + " " + request.path + ": " + ec.message();
        return response;
      }
      auto message = parser.release();
      response.status = static_cast<int>(message.result_int());
      response.body = std::move(message.body());
      if (!message.keep_alive()) close();
      return response;
    }
    return response;
  }

  ApiResponse stream(const ApiRequest& request,
                     const std::function<bool(std::string_view)>& on_line, Millis idle) {
    ApiResponse response;
    close();  // a watch gets a connection of its own, closed at the end
    response.transport_error = connect(SteadyClock::now() + request.timeout);
    if (!response.transport_error.empty()) return response;
    auto req = make_request(request);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    ErrorCode ec = write(req, SteadyClock::now() + request.timeout);
    if (!ec) {
      ec = await(
          [&](auto handler) {
            with_stream(
                [&](auto& s) { http::async_read_header(s, buffer, parser, std::move(handler)); });
          },
          SteadyClock::now() + request.timeout);
    }
    if (ec) {
      close();
      response.transport_error = request.method + " " + request.path + ": " + ec.message();
      return response;
    }
    response.status = static_cast<int>(parser.get().result_int());
    std::string pending;
    bool stop = false;
    auto deliver = [&](std::string_view data) {
      pending.append(data);
      std::size_t start = 0;
      for (std::size_t nl; !stop && (nl = pending.find('\n', start)) != std::string::npos;
           start = nl + 1) {
        if (nl > start) stop = !on_line(std::string_view(pending).substr(start, nl - start));
      }
      pending.erase(0, start);
    };
    const bool success = response.status >= 200 && response.status < 300;
    // Chunks are handed over as they arrive instead of being collected into the body.
    auto on_chunk = [&](std::uint64_t, std::string_view body, ErrorCode& chunk_ec) {
      if (success) {
        deliver(body);
        if (stop) chunk_ec = asio::error::operation_aborted;
      } else {
        response.body.append(body);
      }
      return body.size();
    };
    parser.on_chunk_body(on_chunk);
    while (!parser.is_done() && !stop) {
      ec = await(
          [&](auto handler) {
            with_stream(
                [&](auto& s) { http::async_read_some(s, buffer, parser, std::move(handler)); });
          },
          SteadyClock::now() + idle);
      if (ec) break;
    }
    if (!parser.chunked()) {  // a plain body: split it at the end
      if (success) {
        deliver(parser.get().body());
      } else {
        response.body = parser.get().body();
      }
    }
    if (ec && !stop && ec != http::error::end_of_stream) {
      response.transport_error = "watch " + request.path + ": " + ec.message();
    }
    close();
    return response;
  }

  KubeConfig config;
  asio::io_context io{1};
  tcp::resolver resolver{io};  // after io: destroyed before it
  ssl::context tls{ssl::context::tls_client};
  std::optional<ssl::stream<tcp::socket>> tls_stream;
  std::optional<tcp::socket> plain;
  beast::flat_buffer buffer;
  std::atomic<bool> cancelled{false};
  std::string token;
  time_t token_mtime = 0;
  std::string setup_error;
};

ApiClient::ApiClient(KubeConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(config_)) {}

ApiClient::~ApiClient() = default;

ApiResponse ApiClient::send(const ApiRequest& request) {
  if (impl_->cancelled) return {0, "", "cancelled"};
  return impl_->exchange(request);
}

ApiResponse ApiClient::stream(const ApiRequest& request,
                              const std::function<bool(std::string_view)>& on_line,
                              Millis idle_timeout) {
  if (impl_->cancelled) return {0, "", "cancelled"};
  return impl_->stream(request, on_line, idle_timeout);
}

void ApiClient::cancel() {
  impl_->cancelled = true;
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] { impl->close_sockets(); });
}

}  // namespace stampede::kube
