#include "target/ws_session.h"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "target/ws_net.h"
#include "target/ws_outbox.h"

namespace stampede::target {
namespace {

constexpr std::size_t kMaxMessageBytes = std::size_t{16} << 20;
// Messages queued before the next read waits for them to be written: a client that sends
// without reading (an echo client, say) holds back its own messages, not the server's memory.
constexpr std::size_t kMaxQueuedBeforeRead = 64;

// How the read loop ended, which decides how the connection is closed.
enum class Ending {
  kPeerClosed,  // the client's close handshake, which Beast has already completed
  kBroken,      // a read failed: reset, EOF without a close frame, timeout, oversized message
  kClose,       // the handler asked for the close handshake
  kAbort,       // the handler asked to drop the connection
};

class WsSession final : public WsPeer, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, WsAccept accept, WsCounters& counters)
      : executor_(socket.get_executor()),
        ws_(std::move(socket)),
        outbox_(executor_),
        handler_(std::move(accept.handler)),
        subprotocol_(std::move(accept.subprotocol)),
        counters_(counters) {}

  net::awaitable<void> run(const Request& request);

  void send(WsMessage message, WsSendKind kind) override { outbox_.push(std::move(message), kind); }
  std::size_t backlog() const override { return outbox_.size(); }
  net::any_io_executor executor() const override { return executor_; }

 private:
  void configure();
  net::awaitable<bool> accept(const Request& request);
  static net::awaitable<void> write_loop(std::shared_ptr<WsSession> self);
  net::awaitable<Ending> read_loop();
  net::awaitable<void> finish(Ending ending);
  void drop();

  net::any_io_executor executor_;
  WsStream ws_;
  WsOutbox outbox_;
  beast::flat_buffer buffer_;
  std::shared_ptr<WsHandler> handler_;
  std::string subprotocol_;
  WsCounters& counters_;
};

net::awaitable<void> WsSession::run(const Request& request) {
  configure();
  if (!co_await accept(request)) co_return;
  counters_.record(WsEvent::kSessionsOpened);
  // The writer holds the session too: a write may still be in flight when run() returns.
  net::co_spawn(executor_, write_loop(shared_from_this()), net::detached);
  const Ending ending = co_await read_loop();
  handler_->stop();  // no more frames: whatever follows is the end of the session
  co_await finish(ending);
}

void WsSession::configure() {
  // Handshake 30 s; idle 300 s, with a ping at half of that to tell a quiet client from a dead one.
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  websocket::permessage_deflate deflate;
  deflate.server_enable = true;  // negotiated only when the client offers it
  ws_.set_option(deflate);
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator(
      [protocol = subprotocol_](websocket::response_type& response) {
        response.set(http::field::server, "stampede-target");
        if (!protocol.empty()) response.set(http::field::sec_websocket_protocol, protocol);
      }));
  // Beast answers pings itself; the callback only counts them. It runs inside our reads.
  ws_.control_callback([&counters = counters_](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) counters.record(WsEvent::kPingsReceived);
  });
}

// A request Beast finds invalid (no Sec-WebSocket-Key, say) gets its 400 from Beast and counts
// as neither opened nor refused.
net::awaitable<bool> WsSession::accept(const Request& request) {
  error_code ec;
  co_await ws_.async_accept(request, with_ec(ec));
  co_return !ec;
}

net::awaitable<void> WsSession::write_loop(std::shared_ptr<WsSession> self) {
  co_await self->outbox_.run(self->ws_, self->counters_);
}

// Reads whole messages and hands each to the handler; the next is read once it returns.
net::awaitable<Ending> WsSession::read_loop() {
  const std::shared_ptr<WsPeer> peer = shared_from_this();
  for (;;) {
    co_await outbox_.wait_below(kMaxQueuedBeforeRead);
    error_code ec;
    co_await ws_.async_read(buffer_, with_ec(ec));
    if (ec == websocket::error::closed) co_return Ending::kPeerClosed;
    if (ec) co_return Ending::kBroken;
    counters_.record(WsEvent::kMessagesReceived);
    WsMessage message{beast::buffers_to_string(buffer_.data()), !ws_.got_text()};
    buffer_.consume(buffer_.size());
    switch (co_await handler_->on_message(std::move(message), peer)) {
      case WsNext::kContinue:
        break;
      case WsNext::kClose:
        co_return Ending::kClose;
      case WsNext::kAbort:
        co_return Ending::kAbort;
    }
  }
}

net::awaitable<void> WsSession::finish(Ending ending) {
  switch (ending) {
    case Ending::kPeerClosed:
      counters_.record(WsEvent::kSessionsClosed);
      outbox_.close();
      break;
    case Ending::kBroken:
      outbox_.close();
      drop();
      break;
    case Ending::kClose: {
      // The replies go out before the close frame; then Beast waits for the client's close
      // frame and closes the socket.
      co_await outbox_.drain();
      outbox_.close();
      error_code ec;
      co_await ws_.async_close(websocket::close_code::normal, with_ec(ec));
      if (ec) {
        drop();
      } else {
        counters_.record(WsEvent::kSessionsClosed);
      }
      break;
    }
    case Ending::kAbort:
      co_await outbox_.drain();
      outbox_.close();
      drop();
      break;
  }
}

// Closes the socket without a close frame: the client sees an abnormal closure (1006). Any
// write still in flight fails at once.
void WsSession::drop() {
  error_code ec;
  ws_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  ws_.next_layer().close(ec);
}

// The coroutine whose frame holds the session: internal, like WsSession (a frame of an external
// function holding an anonymous-namespace type is what GCC's -Wsubobject-linkage flags).
net::awaitable<void> serve(std::shared_ptr<WsSession> session, Request request) {
  co_await session->run(request);
}

}  // namespace

net::awaitable<void> run_ws_session(tcp::socket socket, Request request, WsAccept accept,
                                    WsCounters& counters) {
  return serve(std::make_shared<WsSession>(std::move(socket), std::move(accept), counters),
               std::move(request));
}

}  // namespace stampede::target
