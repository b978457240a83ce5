#include "target/ws_outbox.h"

#include <utility>

namespace stampede::target {
namespace {

// Timers used as signals: they wait "forever" until cancel() wakes the waiter.
void wait_forever(net::steady_timer& timer) {
  timer.expires_at(net::steady_timer::time_point::max());
}

}  // namespace

WsOutbox::WsOutbox(const net::any_io_executor& executor) : wake_(executor), written_(executor) {}

void WsOutbox::push(WsMessage message, WsSendKind kind) {
  if (ended_) return;
  queue_.push_back({std::move(message), kind});
  wake_.cancel();
}

net::awaitable<void> WsOutbox::run(WsStream& stream, WsCounters& counters) {
  while (!ended_) {
    if (queue_.empty()) {
      error_code ec;
      wait_forever(wake_);
      co_await wake_.async_wait(with_ec(ec));
      continue;  // woken by push() or close(): look again
    }
    if (!co_await write_front(stream, counters)) break;
    written_.cancel();
  }
  end();
}

// Writes the front message; false when the write failed. The message leaves the queue first: it
// must outlive the write even if close() clears the queue meanwhile.
net::awaitable<bool> WsOutbox::write_front(WsStream& stream, WsCounters& counters) {
  const Outgoing current = std::move(queue_.front());
  queue_.pop_front();
  writing_ = true;
  stream.text(!current.message.binary);
  error_code ec;
  co_await stream.async_write(net::buffer(current.message.payload), with_ec(ec));
  writing_ = false;
  if (ec) co_return false;
  counters.record(WsEvent::kMessagesSent);
  if (current.kind == WsSendKind::kFrame) counters.record(WsEvent::kFramesSent);
  co_return true;
}

net::awaitable<void> WsOutbox::wait_below(std::size_t count) {
  while (!ended_ && size() >= count) {
    error_code ec;
    wait_forever(written_);
    co_await written_.async_wait(with_ec(ec));
  }
}

void WsOutbox::close() {
  end();
}

void WsOutbox::end() {
  ended_ = true;
  queue_.clear();
  wake_.cancel();
  written_.cancel();
}

}  // namespace stampede::target
