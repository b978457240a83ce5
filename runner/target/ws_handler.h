#pragma once
// The behaviour of one WebSocket endpoint (/ws/echo, /ws/scope), apart from the connection it
// runs on: ws_session.cc owns the socket, the handshake and every write; a handler sees whole
// messages and answers through a WsPeer.

#include <cstddef>
#include <memory>
#include <string>

#include "target/net.h"

namespace stampede::target {

// One whole message, as received or to be sent.
struct WsMessage {
  std::string payload;
  bool binary = false;  // false: text
};

// Counted apart in /__stats: scope frames are ws_frames_sent as well as ws_messages_sent.
enum class WsSendKind { kReply, kFrame };

// What a handler may do with its connection. Every member runs on the connection's thread.
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  // Queues a message; queued messages are written in order, one write in flight at a time.
  // Messages queued once the session is ending are dropped.
  virtual void send(WsMessage message, WsSendKind kind = WsSendKind::kReply) = 0;
  // Messages queued and not yet written, to shed load when the client reads too slowly.
  virtual std::size_t backlog() const = 0;
  // The connection's executor, for the handler's timers.
  virtual net::any_io_executor executor() const = 0;
};

// How the session goes on after a message.
enum class WsNext {
  kContinue,  // read the next message
  kClose,     // write what is queued, then the close handshake with code 1000
  kAbort,     // write what is queued, then drop the TCP connection without a close frame
};

class WsHandler {
 public:
  virtual ~WsHandler() = default;
  // One message. The next one is not read until this completes, so a handler that waits here
  // (a delayed echo) holds the client back, as a slow server would.
  virtual net::awaitable<WsNext> on_message(WsMessage message,
                                            const std::shared_ptr<WsPeer>& peer) = 0;
  // The session is ending: stop any timers. A handler that keeps the peer past on_message
  // holds it weakly, as the session may end at any time.
  virtual void stop() {}
};

}  // namespace stampede::target
