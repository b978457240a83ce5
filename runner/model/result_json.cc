#include "model/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

json percentiles(const Histogram& h) {
  if (h.empty()) return json::object();
  return {{"count", h.count()},
          {"min", h.min_ns() * 1e-9},
          {"mean", h.mean_ns() * 1e-9},
          {"p50", h.percentile_seconds(50)},
          {"p75", h.percentile_seconds(75)},
          {"p90", h.percentile_seconds(90)},
          {"p95", h.percentile_seconds(95)},
          {"p99", h.percentile_seconds(99)},
          {"p99_9", h.percentile_seconds(99.9)},
          {"p99_99", h.percentile_seconds(99.99)},
          {"max", h.max_ns() * 1e-9}};
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

json row_json(const ResultRow& row, double duration) {
  const RequestStats& s = row.stats;
  return {{"scenario", row.key.scenario},
          {"name", row.key.name},
          {"method", row.key.method},
          {"requests", s.requests},
          {"failures", s.failures},
          {"rps", duration > 0 ? s.requests / duration : 0.0},
          {"bytes_sent", s.bytes_sent},
          {"bytes_received", s.bytes_received},
          {"latency_seconds", percentiles(s.latency)},
          {"service_time_seconds", percentiles(s.service_time)},
          {"status_codes", status_codes(s.statuses)},
          {"errors", errors(s.errors)},
          {"histograms",
           {{"latency", s.latency.to_json()},
            {"service_time", s.service_time.to_json()},
            {"waiting", s.waiting.to_json()},
            {"connecting", s.connecting.to_json()}}}};
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
          {"bytes_received", t.bytes_received}};
}

}  // namespace

json threshold_to_json(const ThresholdOutcome& th) {
  return {{"metric", th.metric},
          {"expression", th.expression},
          {"actual", th.actual ? json(*th.actual) : json(nullptr)},
          {"ok", th.ok}};
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
            {"errors", errors(t.errors)}};
  if (!r.aborted_by.empty()) j["aborted_by"] = r.aborted_by;
  json& rows = j["requests"] = json::array();
  for (const auto& row : r.rows) rows.push_back(row_json(row, r.duration_seconds));
  json& iterations = j["iterations"] = json::object();
  for (const auto& [scenario, c] : r.iterations) {
    iterations[scenario] = {{"iterations", c.iterations}, {"dropped", c.dropped}};
  }
  json& series = j["series"] = json::array();
  for (const auto& p : r.series) {
    series.push_back({{"t", p.elapsed_seconds},
                      {"users", p.users},
                      {"requests", p.requests},
                      {"failures", p.failures},
                      {"p50", p.p50_seconds},
                      {"p95", p.p95_seconds},
                      {"p99", p.p99_seconds}});
  }
  json& thresholds = j["thresholds"] = json::array();
  for (const auto& th : r.thresholds) {
    thresholds.push_back(threshold_to_json(th));
  }
  j["thresholds_ok"] = r.thresholds_ok();
  return j;
}

}  // namespace stampede
