#include "report/markdown_summary.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "report/format.h"
#include "report/threshold_text.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using nlohmann::json;

// Text in a table cell: Markdown punctuation backslash-escaped, & as an entity, line breaks as
// spaces (a row is one line).
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      out += ' ';
    } else if (c == '&') {
      out += "&amp;";
    } else {
      if (std::string_view("\\`*_[]<>|~#!").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

std::string row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += " " + c + " |";
  return out + "\n";
}

std::string latency(const Histogram& h, double percentile) {
  return h.empty() ? "-" : human_seconds(h.percentile_seconds(percentile));
}

std::string verdict(const json& doc, const Result& r) {
  const json thresholds = doc.value("thresholds", json::array());
  std::size_t failed = 0;
  for (const json& t : thresholds) failed += t.value("ok", true) ? 0 : 1;
  const std::string plan = r.plan_name.empty() ? "" : " " + cell(r.plan_name);
  std::string line;
  if (thresholds.empty()) {
    line = fmt::format("## Stampede{}: completed (no thresholds)\n", plan);
  } else if (failed == 0) {
    line = fmt::format("## ✅ Stampede{}: {} of {} thresholds passed\n", plan, thresholds.size(),
                       thresholds.size());
  } else {
    line = fmt::format("## ❌ Stampede{}: {} of {} thresholds failed\n", plan, failed,
                       thresholds.size());
  }
  if (!r.aborted_by.empty()) line += "\n**Stopped early:** " + cell(r.aborted_by) + "\n";
  return line;
}

std::string totals(const Result& r) {
  const RequestStats t = r.totals();
  const IterationCounts it = r.total_iterations();
  const double failed = t.requests ? static_cast<double>(t.failures) / t.requests : 0.0;
  std::string out =
      fmt::format("\nTest {} · runner {} · started {} · {}\n\n", cell(r.testid), cell(r.runner),
                  cell(r.started_at), human_seconds(r.duration_seconds));
  out += row({"requests", "failures", "rps", "iterations", "dropped", "p50", "p95", "p99", "max"});
  out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  out += row({human_count(t.requests),
              fmt::format("{} ({})", human_count(t.failures), human_percent(failed)),
              human_rate(r.rps()), human_count(it.iterations), human_count(it.dropped),
              latency(t.latency, 50), latency(t.latency, 95), latency(t.latency, 99),
              latency(t.latency, 100)});
  return out;
}

std::string requests(const Result& r) {
  if (r.rows.empty()) return "";
  std::string out = "\n### Requests\n\n";
  out += row(
      {"scenario", "name", "method", "requests", "failures", "rps", "p50", "p95", "p99", "max"});
  out += "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ResultRow& x : r.rows) {
    const RequestStats& s = x.stats;
    const double rps = r.duration_seconds > 0 ? s.requests / r.duration_seconds : 0.0;
    out += row({cell(x.key.scenario), cell(x.key.name), cell(x.key.method), human_count(s.requests),
                human_count(s.failures), human_rate(rps), latency(s.latency, 50),
                latency(s.latency, 95), latency(s.latency, 99), latency(s.latency, 100)});
  }
  return out;
}

std::string thresholds(const json& doc) {
  const json list = doc.value("thresholds", json::array());
  if (list.empty()) return "";
  std::string out = "\n### Thresholds\n\n";
  out += row({"", "metric", "condition", "actual"});
  out += "|---|---|---|---:|\n";
  for (const json& threshold : list) {
    const ThresholdText t = threshold_text(doc, threshold);
    const std::string actual = t.bound.empty() ? t.actual : t.actual + " (bound " + t.bound + ")";
    out += row({t.ok ? "✅ PASS" : "❌ FAIL", cell(t.metric), cell(t.expression), cell(actual)});
  }
  return out;
}

std::string checks(const Result& r) {
  std::string rows;
  for (const ResultRow& x : r.rows) {
    for (const CheckCounts& c : x.stats.checks) {
      const std::uint64_t total = c.passes + c.fails;
      const std::string rate =
          total ? human_percent(static_cast<double>(c.passes) / static_cast<double>(total)) : "-";
      rows += row({c.fails ? "❌" : "✅", cell(x.key.scenario + " · " + x.key.name), cell(c.name),
                   human_count(c.passes), human_count(c.fails), rate});
    }
  }
  if (rows.empty()) return "";
  return "\n### Checks\n\n" + row({"", "request", "check", "passes", "fails", "pass rate"}) +
         "|---|---|---|---:|---:|---:|\n" + rows;
}

}  // namespace

std::optional<std::string> markdown_summary(const json& doc, std::string* error) {
  std::optional<Result> result = result_from_json(doc, error);
  if (!result) return std::nullopt;
  try {
    return verdict(doc, *result) + totals(*result) + requests(*result) + thresholds(doc) +
           checks(*result);
  } catch (const json::exception& e) {
    *error = std::string("malformed result: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
