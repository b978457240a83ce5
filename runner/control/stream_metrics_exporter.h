#pragma once
// Prometheus series of `stream:` steps (SSE and NDJSON), per row (scenario, name, method):
//   stampede_sse_streams_total, stampede_sse_events_total, stampede_sse_tokens_total
//   stampede_sse_time_to_first_event_seconds and stampede_sse_event_gap_seconds (histograms)
// A row gets its series with its first stream event, so plans without streams export none.
// Updated from the control thread's cumulative snapshots, like the rest of MetricsExporter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <vector>

#include "stats/request_stats.h"

namespace stampede {

class StreamMetricsExporter {
 public:
  // `constant_labels` (testid, runner) go on every family.
  StreamMetricsExporter(prometheus::Registry& registry, const prometheus::Labels& constant_labels);
  ~StreamMetricsExporter();
  StreamMetricsExporter(const StreamMetricsExporter&) = delete;
  StreamMetricsExporter& operator=(const StreamMetricsExporter&) = delete;

  // Row `index` (labels: scenario, name, method) now has these cumulative statistics.
  void update(std::size_t index, const prometheus::Labels& labels, const StreamStats& stats);

 private:
  struct Series;
  Series& series(std::size_t index, const prometheus::Labels& labels);

  prometheus::Family<prometheus::Counter>& streams_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Family<prometheus::Histogram>& first_event_;
  prometheus::Family<prometheus::Histogram>& gap_;
  std::map<std::size_t, std::unique_ptr<Series>> series_;
};

}  // namespace stampede
