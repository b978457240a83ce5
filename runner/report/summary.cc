#include "report/summary.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/format.h"

namespace stampede {
namespace {

std::string percentiles_line(const Histogram& h) {
  if (h.empty()) return "no data";
  return fmt::format(
      "min {}  mean {}  p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}",
      human_seconds(h.min_ns() * 1e-9), human_seconds(h.mean_ns() * 1e-9),
      human_seconds(h.percentile_seconds(50)), human_seconds(h.percentile_seconds(90)),
      human_seconds(h.percentile_seconds(95)), human_seconds(h.percentile_seconds(99)),
      human_seconds(h.percentile_seconds(99.9)), human_seconds(h.max_ns() * 1e-9));
}

void print_totals(std::FILE* out, const Result& r, const RequestStats& t) {
  const IterationCounts it = r.total_iterations();
  const double failed = t.requests ? static_cast<double>(t.failures) / t.requests : 0.0;
  fmt::print(out, "  requests      {} ({}/s)   failures {} ({})   iterations {}   dropped {}\n",
             human_count(t.requests), human_rate(r.rps()), human_count(t.failures),
             human_percent(failed), human_count(it.iterations), human_count(it.dropped));
  fmt::print(out, "  duration      {}   data sent {}   received {}\n",
             human_seconds(r.duration_seconds), human_bytes(static_cast<double>(t.bytes_sent)),
             human_bytes(static_cast<double>(t.bytes_received)));
  fmt::print(out, "  latency       {}\n", percentiles_line(t.latency));
  fmt::print(out, "  service time  {}\n", percentiles_line(t.service_time));
  fmt::print(out, "  first byte    {}\n", percentiles_line(t.waiting));
  if (!t.connecting.empty())
    fmt::print(out, "  connecting    {}\n", percentiles_line(t.connecting));
}

void print_rows(std::FILE* out, const Result& r) {
  std::size_t width = 4;
  for (const auto& row : r.rows)
    width = std::max(width, row.key.scenario.size() + row.key.name.size() + 3);
  width = std::min<std::size_t>(width, 60);
  fmt::print(out, "\n  {:<{}} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "name", width,
             "method", "requests", "fails", "rps", "p50", "p95", "p99", "max");
  for (const auto& row : r.rows) {
    const RequestStats& s = row.stats;
    const double rps = r.duration_seconds > 0 ? s.requests / r.duration_seconds : 0.0;
    std::string label = row.key.scenario + " · " + row.key.name;
    fmt::print(out, "  {:<{}} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}\n", label, width,
               row.key.method, human_count(s.requests), human_count(s.failures), human_rate(rps),
               human_seconds(s.latency.percentile_seconds(50)),
               human_seconds(s.latency.percentile_seconds(95)),
               human_seconds(s.latency.percentile_seconds(99)),
               human_seconds(s.latency.max_ns() * 1e-9));
  }
}

void print_codes(std::FILE* out, const RequestStats& t) {
  std::string codes;
  for (const auto& [code, count] : t.statuses.sorted()) {
    if (!codes.empty()) codes += "   ";
    codes += fmt::format("{}: {}", code, human_count(count));
  }
  fmt::print(out, "\n  status codes  {}\n", codes.empty() ? "none" : codes);
  std::string errors;
  for (std::size_t i = 0; i < t.errors.size(); ++i) {
    if (t.errors[i] == 0) continue;
    if (!errors.empty()) errors += "   ";
    errors += fmt::format("{}: {}", error_category_name(static_cast<ErrorCategory>(i)),
                          human_count(t.errors[i]));
  }
  fmt::print(out, "  errors        {}\n", errors.empty() ? "none" : errors);
}

void print_thresholds(std::FILE* out, const Result& r) {
  if (r.thresholds.empty()) return;
  fmt::print(out, "\n  thresholds\n");
  std::size_t metric_width = 0;
  std::size_t expression_width = 0;
  for (const auto& t : r.thresholds) {
    metric_width = std::max(metric_width, t.metric.size());
    expression_width = std::max(expression_width, t.expression.size());
  }
  for (const auto& t : r.thresholds) {
    std::string actual = "no data";
    if (t.actual) actual = t.is_time ? human_seconds(*t.actual) : fmt::format("{:.6g}", *t.actual);
    fmt::print(out, "    {}  {:<{}}  {:<{}}  actual {}\n", t.ok ? "PASS" : "FAIL", t.metric,
               metric_width, t.expression, expression_width, actual);
  }
}

}  // namespace

void print_summary(std::FILE* out, const Plan& plan, const Result& result) {
  const RequestStats totals = result.totals();
  fmt::print(
      out, "\nstampede summary{}  target {}\n\n", plan.name.empty() ? "" : " — " + plan.name,
      plan.target.url.scheme + "://" + plan.target.url.authority() + plan.target.url.base_path);
  print_totals(out, result, totals);
  print_rows(out, result);
  print_codes(out, totals);
  print_thresholds(out, result);
  if (!result.aborted_by.empty()) fmt::print(out, "\n  stopped early: {}\n", result.aborted_by);
  if (!result.thresholds.empty()) {
    fmt::print(out, "\n  result: {}\n",
               result.thresholds_ok() ? "all thresholds passed" : "THRESHOLDS FAILED");
  }
  std::fflush(out);
}

}  // namespace stampede
