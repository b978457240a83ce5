#pragma once
// The latest event of a Server-Sent Events stream, shared between the thread that publishes it
// (the engine's control thread, once per second) and the server thread's event-stream sessions,
// which poll it. Each event is a complete state (the live page's whole view), so a client only
// ever needs the newest one: a slow client skips updates instead of queueing them, and nothing
// crosses threads but this one guarded pointer.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace stampede {

class EventFeed {
 public:
  struct Event {
    std::uint64_t sequence = 0;               // 0: nothing published yet
    std::shared_ptr<const std::string> text;  // the event's wire form, "event: ...\n\n"
  };

  // Replaces the latest event with `name` carrying `data` (one line: JSON has no raw newline).
  void publish(const std::string& name, const std::string& data);
  Event latest() const;

 private:
  mutable std::mutex mutex_;
  Event latest_;
};

}  // namespace stampede
