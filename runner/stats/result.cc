#include "stats/result.h"

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

// Adds `from`'s entries to `into`'s, matched by `key`: `combine` merges two entries of one key,
// and an entry only `from` has is appended (runners may differ in what they saw).
template <class T, class Key, class Combine>
void merge_keyed(std::vector<T>& into, const std::vector<T>& from, Key key, Combine combine) {
  for (const T& entry : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const T& mine) { return key(mine) == key(entry); });
    if (it == into.end()) {
      into.push_back(entry);
    } else {
      combine(*it, entry);
    }
  }
}

void merge_stages(std::vector<StageStats>& into, const std::vector<StageStats>& from) {
  merge_keyed(
      into, from, [](const StageStats& s) -> const std::string& { return s.name; },
      [](StageStats& mine, const StageStats& other) {
        mine.stats.merge(other.stats);
        // Runners run the same stages at the same time: the longer one is the stage's length.
        mine.duration_seconds = std::max(mine.duration_seconds, other.duration_seconds);
      });
}

void merge_user_windows(std::vector<UserWindowPeak>& into,
                        const std::vector<UserWindowPeak>& from) {
  for (const UserWindowPeak& peak : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](const UserWindowPeak& p) {
      return p.selector == peak.selector && p.window_seconds == peak.window_seconds;
    });
    if (it == into.end()) {
      into.push_back(peak);
    } else {
      it->max_count = std::max(it->max_count, peak.max_count);
    }
  }
}

void merge_limits(std::vector<LimitStats>& into, const std::vector<LimitStats>& from) {
  merge_keyed(
      into, from, [](const LimitStats& l) -> const std::string& { return l.selector; },
      [](LimitStats& mine, const LimitStats& other) { mine.merge(other); });
}

void merge_windows(std::vector<WindowSeries>& into, const std::vector<WindowSeries>& from) {
  merge_keyed(
      into, from, [](const WindowSeries& w) -> const std::string& { return w.selector; },
      [](WindowSeries& mine, const WindowSeries& other) { mine.counts.merge(other.counts); });
}

// Runners of one test share target, load, profile and version; a result that lacks them (an
// older document) takes them from the other.
void merge_meta(ResultMeta& into, const ResultMeta& from) {
  into.runners += from.runners;
  into.ended_at = std::max(into.ended_at, from.ended_at);  // RFC 3339 UTC sorts as text
  for (auto member :
       {&ResultMeta::target, &ResultMeta::load, &ResultMeta::profile, &ResultMeta::version}) {
    if ((into.*member).empty()) into.*member = from.*member;
  }
  if (into.stages.empty()) into.stages = from.stages;
}

}  // namespace

void merge_custom_metrics(std::vector<CustomMetricStats>& into,
                          const std::vector<CustomMetricStats>& from) {
  for (const CustomMetricStats& metric : from) {
    auto it = std::find_if(into.begin(), into.end(),
                           [&](const CustomMetricStats& m) { return m.name == metric.name; });
    if (it == into.end()) {
      CustomMetricStats& added = into.emplace_back();
      added.name = metric.name;
      added.kind = metric.kind;
      added.unit = metric.unit;
      it = into.end() - 1;
    }
    for (const CustomValueStats& value : metric.values) {
      CustomValueStats& slot = custom_value_slot(*it, value.value);
      slot.count += value.count;
      slot.histogram.merge(value.histogram);
    }
  }
}

CustomValueStats& custom_value_slot(CustomMetricStats& metric, std::string_view value) {
  std::vector<CustomValueStats>& values = metric.values;
  auto find = [&](std::string_view name) {
    return std::find_if(values.begin(), values.end(),
                        [&](const CustomValueStats& v) { return v.value == name; });
  };
  auto it = find(value);
  if (it != values.end()) return *it;
  const bool has_other = find(kOtherCustomValue) != values.end();
  const std::size_t named = values.size() - (has_other ? 1 : 0);
  if (named >= kMaxCustomValues) {
    it = find(kOtherCustomValue);
    if (it != values.end()) return *it;
    value = kOtherCustomValue;
  }
  CustomValueStats& added = values.emplace_back();
  added.value = std::string(value);
  return added;
}

double custom_trend_value(const CustomMetricStats& metric, double raw) {
  if (metric.unit == "ms") return raw * 1e-6;
  if (metric.unit == "s") return raw * 1e-9;
  return raw / kPlainTrendScale;
}

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
  merge_stages(stages, other.stages);
  merge_custom_metrics(custom, other.custom);
  merge_windows(windows, other.windows);
  merge_user_windows(user_windows, other.user_windows);
  merge_limits(limits, other.limits);
  // Each runner's generator is its own machine's: kept side by side, never added up.
  generators.insert(generators.end(), other.generators.begin(), other.generators.end());
  if (other.adaptive_users && adaptive_users) {
    adaptive_users->merge(*other.adaptive_users);
  } else if (other.adaptive_users) {
    adaptive_users = other.adaptive_users;
  }
  duration_seconds = std::max(duration_seconds, other.duration_seconds);
  if (started_at.empty() || (!other.started_at.empty() && other.started_at < started_at)) {
    started_at = other.started_at;
  }
  if (aborted_by.empty()) aborted_by = other.aborted_by;
  merge_meta(meta, other.meta);
  // One runner runs each phase (runner 0): the merged result keeps it as that runner had it.
  if (!setup) setup = other.setup;
  if (!teardown) teardown = other.teardown;
  thresholds.clear();
}

namespace {

// Whether a metric's values are durations in seconds: a built-in time metric, or a custom trend
// with a time unit.
bool is_time_metric(const Result& result, const std::string& name) {
  if (const MetricInfo* info = find_metric(name)) return info->is_time;
  for (const CustomMetricStats& metric : result.custom) {
    if (metric.name == name) {
      return metric.kind == CustomMetricStats::Kind::kTrend &&
             (metric.unit == "ms" || metric.unit == "s");
    }
  }
  return false;
}

// How much of a quota the busiest window used: only an upper bound (< or <=) is a quota.
std::optional<double> quota_utilization(const ThresholdCondition& condition,
                                        const std::optional<double>& actual) {
  const bool upper = condition.op == CompareOp::kLess || condition.op == CompareOp::kLessEqual;
  if (!condition.aggregation.windowed() || !upper || !actual || !(condition.bound > 0)) {
    return std::nullopt;
  }
  return *actual / condition.bound;
}

}  // namespace

void judge_thresholds(const std::vector<Threshold>& thresholds, Result& result) {
  ResultMetrics metrics(result);
  std::vector<ThresholdOutcome> outcomes;
  for (const ConditionResult& c : evaluate(thresholds, metrics)) {
    const bool count = c.condition->aggregation.kind == Aggregation::Kind::kCount ||
                       c.condition->aggregation.kind == Aggregation::Kind::kRate ||
                       c.condition->aggregation.windowed();
    ThresholdOutcome& outcome = outcomes.emplace_back();
    outcome.metric = c.threshold->key;
    outcome.expression = c.condition->expression;
    outcome.actual = c.actual;
    outcome.is_time = !count && is_time_metric(result, c.threshold->selector.metric);
    outcome.ok = c.ok;
    if (c.condition->reference) outcome.bound = c.bound;
    outcome.utilization = quota_utilization(*c.condition, c.actual);
  }
  result.thresholds = std::move(outcomes);
}

}  // namespace stampede
