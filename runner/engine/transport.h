#pragma once
// The two transports a connection's state machine is instantiated with: plain TCP and TLS over
// TCP. Each names its stream type, how to make one and how to reach its TCP socket, so the
// protocol code is written once and pays no virtual call per operation.

#include "engine/asio.h"
#include "engine/tls_context.h"

namespace stampede {

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
