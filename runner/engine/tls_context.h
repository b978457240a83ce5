#pragma once
// TLS client settings shared by every connection of a run, and the two transports the user
// template is instantiated with.

#include <memory>
#include <string>

#include "engine/asio.h"
#include "model/plan.h"

namespace stampede {

struct TlsClientContext {
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::string server_name;  // SNI and the name the certificate must match
  bool verify = true;
};

// Builds the context from the plan: system CA paths or caFile, peer verification unless
// insecureSkipVerify. Returns nullptr and sets *error when the CA file cannot be loaded.
std::unique_ptr<TlsClientContext> make_tls_context(const Target& target, std::string* error);

struct PlainTransport {
  struct Context {};
  using Stream = TcpSocket;
  static constexpr bool kTls = false;
  static Stream make(asio::io_context& io, Context*) { return Stream(io.get_executor()); }
  static TcpSocket& tcp(Stream& s) { return s; }
};

struct TlsTransport {
  using Context = TlsClientContext;
  using Stream = asio::ssl::stream<TcpSocket>;
  static constexpr bool kTls = true;
  static Stream make(asio::io_context& io, Context* tls) {
    return Stream(io.get_executor(), tls->context);
  }
  static TcpSocket& tcp(Stream& s) { return s.next_layer(); }
  static void prepare_handshake(Stream& s, const Context& tls);
};

}  // namespace stampede
