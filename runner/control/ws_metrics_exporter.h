#pragma once
// Prometheus series of `ws:` steps (WebSocket sessions), per row (scenario, name, method):
//   stampede_ws_sessions_total, stampede_ws_msgs_sent_total, stampede_ws_msgs_received_total,
//   stampede_ws_connecting_seconds, stampede_ws_session_duration_seconds,
//   stampede_ws_ping_seconds and stampede_ws_message_gap_seconds (histograms).
// The reply time of named send/receive pairs is the request latency of their REPLY rows
// (stampede_request_duration_seconds{method="REPLY"}). A row gets its series with its first
// session, so plans without WebSocket steps export none. Updated from the control thread's
// cumulative snapshots, like the rest of MetricsExporter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>

#include "stats/ws_stats.h"

namespace stampede {

class WsMetricsExporter {
 public:
  // `constant_labels` (testid, runner) go on every family.
  WsMetricsExporter(prometheus::Registry& registry, const prometheus::Labels& constant_labels);
  ~WsMetricsExporter();
  WsMetricsExporter(const WsMetricsExporter&) = delete;
  WsMetricsExporter& operator=(const WsMetricsExporter&) = delete;

  // Row `index` (labels: scenario, name, method) now has these cumulative statistics.
  void update(std::size_t index, const prometheus::Labels& labels, const WsStats& stats);

 private:
  struct Series;
  Series& series(std::size_t index, const prometheus::Labels& labels);

  prometheus::Family<prometheus::Counter>& sessions_;
  prometheus::Family<prometheus::Counter>& sent_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Histogram>& connecting_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Histogram>& ping_;
  prometheus::Family<prometheus::Histogram>& gap_;
  std::map<std::size_t, std::unique_ptr<Series>> series_;
};

}  // namespace stampede
