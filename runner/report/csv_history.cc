#include "report/csv_history.h"

#include <chrono>
#include <cmath>
#include <vector>

#include "base/rfc3339.h"
#include "report/csv_format.h"

namespace stampede {
namespace {

using Fields = std::vector<std::string>;

Fields header() {
  Fields h = {"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"};
  for (std::string& p : csv_percentile_columns()) h.push_back(std::move(p));
  for (const char* total :
       {"Total Request Count", "Total Failure Count", "Total Median Response Time",
        "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
        "Total Average Content Size"}) {
    h.emplace_back(total);
  }
  return h;
}

// The row's first columns. Locust stamps a row with the Unix second it was written; ours is the
// second the interval ended. Rates are per second of the interval (the last may be shorter).
struct RowStart {
  double started = 0;  // Unix seconds of the run's start
  double elapsed = 0;  // end of the interval
  double length = 1;   // of the interval
  double users = 0;
};

Fields start_fields(const RowStart& at, const std::string& type, const std::string& name,
                    std::uint64_t requests, std::uint64_t failures) {
  const double length = at.length > 0 ? at.length : 1;
  return {std::to_string(static_cast<std::int64_t>(std::floor(at.started + at.elapsed))),
          std::to_string(std::llround(at.users)),
          type,
          name,
          csv_fixed(static_cast<double>(requests) / length),
          csv_fixed(static_cast<double>(failures) / length)};
}

void add_percentiles(Fields& f, const LatencySummary& l) {
  for (const std::uint64_t ns : l.percentiles_ns) f.push_back(csv_time(l, static_cast<double>(ns)));
}

// The "Total ..." columns from the start to the end of the interval.
void add_totals(Fields& f, const HistorySecond& s) {
  f.push_back(std::to_string(s.total_requests));
  f.push_back(std::to_string(s.total_failures));
  append_times_and_size(f, s.total_latency, s.total_requests, s.total_bytes_received);
}

Fields full_row(const RowStart& at, const std::string& type, const std::string& name,
                const HistorySecond& s) {
  Fields f = start_fields(at, type, name, s.requests, s.failures);
  add_percentiles(f, s.latency);
  add_totals(f, s);
  return f;
}

// The series keeps p50, p95 and p99 of each second and its counts: the other percentiles and
// the running latency totals are not in the result, so they are N/A rather than made up.
Fields series_row(const RowStart& at, const TimeSeriesPoint& p, std::uint64_t total_requests,
                  std::uint64_t total_failures) {
  Fields f = start_fields(at, "", "Aggregated", p.requests, p.failures);
  for (const double percentile : kHistoryPercentiles) {
    double seconds = -1;
    if (percentile == 50) seconds = p.p50_seconds;
    if (percentile == 95) seconds = p.p95_seconds;
    if (percentile == 99) seconds = p.p99_seconds;
    // A second without requests has no percentiles (the series holds 0 for them).
    const bool known = seconds >= 0 && p.requests > 0;
    // Seconds to milliseconds in one step: 0.0015 s reads "1.5", not "1.5000000000000002".
    f.push_back(known ? python_float(seconds * 1e3) : std::string(kCsvNoValue));
  }
  f.push_back(std::to_string(total_requests));
  f.push_back(std::to_string(total_failures));
  for (int i = 0; i < 5; ++i) f.emplace_back(kCsvNoValue);
  return f;
}

std::string from_series(const Result& result, double started) {
  std::string out;
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  double previous = 0;
  for (const TimeSeriesPoint& p : result.series) {
    requests += p.requests;
    failures += p.failures;
    const RowStart at{started, p.elapsed_seconds, p.elapsed_seconds - previous, p.users};
    out += csv_line(series_row(at, p, requests, failures));
    previous = p.elapsed_seconds;
  }
  return out;
}

std::string from_history(const RequestHistory& history, double started) {
  std::string out;
  const auto& entries = history.entries();
  double previous = 0;
  for (const std::vector<HistorySecond>& second : history.seconds()) {
    const HistorySecond& all = second.back();
    const RowStart at{started, all.elapsed_seconds, all.elapsed_seconds - previous,
                      static_cast<double>(all.users)};
    for (std::size_t e = 0; e < entries.size() && e < second.size(); ++e) {
      out += csv_line(full_row(at, entries[e].method, entries[e].name, second[e]));
    }
    out += csv_line(full_row(at, "", "Aggregated", all));
    previous = all.elapsed_seconds;
  }
  return out;
}

}  // namespace

std::optional<std::string> csv_stats_history(const Result& result, const RequestHistory* history,
                                             std::string* error) {
  const auto start = parse_rfc3339(result.started_at, error);
  if (!start) {
    *error = "the result's started_at '" + result.started_at + "' is not an instant: " + *error;
    return std::nullopt;
  }
  const double started = std::chrono::duration<double>(start->time_since_epoch()).count();
  std::string out = csv_line(header());
  out += history ? from_history(*history, started) : from_series(result, started);
  return out;
}

}  // namespace stampede
