// A WebSocket session's read path on arbitrary server bytes: after a real upgrade (Beast's
// server role over an in-memory stream pair), the input arrives as the frames a server sends,
// cut into pieces, and the client reads messages as a `ws:` session does: with the step's
// maxMessageBytes, permessage-deflate when the input asks for it, and each message judged by a
// receive's `until` condition (a JSON pointer check, engine/response_rules.h). Beyond "no
// crash": no message is larger than the limit.
//
// Input: a flags byte (deflate, limit choice), a 32-bit seed for the piece sizes, then the bytes.

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>  // before Asio (gcc 12 with C++20)

#include "engine/response_rules.h"
#include "fuzz_support.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Stream = websocket::stream<beast::test::stream>;

constexpr std::size_t kHeaderSize = 5;
constexpr std::size_t kLimits[] = {16, 125, 4096, 1 << 20};

// The condition a receive judges each message by: `{json: /op, equals: frame}`.
const stampede::Check& until() {
  static const stampede::Check check = [] {
    stampede::Check c;
    c.subject = {stampede::ResponseSource::Kind::kJson, "/op"};
    c.op = stampede::Check::Op::kEquals;
    return c;
  }();
  return check;
}

// A client and a server stream joined in memory, upgraded with or without deflate.
bool upgrade(net::io_context& io, Stream& client, Stream& server, bool deflate) {
  if (deflate) {
    websocket::permessage_deflate options;
    options.client_enable = true;
    options.server_enable = true;
    client.set_option(options);
    server.set_option(options);
  }
  beast::error_code client_ec;
  beast::error_code server_ec;
  server.async_accept([&](beast::error_code ec) { server_ec = ec; });
  client.async_handshake("fuzz", "/ws", [&](beast::error_code ec) { client_ec = ec; });
  io.run();
  io.restart();
  return !client_ec && !server_ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeaderSize) return 0;
  const bool deflate = (data[0] & 1) != 0;
  const std::size_t limit = kLimits[(data[0] >> 1) & 3];
  const std::uint32_t seed =
      static_cast<std::uint32_t>(data[1]) | static_cast<std::uint32_t>(data[2]) << 8 |
      static_cast<std::uint32_t>(data[3]) << 16 | static_cast<std::uint32_t>(data[4]) << 24;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + kHeaderSize,
                               size - kHeaderSize);

  net::io_context io;
  Stream client(io);
  Stream server(io);
  client.next_layer().connect(server.next_layer());
  if (!upgrade(io, client, server, deflate)) __builtin_trap();  // a valid upgrade must succeed
  client.read_message_max(limit);

  // The client reads messages as a session does: one read outstanding, re-armed after each.
  beast::flat_buffer buffer;
  const std::string expected = "frame";
  std::function<void()> read;
  read = [&] {
    client.async_read(buffer, [&](beast::error_code ec, std::size_t n) {
      if (ec) return;
      if (n > limit) __builtin_trap();  // read_message_max is the step's maxMessageBytes
      const std::string_view message(static_cast<const char*>(buffer.data().data()), n);
      stampede::ResponseView view{101, {}, message, nullptr, {}};
      stampede::ResponseReader reader(view);
      (void)stampede::check_passes(until(), expected, reader);
      buffer.consume(n);
      read();
    });
  };
  read();

  // The server's frames, raw, arriving in pieces; then the server's end closes (eof).
  stampede::fuzz::Pieces pieces(seed);
  for (std::size_t sent = 0; sent < bytes.size();) {
    const std::size_t n = std::min(pieces.next(), bytes.size() - sent);
    client.next_layer().append(bytes.substr(sent, n));
    sent += n;
    io.poll();
  }
  server.next_layer().close();
  io.run();
  return 0;
}
