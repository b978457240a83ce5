#include "stats/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

// `scale` turns the histogram's raw values into the reported unit (1e-9: seconds from ns).
json percentiles(const Histogram& h, double scale = 1e-9) {
  if (h.empty()) return json::object();
  const auto at = [&](double p) { return static_cast<double>(h.percentile_ns(p)) * scale; };
  return {{"count", h.count()},
          {"min", static_cast<double>(h.min_ns()) * scale},
          {"mean", h.mean_ns() * scale},
          {"stddev", h.stddev_ns() * scale},
          {"p50", at(50)},
          {"p75", at(75)},
          {"p90", at(90)},
          {"p95", at(95)},
          {"p99", at(99)},
          {"p99_9", at(99.9)},
          {"p99_99", at(99.99)},
          {"max", static_cast<double>(h.max_ns()) * scale}};
}

json status_codes(const StatusCounts& statuses) {
  json out = json::object();
  for (const auto& [code, count] : statuses.sorted()) out[std::to_string(code)] = count;
  return out;
}

json errors(const ErrorCounts& counts) {
  json out = json::object();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i]) out[std::string(error_category_name(static_cast<ErrorCategory>(i)))] = counts[i];
  }
  return out;
}

json checks_json(const std::vector<CheckCounts>& checks) {
  json out = json::array();
  for (const CheckCounts& c : checks) {
    out.push_back({{"name", c.name}, {"passes", c.passes}, {"fails", c.fails}});
  }
  return out;
}

// What a row and a stage both carry; rps is per second of `duration`.
json stats_json(const RequestStats& s, double duration) {
  return {{"requests", s.requests},
          {"failures", s.failures},
          {"rps", duration > 0 ? s.requests / duration : 0.0},
          {"bytes_sent", s.bytes_sent},
          {"bytes_received", s.bytes_received},
          {"latency_seconds", percentiles(s.latency)},
          {"service_time_seconds", percentiles(s.service_time)},
          {"status_codes", status_codes(s.statuses)},
          {"errors", errors(s.errors)},
          {"retries", s.retries},
          {"retried_statuses", status_codes(s.retried_statuses)},
          {"checks", checks_json(s.checks)},
          {"histograms",
           {{"latency", s.latency.to_json()},
            {"service_time", s.service_time.to_json()},
            {"waiting", s.waiting.to_json()},
            {"connecting", s.connecting.to_json()}}}};
}

// What `stream:` steps add to their row.
json stream_json(const StreamStats& s) {
  json histograms = json::object();
  for (const auto& [name, member] : kStreamHistograms) histograms[name] = (s.*member).to_json();
  return {{"streams", s.streams},
          {"events", s.events},
          {"tokens", s.tokens},
          {"time_to_first_event_seconds", percentiles(s.time_to_first_event)},
          {"event_gap_seconds", percentiles(s.event_gap)},
          {"duration_seconds", percentiles(s.duration)},
          {"time_per_output_token_seconds", percentiles(s.time_per_output_token)},
          {"events_per_stream", percentiles(s.events_per_stream, 1)},
          {"tokens_per_second", percentiles(s.tokens_per_second, 1 / kTokensPerSecondScale)},
          {"histograms", std::move(histograms)}};
}

// What `ws:` steps add to their row.
json ws_json(const WsStats& s) {
  json j = json::object();
  for (const auto& [name, member] : kWsCounters) j[name] = s.*member;
  json codes = json::object();
  for (const auto& [code, count] : s.close_codes.sorted()) codes[std::to_string(code)] = count;
  j["close_codes"] = std::move(codes);
  j["connecting_seconds"] = percentiles(s.connecting);
  j["session_duration_seconds"] = percentiles(s.session_duration);
  j["ping_seconds"] = percentiles(s.ping);
  j["message_gap_seconds"] = percentiles(s.message_gap);
  json histograms = json::object();
  for (const auto& [name, member] : kWsHistograms) histograms[name] = (s.*member).to_json();
  j["histograms"] = std::move(histograms);
  return j;
}

json row_json(const ResultRow& row, double duration) {
  json j = {{"scenario", row.key.scenario}, {"name", row.key.name}, {"method", row.key.method}};
  j.update(stats_json(row.stats, duration));
  if (!row.stats.stream.empty()) j["stream"] = stream_json(row.stats.stream);
  if (!row.stats.ws.empty()) j["ws"] = ws_json(row.stats.ws);
  return j;
}

json stage_json(const StageStats& stage) {
  json j = {{"name", stage.name}, {"duration_seconds", stage.duration_seconds}};
  j.update(stats_json(stage.stats, stage.duration_seconds));
  return j;
}

// A trend's percentiles in the metric's unit (ms, s or the plain number).
json trend_stats(const CustomMetricStats& m, const Histogram& h) {
  if (h.empty()) return json::object();
  auto in_unit = [&](double raw) { return custom_trend_value(m, raw); };
  return {{"min", in_unit(static_cast<double>(h.min_ns()))},
          {"mean", in_unit(h.mean_ns())},
          {"stddev", in_unit(h.stddev_ns())},
          {"p50", in_unit(static_cast<double>(h.percentile_ns(50)))},
          {"p90", in_unit(static_cast<double>(h.percentile_ns(90)))},
          {"p95", in_unit(static_cast<double>(h.percentile_ns(95)))},
          {"p99", in_unit(static_cast<double>(h.percentile_ns(99)))},
          {"max", in_unit(static_cast<double>(h.max_ns()))}};
}

json custom_json(const CustomMetricStats& m, double duration) {
  const bool trend = m.kind == CustomMetricStats::Kind::kTrend;
  json values = json::array();
  for (const CustomValueStats& v : m.values) {
    json value = {{"value", v.value}, {"count", v.count}};
    if (trend) {
      value["stats"] = trend_stats(m, v.histogram);
      value["histogram"] = v.histogram.to_json();
    } else {
      value["rate"] = duration > 0 ? static_cast<double>(v.count) / duration : 0.0;
    }
    values.push_back(std::move(value));
  }
  return {{"name", m.name},
          {"kind", trend ? "trend" : "counter"},
          {"unit", m.unit},
          {"values", std::move(values)}};
}

json checks_total(const RequestStats& t) {
  std::uint64_t passes = 0;
  std::uint64_t fails = 0;
  for (const CheckCounts& c : t.checks) {
    passes += c.passes;
    fails += c.fails;
  }
  const std::uint64_t total = passes + fails;
  return {{"passes", passes},
          {"fails", fails},
          {"rate", total ? json(static_cast<double>(passes) / total) : json(nullptr)}};
}

json totals_json(const Result& r, const RequestStats& t) {
  const IterationCounts it = r.total_iterations();
  return {{"requests", t.requests},
          {"failures", t.failures},
          {"failure_rate", t.requests ? static_cast<double>(t.failures) / t.requests : 0.0},
          {"dropped", it.dropped},
          {"iterations", it.iterations},
          {"rps", r.rps()},
          {"duration_seconds", r.duration_seconds},
          {"bytes_sent", t.bytes_sent},
          {"bytes_received", t.bytes_received},
          {"retries", t.retries}};
}

json meta_json(const ResultMeta& m) {
  json stages = json::array();
  for (const StageSpan& s : m.stages) {
    stages.push_back(
        {{"name", s.name}, {"start_seconds", s.start_seconds}, {"end_seconds", s.end_seconds}});
  }
  return {{"target", m.target},         {"load", m.load},         {"profile", m.profile},
          {"version", m.version},       {"ended_at", m.ended_at}, {"runners", m.runners},
          {"stages", std::move(stages)}};
}

}  // namespace

json threshold_to_json(const ThresholdOutcome& th) {
  json j = {{"metric", th.metric},
            {"expression", th.expression},
            {"actual", th.actual ? json(*th.actual) : json(nullptr)},
            {"ok", th.ok}};
  if (th.bound) j["bound"] = *th.bound;
  if (th.utilization) j["utilization"] = *th.utilization;
  if (th.is_time) j["unit"] = "s";  // actual and bound are durations (reports format them so)
  return j;
}

// A setup or teardown: its outcome and its requests' rows (rates over the phase's own length).
json phase_to_json(const PhaseResult& phase) {
  json j = {{"ok", phase.ok}, {"duration_seconds", phase.duration_seconds}};
  if (!phase.ok) j["error"] = phase.error;
  json& rows = j["requests"] = json::array();
  for (const auto& row : phase.rows) rows.push_back(row_json(row, phase.duration_seconds));
  return j;
}

json series_point_json(const TimeSeriesPoint& p) {
  return {{"t", p.elapsed_seconds}, {"users", p.users},     {"requests", p.requests},
          {"failures", p.failures}, {"p50", p.p50_seconds}, {"p95", p.p95_seconds},
          {"p99", p.p99_seconds}};
}

json result_to_json(const Result& r) {
  const RequestStats t = r.totals();
  json j = {{"schema", kResultSchema},
            {"plan", r.plan_name},
            {"testid", r.testid},
            {"runner", r.runner},
            {"started_at", r.started_at},
            {"totals", totals_json(r, t)},
            {"latency_seconds", percentiles(t.latency)},
            {"service_time_seconds", percentiles(t.service_time)},
            {"waiting_seconds", percentiles(t.waiting)},
            {"connecting_seconds", percentiles(t.connecting)},
            {"status_codes", status_codes(t.statuses)},
            {"errors", errors(t.errors)},
            {"retried_statuses", status_codes(t.retried_statuses)},
            {"checks", checks_total(t)}};
  if (!r.aborted_by.empty()) j["aborted_by"] = r.aborted_by;
  json& rows = j["requests"] = json::array();
  for (const auto& row : r.rows) rows.push_back(row_json(row, r.duration_seconds));
  json& iterations = j["iterations"] = json::object();
  for (const auto& [scenario, c] : r.iterations) {
    iterations[scenario] = {{"iterations", c.iterations}, {"dropped", c.dropped}};
  }
  json& series = j["series"] = json::array();
  for (const auto& p : r.series) series.push_back(series_point_json(p));
  json& stages = j["stages"] = json::array();
  for (const auto& stage : r.stages) stages.push_back(stage_json(stage));
  json& custom = j["custom"] = json::array();
  for (const auto& metric : r.custom) custom.push_back(custom_json(metric, r.duration_seconds));
  if (!r.windows.empty()) {
    json& windows = j["windows"] = json::array();
    for (const WindowSeries& w : r.windows) {
      json entry = w.counts.to_json();
      entry["selector"] = w.selector;
      windows.push_back(std::move(entry));
    }
  }
  if (!r.user_windows.empty()) {
    json& peaks = j["userWindows"] = json::array();
    for (const UserWindowPeak& p : r.user_windows) {
      peaks.push_back({{"selector", p.selector},
                       {"windowSeconds", p.window_seconds},
                       {"maxCount", p.max_count}});
    }
  }
  if (!r.limits.empty()) {
    json& limits = j["limits"] = json::array();
    for (const LimitStats& limit : r.limits) limits.push_back(limit.to_json());
  }
  if (r.adaptive_users) j["adaptiveUsers"] = r.adaptive_users->to_json();
  if (!r.generators.empty()) {
    json& generators = j["generators"] = json::array();
    for (const GeneratorStats& g : r.generators) generators.push_back(g.to_json());
  }
  json& thresholds = j["thresholds"] = json::array();
  for (const auto& th : r.thresholds) {
    thresholds.push_back(threshold_to_json(th));
  }
  j["thresholds_ok"] = r.thresholds_ok();
  j["meta"] = meta_json(r.meta);
  if (r.setup) j["setup"] = phase_to_json(*r.setup);
  if (r.teardown) j["teardown"] = phase_to_json(*r.teardown);
  return j;
}

}  // namespace stampede
