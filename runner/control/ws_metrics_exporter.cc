#include "control/ws_metrics_exporter.h"

#include "control/histogram_feed.h"
#include "control/prometheus_counter.h"

namespace stampede {

struct WsMetricsExporter::Series {
  prometheus::Counter* sessions = nullptr;
  prometheus::Counter* sent = nullptr;
  prometheus::Counter* received = nullptr;
  HistogramFeed connecting;
  HistogramFeed duration;
  HistogramFeed ping;
  HistogramFeed gap;
  WsStats exported;  // counters only
};

WsMetricsExporter::WsMetricsExporter(prometheus::Registry& registry,
                                     const prometheus::Labels& constant_labels)
    : sessions_(register_family(prometheus::BuildCounter(), "stampede_ws_sessions_total",
                                "WebSocket sessions opened (handshake answered 101).",
                                constant_labels, registry)),
      sent_(register_family(prometheus::BuildCounter(), "stampede_ws_msgs_sent_total",
                            "WebSocket data messages sent.", constant_labels, registry)),
      received_(register_family(prometheus::BuildCounter(), "stampede_ws_msgs_received_total",
                                "WebSocket data messages received.", constant_labels, registry)),
      connecting_(register_family(prometheus::BuildHistogram(), "stampede_ws_connecting_seconds",
                                  "From a session's start to its open socket (TCP, TLS, upgrade).",
                                  constant_labels, registry)),
      duration_(register_family(prometheus::BuildHistogram(),
                                "stampede_ws_session_duration_seconds",
                                "From a session's open to its close.", constant_labels, registry)),
      ping_(register_family(prometheus::BuildHistogram(), "stampede_ws_ping_seconds",
                            "Round trip of a ping action to its pong.", constant_labels, registry)),
      gap_(register_family(prometheus::BuildHistogram(), "stampede_ws_message_gap_seconds",
                           "Between consecutive messages received in one session (a feed's "
                           "jitter).",
                           constant_labels, registry)) {}

WsMetricsExporter::~WsMetricsExporter() = default;

WsMetricsExporter::Series& WsMetricsExporter::series(std::size_t index,
                                                     const prometheus::Labels& labels) {
  auto& slot = series_[index];
  if (!slot) {
    slot = std::make_unique<Series>();
    slot->sessions = &sessions_.Add(labels);
    slot->sent = &sent_.Add(labels);
    slot->received = &received_.Add(labels);
    slot->connecting = {&connecting_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
    slot->duration = {&duration_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
    slot->ping = {&ping_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
    slot->gap = {&gap_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
  }
  return *slot;
}

void WsMetricsExporter::update(std::size_t index, const prometheus::Labels& labels,
                               const WsStats& stats) {
  if (stats.empty()) return;
  Series& s = series(index, labels);
  add_increase(s.sessions, stats.sessions, s.exported.sessions);
  add_increase(s.sent, stats.msgs_sent, s.exported.msgs_sent);
  add_increase(s.received, stats.msgs_received, s.exported.msgs_received);
  s.connecting.update(stats.connecting);
  s.duration.update(stats.session_duration);
  s.ping.update(stats.ping);
  s.gap.update(stats.message_gap);
}

}  // namespace stampede
