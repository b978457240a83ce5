#pragma once
// Thresholds with k6's grammar:  metric[{tag:value,...}]: ["p(95) < 2s", "rate < 0.01", ...]
// Parsing happens at load time; evaluation runs against any MetricSource (a run's result, the
// operator's merged result), so the same rules judge a single runner and a whole cluster.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stampede {

// Which series a threshold looks at: a metric name plus tag filters, e.g.
// http_req_duration{scenario:health,name:/api}. Tags are kept in the order written.
struct MetricSelector {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> tags;

  std::string to_string() const;  // canonical "metric{k:v,k2:v2}"
};

struct Aggregation {
  // kMaxCount: the most events in any window of `window_seconds` (docs/rate-limits.md);
  // kMaxRate: the same peak read as a rate per window (its bound may name a unit: 30/m).
  enum class Kind {
    kAvg,
    kStddev,
    kMin,
    kMax,
    kMed,
    kPercentile,
    kRate,
    kCount,
    kMaxCount,
    kMaxRate
  };
  Kind kind = Kind::kCount;
  double percentile = 0;      // for kPercentile, in (0, 100]
  double window_seconds = 0;  // for kMaxCount and kMaxRate, in (0, 86400]
  // max_count_per_user(W), max_rate_per_user(W): the busiest single user's peak rather than all
  // requests' (a per-user quota).
  bool per_user = false;

  bool windowed() const { return kind == Kind::kMaxCount || kind == Kind::kMaxRate; }
  std::string to_string() const;  // "p(95)", "avg", "max_count(10s)", ...
};

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

// A right-hand side that refers to another load stage: `factor * stage(name).aggregation`,
// evaluated on the same metric and tags with the stage tag set to `stage`.
struct StageReference {
  std::string stage;
  Aggregation aggregation;
  double factor = 1;
};

// One condition, e.g. "p(95) < 2s" or "p(95) < 2 * stage(warmup).p(95)". The right-hand side is
// normalised to the metric's base unit: seconds for time metrics (a bare number on a time metric
// means milliseconds, as in k6).
struct ThresholdCondition {
  std::string expression;  // as written, for reports
  Aggregation aggregation;
  CompareOp op = CompareOp::kLess;
  double bound = 0;                         // unused when `reference` is set
  std::optional<StageReference> reference;  // the bound is evaluated on the result
};

struct Threshold {
  MetricSelector selector;
  std::string key;  // the YAML key as written, for reports
  std::vector<ThresholdCondition> conditions;
  bool abort_on_fail = false;  // stop the run as soon as a condition fails
  double delay_abort_eval_seconds = 0;
};

// The metrics thresholds may name, and whether their values are durations (seconds).
struct MetricInfo {
  std::string_view name;
  bool is_time = false;
  std::vector<Aggregation::Kind> aggregations;  // which aggregations make sense for it
  std::vector<std::string_view> tags;           // tag keys a selector may filter on
  std::string_view required_tag;                // a tag every selector must give; "" = none
  bool rate_is_fraction = false;  // `rate` is a share in 0..1 ("1%" ok), not a per-second rate
};
// nullptr when the metric is unknown (custom metrics are not known here: see below).
const MetricInfo* find_metric(std::string_view name);
// Every metric find_metric knows, in a stable order (for "known: ..." messages).
const std::vector<MetricInfo>& known_metrics();
// The description of a plan's custom metric (`metrics:`), filtered by the tag `value`: a trend
// (avg stddev min max med p(N) count; time when its unit is ms or s) or a counter (count, and rate
// per second). `name` must outlive the result.
MetricInfo custom_metric_info(std::string_view name, bool trend, bool time);

// Parses the selector key ("http_req_duration{scenario:health}"). nullopt + *error on failure.
std::optional<MetricSelector> parse_selector(std::string_view key, std::string* error);
// Checks the selector's tags against its metric: allowed keys, the required tag, well-formed
// status and method values (methods are normalised to uppercase). false + *error on failure.
bool validate_selector(MetricSelector* selector, const MetricInfo& metric, std::string* error);
// Parses one condition for the given metric. nullopt + *error on failure.
std::optional<ThresholdCondition> parse_condition(std::string_view text, const MetricInfo& metric,
                                                  std::string* error);

// Supplies aggregated values; nullopt when the selector matches no data.
class MetricSource {
 public:
  virtual ~MetricSource() = default;
  virtual std::optional<double> value(const MetricSelector& selector,
                                      const Aggregation& aggregation) const = 0;
};

struct ConditionResult {
  const Threshold* threshold = nullptr;
  const ThresholdCondition* condition = nullptr;
  std::optional<double> actual;  // nullopt: no data (counts as passed, as in k6)
  std::optional<double> bound;   // the right-hand side; nullopt when its stage has no data
  bool ok = true;
};

bool compare(double actual, CompareOp op, double bound);
std::vector<ConditionResult> evaluate(const std::vector<Threshold>& thresholds,
                                      const MetricSource& source);

}  // namespace stampede
