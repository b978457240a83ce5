#include "control/stream_metrics_exporter.h"

#include "control/histogram_feed.h"
#include "control/prometheus_counter.h"

namespace stampede {

struct StreamMetricsExporter::Series {
  prometheus::Counter* streams = nullptr;
  prometheus::Counter* events = nullptr;
  prometheus::Counter* tokens = nullptr;
  HistogramFeed first_event;
  HistogramFeed gap;
  StreamStats exported;  // counters only
};

StreamMetricsExporter::StreamMetricsExporter(prometheus::Registry& registry,
                                             const prometheus::Labels& constant_labels)
    : streams_(register_family(prometheus::BuildCounter(), "stampede_sse_streams_total",
                               "Streamed responses read to their end (stream: steps).",
                               constant_labels, registry)),
      events_(register_family(prometheus::BuildCounter(), "stampede_sse_events_total",
                              "Events received on streamed responses (end markers not included).",
                              constant_labels, registry)),
      tokens_(
          register_family(prometheus::BuildCounter(), "stampede_sse_tokens_total",
                          "Tokens of streamed responses, as the step's stream.tokens counts them.",
                          constant_labels, registry)),
      first_event_(register_family(
          prometheus::BuildHistogram(), "stampede_sse_time_to_first_event_seconds",
          "From a streamed request's due time to its first event.", constant_labels, registry)),
      gap_(register_family(prometheus::BuildHistogram(), "stampede_sse_event_gap_seconds",
                           "Between consecutive events of one stream (inter-token latency).",
                           constant_labels, registry)) {}

StreamMetricsExporter::~StreamMetricsExporter() = default;

StreamMetricsExporter::Series& StreamMetricsExporter::series(std::size_t index,
                                                             const prometheus::Labels& labels) {
  auto& slot = series_[index];
  if (!slot) {
    slot = std::make_unique<Series>();
    slot->streams = &streams_.Add(labels);
    slot->events = &events_.Add(labels);
    slot->tokens = &tokens_.Add(labels);
    slot->first_event = {&first_event_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
    slot->gap = {&gap_.Add(labels, kLatencyBuckets), kLatencyBuckets, 1e-9};
  }
  return *slot;
}

void StreamMetricsExporter::update(std::size_t index, const prometheus::Labels& labels,
                                   const StreamStats& stats) {
  if (stats.empty()) return;
  Series& s = series(index, labels);
  add_increase(s.streams, stats.streams, s.exported.streams);
  add_increase(s.events, stats.events, s.exported.events);
  add_increase(s.tokens, stats.tokens, s.exported.tokens);
  s.first_event.update(stats.time_to_first_event);
  s.gap.update(stats.event_gap);
}

}  // namespace stampede
