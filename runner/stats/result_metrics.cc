// Threshold evaluation over a Result: maps k6 metric names onto the rows' statistics, the named
// stages' statistics ({stage:NAME}) and the plan's custom metrics.
#include <algorithm>
#include <cmath>
#include <string_view>

#include "stats/result.h"
#include "stats/selector_filter.h"

namespace stampede {
namespace {

const Histogram& trend_of(const RequestStats& stats, std::string_view metric) {
  if (metric == "http_req_service_time") return stats.service_time;
  if (metric == "http_req_waiting") return stats.waiting;
  if (metric == "http_req_connecting") return stats.connecting;
  return stats.latency;
}

// `scale` turns the histogram's raw values into the metric's unit (1e-9: nanoseconds to seconds).
std::optional<double> trend_value(const Histogram& h, const Aggregation& aggregation,
                                  double scale = 1e-9) {
  using Kind = Aggregation::Kind;
  if (aggregation.kind == Kind::kCount) return static_cast<double>(h.count());
  if (h.empty()) return std::nullopt;
  switch (aggregation.kind) {
    case Kind::kAvg:
      return h.mean_ns() * scale;
    case Kind::kStddev:
      return h.stddev_ns() * scale;
    case Kind::kMin:
      return static_cast<double>(h.min_ns()) * scale;
    case Kind::kMax:
      return static_cast<double>(h.max_ns()) * scale;
    case Kind::kMed:
      return static_cast<double>(h.percentile_ns(50)) * scale;
    case Kind::kPercentile:
      return static_cast<double>(h.percentile_ns(aggregation.percentile)) * scale;
    default:
      return std::nullopt;
  }
}

// count and rate of a counter: rate per second of the run.
std::optional<double> counter_value(double count, double duration, const Aggregation& a) {
  if (a.kind == Aggregation::Kind::kCount) return count;
  if (a.kind == Aggregation::Kind::kRate) {
    if (duration <= 0) return std::nullopt;
    return count / duration;
  }
  return std::nullopt;
}

// count and rate of a share: rate is a fraction of `total`.
std::optional<double> share_value(double count, double total, const Aggregation& a) {
  if (a.kind == Aggregation::Kind::kCount) return count;
  if (a.kind == Aggregation::Kind::kRate) {
    if (total <= 0) return std::nullopt;
    return count / total;
  }
  return std::nullopt;
}

// The share of check evaluations that passed, of the checks `filter` selects.
std::optional<double> checks_value(const RequestStats& stats, const SelectorFilter& filter,
                                   const Aggregation& a) {
  std::uint64_t passes = 0;
  std::uint64_t total = 0;
  for (const CheckCounts& check : stats.checks) {
    if (filter.check && *filter.check != check.name) continue;
    passes += check.passes;
    total += check.passes + check.fails;
  }
  return share_value(static_cast<double>(passes), static_cast<double>(total), a);
}

// A custom metric; absent from the result it has no values, so counts are 0 and trends have no
// data, as for the built-in metrics.
std::optional<double> custom_value(const CustomMetricStats* metric, const SelectorFilter& filter,
                                   double duration, const Aggregation& a) {
  std::uint64_t count = 0;
  Histogram merged;
  const bool trend = metric && metric->kind == CustomMetricStats::Kind::kTrend;
  if (metric) {
    for (const CustomValueStats& v : metric->values) {
      if (filter.value && *filter.value != v.value) continue;
      count += v.count;
      if (trend) merged.merge(v.histogram);
    }
  }
  if (!trend || a.kind == Aggregation::Kind::kCount) {
    return counter_value(static_cast<double>(count), duration, a);
  }
  const bool time = metric->unit == "ms" || metric->unit == "s";
  return trend_value(merged, a, time ? 1e-9 : 1 / kPlainTrendScale);
}

const CustomMetricStats* find_custom(const Result& result, std::string_view name) {
  auto it = std::find_if(result.custom.begin(), result.custom.end(),
                         [&](const CustomMetricStats& m) { return m.name == name; });
  return it == result.custom.end() ? nullptr : &*it;
}

// The sse_* metrics of `stream:` steps.
std::optional<double> stream_value(const StreamStats& stream, std::string_view metric,
                                   double duration, const Aggregation& aggregation) {
  if (metric == "sse_streams") return counter_value(stream.streams, duration, aggregation);
  if (metric == "sse_events") return counter_value(stream.events, duration, aggregation);
  if (metric == "sse_tokens") return counter_value(stream.tokens, duration, aggregation);
  if (metric == "sse_tokens_per_second") {
    return trend_value(stream.tokens_per_second, aggregation, 1 / kTokensPerSecondScale);
  }
  if (metric == "sse_events_per_stream")
    return trend_value(stream.events_per_stream, aggregation, 1);
  if (metric == "sse_event_gap") return trend_value(stream.event_gap, aggregation);
  if (metric == "sse_stream_duration") return trend_value(stream.duration, aggregation);
  if (metric == "sse_time_per_output_token") {
    return trend_value(stream.time_per_output_token, aggregation);
  }
  return trend_value(stream.time_to_first_event, aggregation);
}

// The ws_* metrics of `ws:` steps (ws_reply_time is the latency of REPLY rows: stats_value).
std::optional<double> ws_value(const WsStats& ws, std::string_view metric, double duration,
                               const Aggregation& aggregation) {
  if (metric == "ws_sessions") return counter_value(ws.sessions, duration, aggregation);
  if (metric == "ws_msgs_sent") return counter_value(ws.msgs_sent, duration, aggregation);
  if (metric == "ws_msgs_received") return counter_value(ws.msgs_received, duration, aggregation);
  if (metric == "ws_session_duration") return trend_value(ws.session_duration, aggregation);
  if (metric == "ws_ping") return trend_value(ws.ping, aggregation);
  if (metric == "ws_message_gap") return trend_value(ws.message_gap, aggregation);
  return trend_value(ws.connecting, aggregation);
}

// A built-in metric of the statistics `stats` (rows or a stage) over `duration` seconds.
std::optional<double> stats_value(const RequestStats& stats, std::string_view metric,
                                  const SelectorFilter& filter, double duration,
                                  const Aggregation& aggregation) {
  const double requests = static_cast<double>(stats.requests);
  if (metric == "http_req_failed") return share_value(stats.failures, requests, aggregation);
  if (metric == "http_req_status") {
    if (!filter.status) return std::nullopt;
    return share_value(filter.status_count(stats.statuses), requests, aggregation);
  }
  if (metric == "http_reqs") {
    double count = filter.status ? filter.status_count(stats.statuses) : requests;
    return counter_value(count, duration, aggregation);
  }
  if (metric == "http_req_retries") {
    double count = filter.status ? filter.status_count(stats.retried_statuses) : stats.retries;
    return counter_value(count, duration, aggregation);
  }
  if (metric == "checks") return checks_value(stats, filter, aggregation);
  if (metric == "data_sent") return counter_value(stats.bytes_sent, duration, aggregation);
  if (metric == "data_received") return counter_value(stats.bytes_received, duration, aggregation);
  if (metric.starts_with("sse_")) return stream_value(stats.stream, metric, duration, aggregation);
  if (metric == "ws_reply_time") return trend_value(stats.latency, aggregation);
  if (metric.starts_with("ws_")) return ws_value(stats.ws, metric, duration, aggregation);
  return trend_value(trend_of(stats, metric), aggregation);
}

// max_count(W) and max_rate(W): the busiest window of the selector's recorded send times (the
// engine records them for exactly the selectors windowed thresholds name). nullopt when the
// result has no series for it (a result from a runner that did not record it).
std::optional<double> window_value(const Result& result, const MetricSelector& selector,
                                   const Aggregation& aggregation) {
  const std::string key = selector.to_string();
  if (aggregation.per_user) {
    // max_count_per_user(W): the busiest user's own peak, recorded by the engine per window.
    auto peak = std::find_if(
        result.user_windows.begin(), result.user_windows.end(), [&](const UserWindowPeak& p) {
          return p.selector == key && std::llround(p.window_seconds * 1e9) ==
                                          std::llround(aggregation.window_seconds * 1e9);
        });
    if (peak == result.user_windows.end()) return std::nullopt;
    return static_cast<double>(peak->max_count);
  }
  auto it = std::find_if(result.windows.begin(), result.windows.end(),
                         [&](const WindowSeries& w) { return w.selector == key; });
  if (it == result.windows.end()) return std::nullopt;
  const auto window_ns = static_cast<std::uint64_t>(std::llround(aggregation.window_seconds * 1e9));
  return static_cast<double>(it->counts.max_in_window(window_ns));
}

}  // namespace

std::optional<double> ResultMetrics::value(const MetricSelector& selector,
                                           const Aggregation& aggregation) const {
  if (aggregation.windowed()) return window_value(result_, selector, aggregation);
  const std::string_view metric = selector.metric;
  const SelectorFilter filter(selector);
  if (metric == "iterations" || metric == "dropped_iterations") {
    double count = 0;
    for (const auto& [scenario, counts] : result_.iterations) {
      if (filter.scenario && *filter.scenario != scenario) continue;
      count += metric == "iterations" ? counts.iterations : counts.dropped;
    }
    return counter_value(count, result_.duration_seconds, aggregation);
  }
  if (find_metric(metric) == nullptr) {
    return custom_value(find_custom(result_, metric), filter, result_.duration_seconds,
                        aggregation);
  }
  RequestStats rows;
  const RequestStats* stats = &rows;
  double duration = result_.duration_seconds;
  if (filter.stage) {
    auto stage = std::find_if(result_.stages.begin(), result_.stages.end(),
                              [&](const StageStats& s) { return s.name == *filter.stage; });
    if (stage == result_.stages.end()) return std::nullopt;  // the run never reached it
    stats = &stage->stats;
    duration = stage->duration_seconds;
  } else {
    // ws_reply_time reads only the REPLY rows, whose latency is a reply's time.
    const bool replies = metric == "ws_reply_time";
    for (const auto& row : result_.rows) {
      if (filter.matches(row.key) && (!replies || row.key.method == "REPLY")) {
        rows.merge(row.stats);
      }
    }
  }
  return stats_value(*stats, metric, filter, duration, aggregation);
}

}  // namespace stampede
