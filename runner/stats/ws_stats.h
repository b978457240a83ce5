#pragma once
// What WebSocket sessions (`ws:` steps) add to their row, with k6's metric names where k6 has
// one (ws_sessions, ws_msgs_sent, ws_msgs_received, ws_connecting, ws_session_duration,
// ws_ping) and the gap between received messages, which k6 lacks: the jitter of a feed. The
// reply time of a named send/receive pair is the latency of that pair's own row (method REPLY).

#include <array>
#include <cstdint>
#include <utility>

#include "stats/histogram.h"
#include "stats/status_counts.h"

namespace stampede {

struct WsStats {
  std::uint64_t sessions = 0;       // sessions opened (handshake answered 101)
  std::uint64_t msgs_sent = 0;      // data messages sent (not control frames)
  std::uint64_t msgs_received = 0;  // data messages received
  std::uint64_t pings = 0;          // pings sent by `ping` actions
  std::uint64_t pongs = 0;          // pongs received for them
  // How sessions ended: the code of the close frame the server sent (in reply to ours or on its
  // own), 1006 when the connection ended without one.
  StatusCounts close_codes;
  Histogram connecting;        // from the session's start to the open socket (TCP, TLS, upgrade)
  Histogram session_duration;  // from open to closed
  Histogram ping;              // round trip of a ping to its pong
  Histogram message_gap;       // between consecutive messages received in one session

  bool empty() const { return sessions == 0 && msgs_received == 0 && msgs_sent == 0; }

  void merge(const WsStats& other);
};

// The histograms by their names in the result JSON (result_json.cc, result_parse.cc).
inline constexpr std::array<std::pair<const char*, Histogram WsStats::*>, 4> kWsHistograms = {
    {{"connecting", &WsStats::connecting},
     {"session_duration", &WsStats::session_duration},
     {"ping", &WsStats::ping},
     {"message_gap", &WsStats::message_gap}}};

// The counters by their names in the result JSON.
inline constexpr std::array<std::pair<const char*, std::uint64_t WsStats::*>, 5> kWsCounters = {
    {{"sessions", &WsStats::sessions},
     {"msgs_sent", &WsStats::msgs_sent},
     {"msgs_received", &WsStats::msgs_received},
     {"pings", &WsStats::pings},
     {"pongs", &WsStats::pongs}}};

}  // namespace stampede
