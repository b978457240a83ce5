#pragma once
// The outcome of a run: per-row statistics with their histograms, totals, a per-second time
// series and threshold verdicts. Results merge exactly (bucket-wise), so the operator can
// combine runners' results into the one a single runner would have produced.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/adaptive_users_stats.h"
#include "stats/generator_stats.h"
#include "stats/limit_stats.h"
#include "stats/request_stats.h"
#include "stats/threshold.h"
#include "stats/window_counts.h"

namespace stampede {

inline constexpr const char* kResultSchema = "stampede.result/v1";

struct TimeSeriesPoint {
  double elapsed_seconds = 0;  // end of the one-second interval, from the start of the run
  double users = 0;            // active users at the end of the interval
  std::uint64_t requests = 0;  // completed in the interval
  std::uint64_t failures = 0;
  double p50_seconds = 0;  // latency percentiles of the interval
  double p95_seconds = 0;
  double p99_seconds = 0;
};

struct ResultRow {
  StatsKey key;
  RequestStats stats;
};

// Iterations started and dropped, per scenario.
struct IterationCounts {
  std::uint64_t iterations = 0;
  std::uint64_t dropped = 0;
};

// The requests started during one named load stage (the `stage` tag), all rows together.
struct StageStats {
  std::string name;
  RequestStats stats;
  // How long the stage ran (planned length, shorter when the run stopped early; stages sharing a
  // name add up), for per-second rates such as http_reqs{stage:spike} rate. 0: unknown.
  double duration_seconds = 0;
};

// A metric taken from responses (`metrics:` on a step): a trend records values in a histogram,
// a counter counts responses; both per `value` tag (at most kMaxCustomValues, then "other").
// Trend histograms hold nanoseconds for time units ("ms", "s") and thousandths of the number for
// plain values (unit ""), so 3 significant digits survive either way.
struct CustomValueStats {
  std::string value;  // the `by` tag's value; "" when the metric has no `by`
  std::uint64_t count = 0;
  Histogram histogram;  // trends only
};

struct CustomMetricStats {
  enum class Kind { kTrend, kCounter };
  std::string name;
  Kind kind = Kind::kTrend;
  std::string unit;  // trends: "ms", "s" (recorded in nanoseconds) or "" (a plain number)
  std::vector<CustomValueStats> values;
};

inline constexpr std::size_t kMaxCustomValues = 50;
inline constexpr double kPlainTrendScale = 1000.0;  // plain trend value v is recorded as v * 1000
inline constexpr const char* kOtherCustomValue = "other";

// The entry of `metric` for `value`, added when new; once the metric holds kMaxCustomValues
// values besides "other", a new value gets the "other" entry instead.
CustomValueStats& custom_value_slot(CustomMetricStats& metric, std::string_view value);
// Adds `from`'s values to `into`, metrics by name, values by value (bounded as above).
void merge_custom_metrics(std::vector<CustomMetricStats>& into,
                          const std::vector<CustomMetricStats>& from);
// A custom trend's histogram value in the metric's unit: milliseconds for "ms", seconds for
// "s", the plain number for "".
double custom_trend_value(const CustomMetricStats& metric, double raw);

// The send times of the requests a windowed threshold counts (max_count, max_rate), for the
// selector it names (MetricSelector::to_string()): docs/rate-limits.md.
struct WindowSeries {
  std::string selector;
  WindowCounts counts;
};

// A per-user windowed threshold's value (max_count_per_user(W)): the most requests one user sent
// in any window of `window_seconds`, over every user. Each user runs on one runner, so runners'
// peaks merge by taking the larger.
struct UserWindowPeak {
  std::string selector;
  double window_seconds = 0;
  std::uint64_t max_count = 0;
};

struct ThresholdOutcome {
  std::string metric;      // the selector as written, e.g. http_req_duration{scenario:api}
  std::string expression;  // e.g. "p(95) < 2s"
  std::optional<double> actual;
  bool is_time = false;  // actual is in seconds
  bool ok = true;
  // The evaluated right-hand side, when it refers to a stage.
  std::optional<double> bound = std::nullopt;
  // A windowed quota (max_count or max_rate with < or <=): actual / bound, the share of the
  // quota the busiest window used.
  std::optional<double> utilization = std::nullopt;
};

// A named load stage on the run's time axis (seconds from the start), for reports that shade it.
struct StageSpan {
  std::string name;
  double start_seconds = 0;
  double end_seconds = 0;
};

// Where and how the result was made, for the reports' headers (the HTML report).
struct ResultMeta {
  std::string target;    // the target's base URL
  std::string load;      // the load as run, e.g. "closed model, 10 users, spawn rate 5/s, 30s"
  std::string profile;   // the load profile's name; empty: none
  std::string version;   // Stampede's version
  std::string ended_at;  // RFC 3339, UTC: when the load phase ended (the latest runner's)
  // How many runners' results this one holds: 1 for a run, N once N results are merged.
  std::uint32_t runners = 1;
  std::vector<StageSpan> stages;  // the plan's named load stages, in order
};

// A run's setup or teardown (docs/setup-teardown.md): its requests are kept apart from the
// load's rows, totals and thresholds.
struct PhaseResult {
  std::string name;  // "setup" or "teardown"
  bool ok = true;
  // When not ok: the first step that failed and how, e.g.
  // "setup.steps[1] (POST /fixtures): unexpected_status (500)".
  std::string error;
  double duration_seconds = 0;
  std::vector<ResultRow> rows;  // scenario = name
};

struct Result {
  std::string plan_name;
  std::string testid;
  std::string runner;           // "i/N" segment, "0/1" for a single runner
  std::string started_at;       // RFC 3339, UTC
  double duration_seconds = 0;  // measured load phase (start to the end of the graceful stop)
  std::vector<ResultRow> rows;  // one per scenario + name + method, in plan order
  std::map<std::string, IterationCounts> iterations;  // by scenario
  std::vector<TimeSeriesPoint> series;
  std::vector<StageStats> stages;            // named load stages, in plan order
  std::vector<CustomMetricStats> custom;     // custom metrics, in plan order
  std::vector<WindowSeries> windows;         // per windowed selector, in plan order
  std::vector<UserWindowPeak> user_windows;  // per per-user selector and window, in plan order
  std::vector<LimitStats> limits;            // per `limits:` entry, in plan order
  std::vector<GeneratorStats> generators;    // the load generator's own load, one per runner
  std::optional<AdaptiveUsersStats> adaptive_users;  // a closed model's `load.adaptive`
  std::vector<ThresholdOutcome> thresholds;
  std::string aborted_by;  // non-empty when a threshold with abortOnFail or a signal stopped it
  ResultMeta meta;
  std::optional<PhaseResult> setup;     // the plan's setup, where it ran (runner 0)
  std::optional<PhaseResult> teardown;  // the plan's teardown, where it ran

  RequestStats totals() const;
  IterationCounts total_iterations() const;
  double rps() const;
  bool thresholds_ok() const;

  // Adds another runner's result: rows by key, iterations, time series by second, stages by
  // name, custom metrics by name and value, window series by selector (slot by slot: all runners
  // share the test's start), generators side by side, duration = the longer one; meta counts the
  // runners and keeps the latest end; the setup and teardown of whichever result ran them.
  // Threshold verdicts are not merged: re-evaluate them on the merged result.
  void merge(const Result& other);
};

// Exposes a result to threshold evaluation (k6 metric names, see threshold.h).
class ResultMetrics : public MetricSource {
 public:
  explicit ResultMetrics(const Result& result) : result_(result) {}
  std::optional<double> value(const MetricSelector& selector,
                              const Aggregation& aggregation) const override;

 private:
  const Result& result_;
};

// Evaluates thresholds on the result and stores the outcomes in result.thresholds.
void judge_thresholds(const std::vector<Threshold>& thresholds, Result& result);

}  // namespace stampede
