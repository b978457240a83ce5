#pragma once
// The messages a WebSocket session has yet to write, and the one coroutine that writes them.
// Beast allows one write in flight per stream, and replies and scope frames come from different
// coroutines: they all queue here and go out in order.

#include <cstddef>
#include <deque>

#include "target/ws_counters.h"
#include "target/ws_handler.h"
#include "target/ws_net.h"

namespace stampede::target {

class WsOutbox {
 public:
  explicit WsOutbox(const net::any_io_executor& executor);

  // Queues a message; dropped once close() was called or the writer ended.
  void push(WsMessage message, WsSendKind kind);
  // Messages queued and not yet written (the one being written included).
  std::size_t size() const { return queue_.size() + (writing_ ? 1 : 0); }

  // The writer: writes queued messages until close(), each counted in `counters` once written.
  // Ends early when a write fails (the connection is gone).
  net::awaitable<void> run(WsStream& stream, WsCounters& counters);
  // Waits until fewer than `count` messages are queued, or the writer has ended.
  net::awaitable<void> wait_below(std::size_t count);
  // Waits until every queued message is written, or the writer has ended.
  net::awaitable<void> drain() { return wait_below(1); }
  // Ends the writer once any write in flight completes; queued messages are dropped.
  void close();

 private:
  struct Outgoing {
    WsMessage message;
    WsSendKind kind;
  };

  net::awaitable<bool> write_front(WsStream& stream, WsCounters& counters);
  void end();

  std::deque<Outgoing> queue_;
  bool writing_ = false;       // a message taken off the queue is being written
  net::steady_timer wake_;     // the writer waits on it for work; push() cancels it
  net::steady_timer written_;  // wait_below() waits on it; the writer cancels it after each write
  bool ended_ = false;
};

}  // namespace stampede::target
