#pragma once
// Counters of the WebSocket endpoints, reported at the top level of /__stats ("ws_..." keys) so a
// test can compare what a client saw with what the server did, exactly. Relaxed atomics: each
// count is exact on its own, and WebSocket sessions live on every server thread.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace stampede::target {

enum class WsEvent : std::size_t {
  kSessionsOpened,    // handshakes accepted
  kSessionsClosed,    // sessions ended by a completed close handshake (either side began it)
  kSessionsRefused,   // handshakes refused on purpose (?status=, or an invalid query)
  kMessagesReceived,  // whole messages read (control frames not included)
  kMessagesSent,      // whole messages written: echoes, replies and scope frames
  kFramesSent,        // scope frames written (also counted in kMessagesSent)
  kPingsReceived,     // ping control frames read
  kCount,
};

class WsCounters {
 public:
  void record(WsEvent event);

  // Zeroes every count. Sessions in flight meanwhile may count before or after the reset.
  void reset();
  // {"ws_sessions_opened": N, ...}; every key always present.
  nlohmann::json to_json() const;

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(WsEvent::kCount)> events_{};
};

}  // namespace stampede::target
