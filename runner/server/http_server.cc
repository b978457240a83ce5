#include "server/http_server.h"

// Asio's C++20 support on gcc 12 needs <utility> before its headers (see engine/asio.h).
#include <utility>
// keep the order
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace stampede {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBody = 1 << 20;                // control calls carry tiny JSON bodies
constexpr auto kIdleTimeout = std::chrono::seconds(60);  // a scraper keeps its connection open

HttpRequest to_request(const http::request<http::string_body>& r) {
  HttpRequest out;
  out.method = std::string(r.method_string());
  const std::string_view target = r.target();
  const std::size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(target.substr(q + 1));
  out.authorization = std::string(r[http::field::authorization]);
  out.body = r.body();
  return out;
}

// One client connection: read a request, answer it, repeat while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpHandler& handler)
      : stream_(std::move(socket)), handler_(handler) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      reply(413, "request body too large", false);
      return;
    }
    if (ec) return;  // closed, timed out or malformed: drop the connection
    const auto& request = parser_->get();
    HttpResponse r = handle(to_request(request));
    send(std::move(r), request.keep_alive(), request.version());
  }

  HttpResponse handle(const HttpRequest& request) {
    try {
      return handler_(request);
    } catch (const std::exception& e) {
      spdlog::error("control API: {} {}: {}", request.method, request.path, e.what());
      HttpResponse r;
      r.status = 500;
      r.body = R"({"error":"internal error"})";
      return r;
    }
  }

  void reply(unsigned status, const std::string& message, bool keep_alive) {
    HttpResponse r;
    r.status = status;
    r.body = R"({"error":")" + message + R"("})";
    send(std::move(r), keep_alive, 11);
  }

  void send(HttpResponse r, bool keep_alive, unsigned version) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), version);
    response->set(http::field::server, "stampede");
    response->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) response->set(name, value);
    response->body() = std::move(r.body);
    response->keep_alive(keep_alive);
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, after = std::move(r.after_sent)](
                          beast::error_code ec, std::size_t) {
                        if (after) after();
                        if (!ec && response->keep_alive()) self->read();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpHandler& handler_;
};

}  // namespace

struct HttpServer::State {
  explicit State(HttpHandler h) : handler(std::move(h)) {}
  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(s), handler)->read();
      accept();
    });
  }
  HttpHandler handler;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
};

HttpServer::HttpServer(HttpHandler handler) : state_(std::make_shared<State>(std::move(handler))) {}

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
