#include "model/result.h"

#include <algorithm>
#include <string_view>

namespace stampede {

RequestStats Result::totals() const {
  RequestStats total;
  for (const auto& row : rows) total.merge(row.stats);
  return total;
}

IterationCounts Result::total_iterations() const {
  IterationCounts total;
  for (const auto& [scenario, counts] : iterations) {
    total.iterations += counts.iterations;
    total.dropped += counts.dropped;
  }
  return total;
}

double Result::rps() const {
  std::uint64_t requests = 0;
  for (const auto& row : rows) requests += row.stats.requests;
  return duration_seconds > 0 ? requests / duration_seconds : 0.0;
}

bool Result::thresholds_ok() const {
  return std::all_of(thresholds.begin(), thresholds.end(),
                     [](const ThresholdOutcome& t) { return t.ok; });
}

namespace {

void merge_series(std::vector<TimeSeriesPoint>& into, const std::vector<TimeSeriesPoint>& from) {
  // Percentiles cannot be merged from percentiles: the merged series keeps the worst of the
  // runners' per-second percentiles, an upper bound that never hides a slow runner.
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (i >= into.size()) {
      into.push_back(from[i]);
      continue;
    }
    TimeSeriesPoint& p = into[i];
    p.users += from[i].users;
    p.requests += from[i].requests;
    p.failures += from[i].failures;
    p.p50_seconds = std::max(p.p50_seconds, from[i].p50_seconds);
    p.p95_seconds = std::max(p.p95_seconds, from[i].p95_seconds);
    p.p99_seconds = std::max(p.p99_seconds, from[i].p99_seconds);
  }
}

}  // namespace

void Result::merge(const Result& other) {
  for (const auto& row : other.rows) {
    auto it = std::find_if(rows.begin(), rows.end(),
                           [&](const ResultRow& r) { return r.key == row.key; });
    if (it == rows.end()) {
      rows.push_back(row);
    } else {
      it->stats.merge(row.stats);
    }
  }
  for (const auto& [scenario, counts] : other.iterations) {
    iterations[scenario].iterations += counts.iterations;
    iterations[scenario].dropped += counts.dropped;
  }
  merge_series(series, other.series);
  duration_seconds = std::max(duration_seconds, other.duration_seconds);
  if (started_at.empty() || (!other.started_at.empty() && other.started_at < started_at)) {
    started_at = other.started_at;
  }
  if (aborted_by.empty()) aborted_by = other.aborted_by;
  thresholds.clear();
}

void judge_thresholds(const std::vector<Threshold>& thresholds, Result& result) {
  ResultMetrics metrics(result);
  result.thresholds.clear();
  for (const ConditionResult& c : evaluate(thresholds, metrics)) {
    const MetricInfo* info = find_metric(c.threshold->selector.metric);
    result.thresholds.push_back({c.threshold->key, c.condition->expression, c.actual,
                                 info != nullptr && info->is_time, c.ok});
  }
}

}  // namespace stampede
