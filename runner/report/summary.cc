#include "report/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "report/format.h"
#include "report/generator_summary.h"

namespace stampede {
namespace {

std::string percentiles_line(const Histogram& h) {
  if (h.empty()) return "no data";
  return fmt::format("min {}  mean {} ±{}  p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}",
                     human_seconds(h.min_ns() * 1e-9), human_seconds(h.mean_ns() * 1e-9),
                     human_seconds(h.stddev_ns() * 1e-9), human_seconds(h.percentile_seconds(50)),
                     human_seconds(h.percentile_seconds(90)),
                     human_seconds(h.percentile_seconds(95)),
                     human_seconds(h.percentile_seconds(99)),
                     human_seconds(h.percentile_seconds(99.9)), human_seconds(h.max_ns() * 1e-9));
}

void print_totals(std::FILE* out, const Result& r, const RequestStats& t) {
  const IterationCounts it = r.total_iterations();
  const double failed = t.requests ? static_cast<double>(t.failures) / t.requests : 0.0;
  fmt::print(out, "  requests      {} ({}/s)   failures {} ({})   iterations {}   dropped {}\n",
             human_count(t.requests), human_rate(r.rps()), human_count(t.failures),
             human_percent(failed), human_count(it.iterations), human_count(it.dropped));
  if (t.retries > 0) {
    std::string by_status;
    for (const auto& [code, count] : t.retried_statuses.sorted()) {
      by_status +=
          fmt::format("{}{}: {}", by_status.empty() ? "" : "   ", code, human_count(count));
    }
    fmt::print(out, "  retries       {}   ({})\n", human_count(t.retries), by_status);
  }
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
  // The retries column appears only when a retry happened.
  const bool retries = std::any_of(r.rows.begin(), r.rows.end(),
                                   [](const ResultRow& row) { return row.stats.retries > 0; });
  fmt::print(out, "\n  {:<{}} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}{}\n",
             "name", width, "method", "requests", "fails", "rps", "mean", "stddev", "p50", "p95",
             "p99", "max", retries ? fmt::format(" {:>8}", "retries") : "");
  for (const auto& row : r.rows) {
    const RequestStats& s = row.stats;
    const double rps = r.duration_seconds > 0 ? s.requests / r.duration_seconds : 0.0;
    std::string label = row.key.scenario + " · " + row.key.name;
    fmt::print(
        out, "  {:<{}} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}{}\n", label,
        width, row.key.method, human_count(s.requests), human_count(s.failures), human_rate(rps),
        human_seconds(s.latency.mean_ns() * 1e-9), human_seconds(s.latency.stddev_ns() * 1e-9),
        human_seconds(s.latency.percentile_seconds(50)),
        human_seconds(s.latency.percentile_seconds(95)),
        human_seconds(s.latency.percentile_seconds(99)), human_seconds(s.latency.max_ns() * 1e-9),
        retries ? fmt::format(" {:>8}", human_count(s.retries)) : "");
  }
}

// k6's checks block: the overall pass rate, then each check of each row, marked ✓ when every
// evaluation passed and ✗ otherwise.
void print_checks(std::FILE* out, const Result& r) {
  std::vector<std::pair<std::string, const CheckCounts*>> checks;
  std::uint64_t passes = 0;
  std::uint64_t fails = 0;
  std::size_t width = 0;
  for (const auto& row : r.rows) {
    for (const CheckCounts& c : row.stats.checks) {
      checks.emplace_back(row.key.scenario + " · " + row.key.name + " · " + c.name, &c);
      width = std::max(width, checks.back().first.size());
      passes += c.passes;
      fails += c.fails;
    }
  }
  if (checks.empty()) return;
  auto rate = [](std::uint64_t p, std::uint64_t f) {
    return p + f ? human_percent(static_cast<double>(p) / static_cast<double>(p + f)) : "-";
  };
  fmt::print(out, "\n  checks        {}   ✓ {}   ✗ {}\n", rate(passes, fails), human_count(passes),
             human_count(fails));
  width = std::min<std::size_t>(width, 70);
  for (const auto& [label, c] : checks) {
    fmt::print(out, "    {} {:<{}} {:>8}   ✓ {:<9} ✗ {}\n", c->fails ? "✗" : "✓", label, width,
               rate(c->passes, c->fails), human_count(c->passes), human_count(c->fails));
  }
}

// Named load stages: the requests started during each.
void print_stages(std::FILE* out, const Result& r) {
  if (r.stages.empty()) return;
  std::size_t width = 5;
  for (const auto& stage : r.stages) width = std::max(width, stage.name.size());
  fmt::print(out, "\n  {:<{}} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9}\n", "stage", width, "requests",
             "fails", "rps", "p50", "p95", "p99");
  for (const auto& stage : r.stages) {
    const RequestStats& s = stage.stats;
    const std::string rps =
        stage.duration_seconds > 0 ? human_rate(s.requests / stage.duration_seconds) : "-";
    auto p = [&](double percentile) {
      return s.latency.empty() ? "-" : human_seconds(s.latency.percentile_seconds(percentile));
    };
    fmt::print(out, "  {:<{}} {:>10} {:>8} {:>9} {:>9} {:>9} {:>9}\n", stage.name, width,
               human_count(s.requests), human_count(s.failures), rps, p(50), p(95), p(99));
  }
}

// `limits:` entries: what each let through (and at what rate), held back and skipped; an
// adaptive one also where its rate ended and how often the target pushed it down.
void print_limits(std::FILE* out, const Result& r) {
  if (r.limits.empty()) return;
  std::size_t width = 5;
  auto label = [](const LimitStats& l) { return l.selector + (l.per_user ? " per user" : ""); };
  for (const LimitStats& l : r.limits) width = std::max(width, label(l).size());
  width = std::min<std::size_t>(width, 60);
  fmt::print(out, "\n  {:<{}} {:>10} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}\n", "limit", width,
             "requests", "achieved", "delayed", "skipped", "waited", "throttled", "rate");
  for (const LimitStats& l : r.limits) {
    const std::string achieved =
        r.duration_seconds > 0 ? human_rate(l.requests / r.duration_seconds) + "/s" : "-";
    std::string rate = l.configured_rate > 0 ? human_rate(l.configured_rate) + "/s" : "none";
    if (l.adaptive) rate = l.rate > 0 ? human_rate(l.rate) + "/s" : "unlimited";
    fmt::print(out, "  {:<{}} {:>10} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}\n", label(l), width,
               human_count(l.requests), achieved, human_count(l.delayed), human_count(l.skipped),
               human_seconds(l.delay_seconds), human_seconds(l.throttled_seconds), rate);
    if (!l.adaptive) continue;
    const std::string lowest = l.lowest_rate > 0 ? human_rate(l.lowest_rate) + "/s" : "-";
    fmt::print(out,
               "  {:<{}}   adaptive: {} signals, {} decreases (lowest {}), {} Retry-After "
               "pauses\n",
               "", width, human_count(l.signals), human_count(l.decreases), lowest,
               human_count(l.pauses));
  }
}

// A closed model's `load.adaptive`: the users the target's signals let run.
void print_adaptive_users(std::FILE* out, const Result& r) {
  if (!r.adaptive_users) return;
  const AdaptiveUsersStats& a = *r.adaptive_users;
  const std::string lowest =
      a.decreases > 0 ? fmt::format(" (lowest {:g})", a.lowest_users) : std::string();
  fmt::print(out,
             "\n  adaptive users  {:g} planned, {:g} at the end{}; {} signals, {} decreases, "
             "fewer than planned for {}\n",
             a.planned_users, a.users, lowest, human_count(a.signals), human_count(a.decreases),
             human_seconds(a.throttled_seconds));
}

// The width of the "scenario · name" column over the rows `shown` picks (at least `header`'s,
// at most 60); nullopt when it picks none.
template <class Shown>
std::optional<std::size_t> label_width(const Result& r, std::size_t header, Shown shown) {
  std::optional<std::size_t> width;
  for (const auto& row : r.rows) {
    if (!shown(row)) continue;
    width = std::max(width.value_or(header), row.key.scenario.size() + row.key.name.size() + 3);
  }
  if (width) width = std::min<std::size_t>(*width, 60);
  return width;
}

// `stream:` rows: time to first event, gap between events, time per output token (p50 / p95)
// and tokens per second (p50), as LLM serving benchmarks report them.
void print_streams(std::FILE* out, const Result& r) {
  const std::optional<std::size_t> shown =
      label_width(r, 6, [](const ResultRow& row) { return !row.stats.stream.empty(); });
  if (!shown) return;
  const std::size_t width = *shown;
  auto p = [](const Histogram& h, double percentile) {
    return h.empty() ? std::string("-") : human_seconds(h.percentile_seconds(percentile));
  };
  fmt::print(out, "\n  {:<{}} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "stream", width,
             "streams", "events", "ttfe p50", "ttfe p95", "gap p50", "gap p95", "tpot p50",
             "tok/s p50");
  for (const auto& row : r.rows) {
    const StreamStats& s = row.stats.stream;
    if (s.empty()) continue;
    const std::string tokens =
        s.tokens_per_second.empty()
            ? "-"
            : fmt::format("{:.4g}", static_cast<double>(s.tokens_per_second.percentile_ns(50)) /
                                        kTokensPerSecondScale);
    fmt::print(out, "  {:<{}} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n",
               row.key.scenario + " · " + row.key.name, width, human_count(s.streams),
               human_count(s.events), p(s.time_to_first_event, 50), p(s.time_to_first_event, 95),
               p(s.event_gap, 50), p(s.event_gap, 95), p(s.time_per_output_token, 50), tokens);
  }
}

// `ws:` rows: sessions, messages each way, connecting (p95), message gap (p50 / p95), ping
// (p95) and the close codes the server sent. Reply times are the REPLY rows of the main table.
void print_ws(std::FILE* out, const Result& r) {
  const std::optional<std::size_t> shown =
      label_width(r, 9, [](const ResultRow& row) { return !row.stats.ws.empty(); });
  if (!shown) return;
  const std::size_t width = *shown;
  auto p = [](const Histogram& h, double percentile) {
    return h.empty() ? std::string("-") : human_seconds(h.percentile_seconds(percentile));
  };
  fmt::print(out, "\n  {:<{}} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  {}\n", "websocket", width,
             "sessions", "sent", "received", "conn p95", "gap p50", "gap p95", "ping p95",
             "close codes");
  for (const auto& row : r.rows) {
    const WsStats& s = row.stats.ws;
    if (s.empty()) continue;
    std::string codes;
    for (const auto& [code, count] : s.close_codes.sorted()) {
      codes += fmt::format("{}{}: {}", codes.empty() ? "" : "  ", code, human_count(count));
    }
    fmt::print(out, "  {:<{}} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  {}\n",
               row.key.scenario + " · " + row.key.name, width, human_count(s.sessions),
               human_count(s.msgs_sent), human_count(s.msgs_received), p(s.connecting, 95),
               p(s.message_gap, 50), p(s.message_gap, 95), p(s.ping, 95), codes);
  }
}

// A custom trend's value for people: a duration for the time units, else the number.
std::string custom_value_text(const CustomMetricStats& m, std::uint64_t raw) {
  if (m.unit == "ms" || m.unit == "s") return human_seconds(static_cast<double>(raw) * 1e-9);
  return fmt::format("{:.4g}", custom_trend_value(m, static_cast<double>(raw)));
}

void print_custom(std::FILE* out, const Result& r) {
  if (r.custom.empty()) return;
  std::size_t width = 13;
  for (const auto& m : r.custom) {
    for (const auto& v : m.values) width = std::max(width, m.name.size() + v.value.size() + 3);
  }
  width = std::min<std::size_t>(width, 60);
  fmt::print(out, "\n  {:<{}} {:>10} {:>9} {:>9} {:>9} {:>9}\n", "custom metric", width, "count",
             "p50", "p95", "p99", "max");
  for (const auto& m : r.custom) {
    for (const auto& v : m.values) {
      const std::string label = v.value.empty() ? m.name : m.name + " · " + v.value;
      const Histogram& h = v.histogram;
      if (m.kind == CustomMetricStats::Kind::kCounter || h.empty()) {
        fmt::print(out, "  {:<{}} {:>10}\n", label, width, human_count(v.count));
        continue;
      }
      fmt::print(out, "  {:<{}} {:>10} {:>9} {:>9} {:>9} {:>9}\n", label, width,
                 human_count(v.count), custom_value_text(m, h.percentile_ns(50)),
                 custom_value_text(m, h.percentile_ns(95)),
                 custom_value_text(m, h.percentile_ns(99)), custom_value_text(m, h.max_ns()));
    }
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
    std::string bound;
    if (t.bound) {
      bound = "   bound " + (t.is_time ? human_seconds(*t.bound) : fmt::format("{:.6g}", *t.bound));
    }
    if (t.utilization) bound += "   quota used " + human_percent(*t.utilization);
    fmt::print(out, "    {}  {:<{}}  {:<{}}  actual {}{}\n", t.ok ? "PASS" : "FAIL", t.metric,
               metric_width, t.expression, expression_width, actual, bound);
  }
}

// The setup or teardown: how long it took, its requests, and the step that failed.
void print_phase(std::FILE* out, const std::optional<PhaseResult>& phase) {
  if (!phase) return;
  std::uint64_t requests = 0;
  for (const ResultRow& row : phase->rows) requests += row.stats.requests;
  fmt::print(out, "  {:<13} {}   {} request(s) in {}{}\n", phase->name, phase->ok ? "ok" : "FAILED",
             human_count(requests), human_seconds(phase->duration_seconds),
             phase->ok ? "" : "\n    " + phase->error);
}

}  // namespace

void print_summary(std::FILE* out, const Plan& plan, const Result& result) {
  const RequestStats totals = result.totals();
  fmt::print(
      out, "\nstampede summary{}  target {}\n\n", plan.name.empty() ? "" : " — " + plan.name,
      plan.target.url.scheme + "://" + plan.target.url.authority() + plan.target.url.base_path);
  print_phase(out, result.setup);
  print_totals(out, result, totals);
  print_rows(out, result);
  print_stages(out, result);
  print_limits(out, result);
  print_adaptive_users(out, result);
  print_streams(out, result);
  print_ws(out, result);
  print_checks(out, result);
  print_custom(out, result);
  print_codes(out, totals);
  print_generators(out, result);
  print_thresholds(out, result);
  if (result.teardown) fmt::print(out, "\n");
  print_phase(out, result.teardown);
  if (!result.aborted_by.empty()) fmt::print(out, "\n  stopped early: {}\n", result.aborted_by);
  if (!result.thresholds.empty()) {
    fmt::print(out, "\n  result: {}\n",
               result.thresholds_ok() ? "all thresholds passed" : "THRESHOLDS FAILED");
  }
  std::fflush(out);
}

}  // namespace stampede
