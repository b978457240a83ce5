#include "report/csv_report.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "report/csv_format.h"
#include "report/csv_history.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using Fields = std::vector<std::string>;

// One CSV row's statistics: the result's rows with this method and name, merged.
struct Entry {
  std::string method;
  std::string name;
  RequestStats stats;
};

std::vector<Entry> entries_of(const Result& result) {
  std::vector<Entry> entries;
  for (const ResultRow& row : result.rows) {
    auto it = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) {
      return e.method == row.key.method && e.name == row.key.name;
    });
    if (it == entries.end()) {
      entries.push_back({row.key.method, row.key.name, row.stats});
    } else {
      it->stats.merge(row.stats);
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.name, a.method) < std::tie(b.name, b.method);
  });
  return entries;
}

Fields stats_header() {
  Fields h = {"Type",
              "Name",
              "Request Count",
              "Failure Count",
              "Median Response Time",
              "Average Response Time",
              "Min Response Time",
              "Max Response Time",
              "Average Content Size",
              "Requests/s",
              "Failures/s"};
  for (std::string& p : csv_percentile_columns()) h.push_back(std::move(p));
  return h;
}

// Response times exist only for requests that got a response: a row of refused connections
// has none, and its time columns are N/A rather than 0.
Fields stats_fields(const std::string& type, const std::string& name, const RequestStats& s,
                    double duration) {
  const LatencySummary l = LatencySummary::of(s.latency);
  const auto per_second = [&](std::uint64_t n) {
    return python_float(duration > 0 ? static_cast<double>(n) / duration : 0.0);
  };
  Fields f = {type, name, std::to_string(s.requests), std::to_string(s.failures)};
  append_times_and_size(f, l, s.requests, s.bytes_received);
  f.push_back(per_second(s.requests));
  f.push_back(per_second(s.failures));
  for (const std::uint64_t ns : l.percentiles_ns) f.push_back(csv_time(l, static_cast<double>(ns)));
  return f;
}

std::string stats_csv(const std::vector<Entry>& entries, double duration) {
  std::string out = csv_line(stats_header());
  RequestStats all;
  for (const Entry& e : entries) {
    out += csv_line(stats_fields(e.method, e.name, e.stats, duration));
    all.merge(e.stats);
  }
  return out + csv_line(stats_fields("", "Aggregated", all, duration));
}

// One row per method, name and error category, in the categories' order.
std::string failures_csv(const std::vector<Entry>& entries) {
  std::string out = csv_line({"Method", "Name", "Error", "Occurrences"});
  for (const Entry& e : entries) {
    for (std::size_t c = 0; c < e.stats.errors.size(); ++c) {
      if (e.stats.errors[c] == 0) continue;
      const std::string category(error_category_name(static_cast<ErrorCategory>(c)));
      out += csv_line({e.method, e.name, category, std::to_string(e.stats.errors[c])});
    }
  }
  return out;
}

}  // namespace

std::array<std::string, 4> csv_report_paths(const std::string& prefix) {
  return {prefix + "_stats.csv", prefix + "_stats_history.csv", prefix + "_failures.csv",
          prefix + "_exceptions.csv"};
}

std::optional<CsvReport> csv_report(const nlohmann::json& result_json,
                                    const RequestHistory* history, std::string* error) {
  const std::optional<Result> result = result_from_json(result_json, error);
  if (!result) return std::nullopt;
  auto stats_history = csv_stats_history(*result, history, error);
  if (!stats_history) return std::nullopt;
  const std::vector<Entry> entries = entries_of(*result);
  CsvReport report;
  report.stats = stats_csv(entries, result->duration_seconds);
  report.stats_history = std::move(*stats_history);
  report.failures = failures_csv(entries);
  // Locust lists Python exceptions raised in user code here; a plan raises none.
  report.exceptions = csv_line({"Count", "Message", "Traceback", "Nodes"});
  return report;
}

}  // namespace stampede
