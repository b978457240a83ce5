#include "stats/threshold.h"

#include <gtest/gtest.h>

#include <map>

namespace stampede {
namespace {

using Kind = Aggregation::Kind;

const MetricInfo& metric(std::string_view name) {
  const MetricInfo* info = find_metric(name);
  EXPECT_NE(info, nullptr) << name;
  static const MetricInfo kEmpty;
  return info ? *info : kEmpty;
}

ThresholdCondition parse_ok(std::string_view text, std::string_view metric_name) {
  std::string error;
  std::optional<ThresholdCondition> c = parse_condition(text, metric(metric_name), &error);
  EXPECT_TRUE(c.has_value()) << text << ": " << error;
  return c.value_or(ThresholdCondition{});
}

std::string parse_error(std::string_view text, std::string_view metric_name) {
  std::string error;
  std::optional<ThresholdCondition> c = parse_condition(text, metric(metric_name), &error);
  EXPECT_FALSE(c.has_value()) << text << " parsed unexpectedly";
  return error;
}

TEST(ThresholdTest, KnownMetrics) {
  EXPECT_TRUE(metric("http_req_duration").is_time);
  EXPECT_TRUE(metric("http_req_waiting").is_time);
  EXPECT_FALSE(metric("http_req_failed").is_time);
  EXPECT_TRUE(metric("http_req_failed").rate_is_fraction);
  EXPECT_FALSE(metric("http_reqs").rate_is_fraction);
  EXPECT_EQ(metric("http_req_status").required_tag, "status");
  EXPECT_EQ(find_metric("http_req_foo"), nullptr);
  EXPECT_TRUE(metric("ws_reply_time").is_time);
  EXPECT_TRUE(metric("ws_message_gap").is_time);
  EXPECT_FALSE(metric("ws_sessions").is_time);
  EXPECT_EQ(known_metrics().size(), 30u);  // 13 http and run metrics, 9 sse_*, 8 ws_*
}

TEST(ThresholdTest, EveryAggregation) {
  EXPECT_EQ(parse_ok("avg < 1s", "http_req_duration").aggregation.kind, Kind::kAvg);
  EXPECT_EQ(parse_ok("stddev < 50ms", "http_req_duration").aggregation.kind, Kind::kStddev);
  EXPECT_EQ(parse_ok("min < 1s", "http_req_duration").aggregation.kind, Kind::kMin);
  EXPECT_EQ(parse_ok("max < 1s", "http_req_duration").aggregation.kind, Kind::kMax);
  EXPECT_EQ(parse_ok("med < 1s", "http_req_duration").aggregation.kind, Kind::kMed);
  EXPECT_EQ(parse_ok("count > 10", "http_req_duration").aggregation.kind, Kind::kCount);
  EXPECT_EQ(parse_ok("rate < 0.1", "http_req_failed").aggregation.kind, Kind::kRate);
  ThresholdCondition p = parse_ok("p(99.9) < 1s", "http_req_duration");
  EXPECT_EQ(p.aggregation.kind, Kind::kPercentile);
  EXPECT_DOUBLE_EQ(p.aggregation.percentile, 99.9);
  EXPECT_DOUBLE_EQ(parse_ok("p(100) < 1s", "http_req_duration").aggregation.percentile, 100);
  EXPECT_DOUBLE_EQ(parse_ok("p( 50 ) < 1s", "http_req_duration").aggregation.percentile, 50);
}

TEST(ThresholdTest, EveryOperator) {
  EXPECT_EQ(parse_ok("avg < 1", "http_req_duration").op, CompareOp::kLess);
  EXPECT_EQ(parse_ok("avg <= 1", "http_req_duration").op, CompareOp::kLessEqual);
  EXPECT_EQ(parse_ok("avg > 1", "http_req_duration").op, CompareOp::kGreater);
  EXPECT_EQ(parse_ok("avg >= 1", "http_req_duration").op, CompareOp::kGreaterEqual);
  EXPECT_EQ(parse_ok("avg == 1", "http_req_duration").op, CompareOp::kEqual);
  EXPECT_EQ(parse_ok("avg === 1", "http_req_duration").op, CompareOp::kEqual);
  EXPECT_EQ(parse_ok("avg != 1", "http_req_duration").op, CompareOp::kNotEqual);
}

TEST(ThresholdTest, TimeUnitsNormaliseToSeconds) {
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 2s", "http_req_duration").bound, 2);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 250ms", "http_req_duration").bound, 0.25);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 500us", "http_req_duration").bound, 0.0005);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 500\u00b5s", "http_req_duration").bound, 0.0005);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 1.5m", "http_req_duration").bound, 90);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 1h", "http_req_duration").bound, 3600);
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 2 s", "http_req_duration").bound, 2);
}

TEST(ThresholdTest, BareNumberOnTimeMetricIsMilliseconds) {
  EXPECT_DOUBLE_EQ(parse_ok("p(95) < 200", "http_req_duration").bound, 0.2);
  EXPECT_DOUBLE_EQ(parse_ok("avg < 1500", "http_req_waiting").bound, 1.5);
  // count is a plain number even on a time metric.
  EXPECT_DOUBLE_EQ(parse_ok("count > 200", "http_req_duration").bound, 200);
}

TEST(ThresholdTest, RatesAndPercent) {
  EXPECT_DOUBLE_EQ(parse_ok("rate < 0.01", "http_req_failed").bound, 0.01);
  EXPECT_DOUBLE_EQ(parse_ok("rate < 1%", "http_req_failed").bound, 0.01);
  EXPECT_DOUBLE_EQ(parse_ok("rate<=5 %", "http_req_status").bound, 0.05);
  EXPECT_DOUBLE_EQ(parse_ok("rate > 100", "http_reqs").bound, 100);  // per second
  EXPECT_DOUBLE_EQ(parse_ok("count < 10", "http_req_failed").bound, 10);
  EXPECT_DOUBLE_EQ(parse_ok("count < 1000000", "data_received").bound, 1e6);
}

TEST(ThresholdTest, WhitespaceTolerantAndKeepsExpression) {
  ThresholdCondition c = parse_ok("  p(95)<2s ", "http_req_duration");
  EXPECT_EQ(c.expression, "p(95)<2s");
  EXPECT_EQ(c.op, CompareOp::kLess);
  EXPECT_DOUBLE_EQ(c.bound, 2);
  EXPECT_DOUBLE_EQ(parse_ok("\tavg\t>=\t.5s", "http_req_duration").bound, 0.5);
}

TEST(ThresholdTest, ErrorMessages) {
  EXPECT_EQ(parse_error("p95 < 1s", "http_req_duration"),
            "unknown aggregation 'p95' (use avg, stddev, min, max, med, p(N), rate, count, "
            "max_count(W), max_rate(W), max_count_per_user(W), max_rate_per_user(W))");
  EXPECT_EQ(parse_error("p(95) < 2sec", "http_req_duration"),
            "unknown unit 'sec' (use us, ms, s, m, h)");
  EXPECT_EQ(parse_error("avg < 1", "http_req_failed"),
            "'avg' is not available for http_req_failed (use rate, count)");
  EXPECT_EQ(parse_error("rate < 1", "http_req_duration"),
            "'rate' is not available for http_req_duration (use avg, stddev, min, max, med, p(N), "
            "count)");
  EXPECT_EQ(parse_error("p(95) < 1", "iterations"),
            "'p(N)' is not available for iterations (use count, rate)");
  EXPECT_EQ(parse_error("p(0) < 1s", "http_req_duration"), "p(N) needs 0 < N <= 100, found p(0)");
  EXPECT_EQ(parse_error("p(101) < 1s", "http_req_duration"),
            "p(N) needs 0 < N <= 100, found p(101)");
  EXPECT_EQ(parse_error("p() < 1s", "http_req_duration"),
            "expected p(N) with a number N, e.g. p(95)");
  EXPECT_EQ(parse_error("p(95 < 1s", "http_req_duration"),
            "expected p(N) with a number N, e.g. p(95)");
  EXPECT_EQ(parse_error("", "http_req_duration"), "empty condition");
  EXPECT_EQ(parse_error("p(95)", "http_req_duration"),
            "expected a comparison operator (<, <=, >, >=, ==, !=), found end of condition");
  EXPECT_EQ(parse_error("avg = 1", "http_req_duration"),
            "unknown operator '=' (use <, <=, >, >=, ==, !=)");
  EXPECT_EQ(parse_error("avg <", "http_req_duration"), "expected a number, found end of condition");
  EXPECT_EQ(parse_error("avg < fast", "http_req_duration"), "expected a number, found 'fast'");
  EXPECT_EQ(parse_error("avg < 1s 2", "http_req_duration"), "unexpected '2' after the value");
  EXPECT_EQ(parse_error("avg < 1s * 2", "http_req_duration"), "unexpected '*' after the value");
  // A factor multiplies a stage reference only.
  EXPECT_EQ(parse_error("avg < 1 * 2", "http_req_duration"),
            "expected stage(NAME).aggregation after '*', found '2'");
  EXPECT_EQ(parse_error("avg < 5%", "http_req_duration"), "'%' is not allowed on a time value");
  EXPECT_EQ(parse_error("rate < 2", "http_req_failed"),
            "a rate is a fraction between 0 and 1 (or a percentage such as 5%)");
  EXPECT_EQ(parse_error("rate < 150%", "http_req_failed"),
            "a rate is a fraction between 0 and 1 (or a percentage such as 5%)");
  EXPECT_EQ(parse_error("count < 5s", "http_reqs"),
            "unexpected 's': 'count' of http_reqs is a plain number");
  EXPECT_EQ(parse_error("rate < 5%", "http_reqs"),
            "unexpected '%': 'rate' of http_reqs is a plain number");
  EXPECT_EQ(parse_error("< 1s", "http_req_duration"),
            "expected an aggregation such as p(95), avg or rate, found '<'");
}

// Quotas and bursts (docs/rate-limits.md): max_count(W) bounds the busiest W-long window;
// max_rate(W) reads the same peak as a rate per window, and its bound may name its unit.
TEST(ThresholdTest, WindowedAggregations) {
  ThresholdCondition burst = parse_ok("max_count(10s) <= 20", "http_reqs");
  EXPECT_EQ(burst.aggregation.kind, Kind::kMaxCount);
  EXPECT_DOUBLE_EQ(burst.aggregation.window_seconds, 10);
  EXPECT_DOUBLE_EQ(burst.bound, 20);
  ThresholdCondition quota = parse_ok("max_rate(60s) <= 30", "http_reqs");
  EXPECT_EQ(quota.aggregation.kind, Kind::kMaxRate);
  EXPECT_DOUBLE_EQ(quota.aggregation.window_seconds, 60);
  EXPECT_DOUBLE_EQ(quota.bound, 30);  // per window: 30 a minute
  EXPECT_DOUBLE_EQ(parse_ok("max_rate(10s) <= 120/m", "http_reqs").bound, 20);
  EXPECT_DOUBLE_EQ(parse_ok("max_rate(1m) < 0.5/s", "http_reqs").bound, 30);
  EXPECT_DOUBLE_EQ(parse_ok("max_rate(1h) <= 1000/h", "http_reqs").aggregation.window_seconds,
                   3600);
  EXPECT_DOUBLE_EQ(parse_ok("max_count(500ms) < 5", "http_reqs").aggregation.window_seconds, 0.5);
  EXPECT_EQ(parse_ok("max_count( 24h ) < 5", "http_reqs").aggregation.window_seconds, 86'400);
  EXPECT_EQ(custom_metric_info("provider_requests", false, false).aggregations.size(), 4u);
  EXPECT_TRUE(parse_condition("max_rate(60s) <= 30",
                              custom_metric_info("provider_requests", false, false), nullptr));
}

TEST(ThresholdTest, WindowedAggregationErrors) {
  EXPECT_EQ(parse_error("max_count < 5", "http_reqs"),
            "expected max_count(W) with a window such as 10s or 1m");
  EXPECT_EQ(parse_error("max_count(10) < 5", "http_reqs"),
            "expected max_count(W) with a window such as 10s or 1m");
  EXPECT_EQ(parse_error("max_rate(10x) < 5", "http_reqs"),
            "expected max_rate(W) with a window such as 10s or 1m");
  EXPECT_EQ(parse_error("max_count(0s) < 5", "http_reqs"),
            "max_count(W) needs a window above 0 and at most 24h");
  EXPECT_EQ(parse_error("max_count(25h) < 5", "http_reqs"),
            "max_count(W) needs a window above 0 and at most 24h");
  EXPECT_EQ(parse_error("max_rate(60s) <= 30/d", "http_reqs"),
            "expected a rate unit after '/': s, m or h (e.g. 30/m)");
  EXPECT_EQ(parse_error("max_count(10s) < 5/m", "http_reqs"), "unexpected '/' after the value");
  EXPECT_EQ(parse_error("max_count(10s) < 2 * stage(warmup).max_count(10s)", "http_reqs"),
            "'max_count(10s)' is compared with a number, not with a stage");
  EXPECT_EQ(parse_error("max_count(10s) < 5", "http_req_duration"),
            "'max_count(W)' is not available for http_req_duration (use avg, stddev, min, max, "
            "med, p(N), count)");
  EXPECT_EQ(parse_error("max_count(10s) < 5", "iterations"),
            "'max_count(W)' is not available for iterations (use count, rate)");
}

// Per-user quotas: the busiest single user's peak (max_count_per_user, max_rate_per_user).
TEST(ThresholdTest, PerUserWindowedAggregations) {
  const ThresholdCondition burst = parse_ok("max_count_per_user(10s) <= 20", "http_reqs");
  EXPECT_EQ(burst.aggregation.kind, Kind::kMaxCount);
  EXPECT_TRUE(burst.aggregation.per_user);
  EXPECT_DOUBLE_EQ(burst.aggregation.window_seconds, 10);
  const ThresholdCondition quota = parse_ok("max_rate_per_user(10s) <= 60/m", "http_reqs");
  EXPECT_EQ(quota.aggregation.kind, Kind::kMaxRate);
  EXPECT_TRUE(quota.aggregation.per_user);
  EXPECT_DOUBLE_EQ(quota.bound, 10);
  EXPECT_FALSE(parse_ok("max_count(10s) <= 20", "http_reqs").aggregation.per_user);
  EXPECT_EQ(quota.aggregation.to_string(), "max_rate_per_user(10s)");
  EXPECT_EQ(parse_error("max_count_per_user(10s) < 5", "http_req_duration"),
            "'max_count_per_user(W)' is available for http_reqs only");
  EXPECT_EQ(parse_error("max_count_per_user < 5", "http_reqs"),
            "expected max_count_per_user(W) with a window such as 10s or 1m");
}

TEST(ThresholdTest, AggregationToString) {
  EXPECT_EQ((Aggregation{Kind::kPercentile, 95}).to_string(), "p(95)");
  EXPECT_EQ((Aggregation{Kind::kPercentile, 99.9}).to_string(), "p(99.9)");
  EXPECT_EQ((Aggregation{Kind::kPercentile, 99.99}).to_string(), "p(99.99)");
  EXPECT_EQ((Aggregation{Kind::kAvg, 0}).to_string(), "avg");
  EXPECT_EQ((Aggregation{Kind::kStddev, 0}).to_string(), "stddev");
  EXPECT_EQ((Aggregation{Kind::kMaxCount, 0, 10}).to_string(), "max_count(10s)");
  EXPECT_EQ((Aggregation{Kind::kMaxRate, 0, 60}).to_string(), "max_rate(1m)");
  EXPECT_EQ((Aggregation{Kind::kMaxRate, 0, 7200}).to_string(), "max_rate(2h)");
  EXPECT_EQ((Aggregation{Kind::kMaxCount, 0, 1.5}).to_string(), "max_count(1.5s)");
  EXPECT_EQ((Aggregation{Kind::kMaxCount, 0, 0.25}).to_string(), "max_count(250ms)");
  EXPECT_EQ((Aggregation{Kind::kMin, 0}).to_string(), "min");
  EXPECT_EQ((Aggregation{Kind::kMax, 0}).to_string(), "max");
  EXPECT_EQ((Aggregation{Kind::kMed, 0}).to_string(), "med");
  EXPECT_EQ((Aggregation{Kind::kRate, 0}).to_string(), "rate");
  EXPECT_EQ((Aggregation{Kind::kCount, 0}).to_string(), "count");
}

TEST(ThresholdTest, ParseSelector) {
  std::string error;
  std::optional<MetricSelector> plain = parse_selector("http_reqs", &error);
  ASSERT_TRUE(plain) << error;
  EXPECT_EQ(plain->metric, "http_reqs");
  EXPECT_TRUE(plain->tags.empty());
  EXPECT_EQ(plain->to_string(), "http_reqs");

  std::optional<MetricSelector> tagged =
      parse_selector(" http_req_duration{ scenario: health , name:/api?x=1:2 } ", &error);
  ASSERT_TRUE(tagged) << error;
  EXPECT_EQ(tagged->metric, "http_req_duration");
  ASSERT_EQ(tagged->tags.size(), 2u);
  EXPECT_EQ(tagged->tags[0].first, "scenario");
  EXPECT_EQ(tagged->tags[0].second, "health");
  EXPECT_EQ(tagged->tags[1].first, "name");
  EXPECT_EQ(tagged->tags[1].second, "/api?x=1:2");
  EXPECT_EQ(tagged->to_string(), "http_req_duration{scenario:health,name:/api?x=1:2}");
}

TEST(ThresholdTest, ParseSelectorErrors) {
  std::string error;
  EXPECT_FALSE(parse_selector("", &error));
  EXPECT_EQ(error, "missing metric name");
  EXPECT_FALSE(parse_selector("{scenario:a}", &error));
  EXPECT_EQ(error, "missing metric name");
  EXPECT_FALSE(parse_selector("http_reqs{scenario:a", &error));
  EXPECT_EQ(error, "tag list must end with '}'");
  EXPECT_FALSE(parse_selector("http_reqs{scenario}", &error));
  EXPECT_EQ(error, "tag 'scenario' must be written key:value");
  EXPECT_FALSE(parse_selector("http_reqs{scenario:}", &error));
  EXPECT_EQ(error, "tag 'scenario:' needs a key and a value");
  EXPECT_FALSE(parse_selector("http_reqs{scenario:a,scenario:b}", &error));
  EXPECT_EQ(error, "tag 'scenario' is given twice");
  EXPECT_FALSE(parse_selector("http reqs", &error));
  EXPECT_EQ(error, "invalid metric name 'http reqs'");
  EXPECT_FALSE(parse_selector("http_reqs{a:{b}", &error));
  EXPECT_EQ(error, "unbalanced brace in the tag list");
}

// Request names such as /plans/{id} (the README's advice) hold braces and sometimes commas.
TEST(ThresholdTest, TagValuesMayHoldBracesAndCommas) {
  std::string error;
  const auto selector =
      parse_selector("http_req_duration{name:GET /plans/{id},{rev}, scenario:api}", &error);
  ASSERT_TRUE(selector) << error;
  ASSERT_EQ(selector->tags.size(), 2U);
  EXPECT_EQ(selector->tags[0].first, "name");
  EXPECT_EQ(selector->tags[0].second, "GET /plans/{id},{rev}");
  EXPECT_EQ(selector->tags[1].second, "api");
}

TEST(ThresholdTest, ValidateSelectorTags) {
  std::string error;
  auto check = [&](std::string_view key) {
    std::optional<MetricSelector> selector = parse_selector(key, &error);
    EXPECT_TRUE(selector) << error;
    if (!selector) return false;
    return validate_selector(&*selector, metric(selector->metric), &error);
  };
  EXPECT_TRUE(check("http_req_duration{scenario:a,name:/x,method:get}"));
  EXPECT_TRUE(check("http_reqs{status:404}"));
  EXPECT_TRUE(check("http_req_status{status:5xx}"));
  EXPECT_TRUE(check("iterations{scenario:a}"));
  EXPECT_FALSE(check("http_req_duration{status:200}"));
  EXPECT_EQ(error,
            "tag 'status' is not available for http_req_duration (use scenario, name, method, "
            "stage)");
  EXPECT_FALSE(check("iterations{name:/x}"));
  EXPECT_EQ(error, "tag 'name' is not available for iterations (use scenario)");
  EXPECT_FALSE(check("data_sent{scenario:a}"));
  EXPECT_EQ(error, "data_sent has no tags to filter on");
  EXPECT_FALSE(check("http_req_status"));
  EXPECT_EQ(error, "http_req_status needs a status tag, e.g. http_req_status{status:500}");
  EXPECT_FALSE(check("http_req_status{status:abc}"));
  EXPECT_EQ(error, "tag status:abc must be a status code 100-999 or a class such as 5xx");
  EXPECT_FALSE(check("http_reqs{method:fetch}"));
  EXPECT_EQ(error, "tag method:FETCH must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");

  MetricSelector lower{"http_reqs", {{"method", "post"}}};
  ASSERT_TRUE(validate_selector(&lower, metric("http_reqs"), &error)) << error;
  EXPECT_EQ(lower.tags[0].second, "POST");
}

TEST(ThresholdTest, Compare) {
  EXPECT_TRUE(compare(1, CompareOp::kLess, 2));
  EXPECT_FALSE(compare(2, CompareOp::kLess, 2));
  EXPECT_TRUE(compare(2, CompareOp::kLessEqual, 2));
  EXPECT_FALSE(compare(2.5, CompareOp::kLessEqual, 2));
  EXPECT_TRUE(compare(3, CompareOp::kGreater, 2));
  EXPECT_FALSE(compare(2, CompareOp::kGreater, 2));
  EXPECT_TRUE(compare(2, CompareOp::kGreaterEqual, 2));
  EXPECT_FALSE(compare(1, CompareOp::kGreaterEqual, 2));
  EXPECT_TRUE(compare(2, CompareOp::kEqual, 2));
  EXPECT_FALSE(compare(2, CompareOp::kNotEqual, 2));
  EXPECT_TRUE(compare(2, CompareOp::kNotEqual, 3));
}

TEST(ThresholdTest, CompareEdgeCases) {
  // == and != tolerate floating-point noise; < and > stay strict.
  EXPECT_TRUE(compare(0.1 + 0.2, CompareOp::kEqual, 0.3));
  EXPECT_FALSE(compare(0.1 + 0.2, CompareOp::kNotEqual, 0.3));
  EXPECT_TRUE(compare(0.1 + 0.2, CompareOp::kLessEqual, 0.3));
  EXPECT_TRUE(compare(0.3, CompareOp::kGreaterEqual, 0.1 + 0.2));
  EXPECT_FALSE(compare(1.0, CompareOp::kEqual, 1.001));
  EXPECT_TRUE(compare(0, CompareOp::kEqual, 0));
  EXPECT_TRUE(compare(0, CompareOp::kEqual, -0.0));
  EXPECT_FALSE(compare(1e-12, CompareOp::kEqual, 0));  // relative: nothing is "near" zero
  EXPECT_TRUE(compare(1e15, CompareOp::kEqual, 1e15 + 1));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(compare(inf, CompareOp::kEqual, inf));
  EXPECT_TRUE(compare(inf, CompareOp::kGreater, 1e300));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (CompareOp op : {CompareOp::kLess, CompareOp::kLessEqual, CompareOp::kGreater,
                       CompareOp::kGreaterEqual, CompareOp::kEqual, CompareOp::kNotEqual}) {
    EXPECT_FALSE(compare(nan, op, 1));
  }
}

// A MetricSource backed by a map from "selector|aggregation" to a value.
class FakeSource : public MetricSource {
 public:
  std::map<std::string, double> values;
  mutable std::vector<std::string> asked;

  std::optional<double> value(const MetricSelector& selector,
                              const Aggregation& aggregation) const override {
    const std::string key = selector.to_string() + "|" + aggregation.to_string();
    asked.push_back(key);
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

Threshold make_threshold(std::string_view key, const std::vector<std::string_view>& conditions) {
  std::string error;
  Threshold threshold;
  threshold.key = std::string(key);
  threshold.selector = parse_selector(key, &error).value();
  for (std::string_view text : conditions) {
    threshold.conditions.push_back(
        parse_condition(text, *find_metric(threshold.selector.metric), &error).value());
  }
  return threshold;
}

TEST(ThresholdTest, EvaluateAgainstSource) {
  std::vector<Threshold> thresholds = {
      make_threshold("http_req_duration{scenario:a}", {"p(95) < 500ms", "avg < 100"}),
      make_threshold("http_req_failed", {"rate < 1%"}),
      make_threshold("iterations", {"count > 0"}),
  };
  FakeSource source;
  source.values["http_req_duration{scenario:a}|p(95)"] = 0.4;
  source.values["http_req_duration{scenario:a}|avg"] = 0.2;  // > 100ms: fails
  source.values["http_req_failed|rate"] = 0.001;
  // iterations|count missing: no data passes.

  std::vector<ConditionResult> results = evaluate(thresholds, source);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(source.asked.size(), 4u);
  EXPECT_EQ(results[0].threshold, &thresholds[0]);
  EXPECT_EQ(results[0].condition, &thresholds[0].conditions[0]);
  EXPECT_TRUE(results[0].ok);
  EXPECT_DOUBLE_EQ(results[0].actual.value(), 0.4);
  EXPECT_FALSE(results[1].ok);
  EXPECT_DOUBLE_EQ(results[1].actual.value(), 0.2);
  EXPECT_EQ(results[1].condition, &thresholds[0].conditions[1]);
  EXPECT_TRUE(results[2].ok);
  EXPECT_EQ(results[2].threshold, &thresholds[1]);
  EXPECT_TRUE(results[3].ok);
  EXPECT_FALSE(results[3].actual.has_value());
}

TEST(ThresholdTest, EvaluateEmpty) {
  FakeSource source;
  EXPECT_TRUE(evaluate({}, source).empty());
  EXPECT_TRUE(source.asked.empty());
}

TEST(ThresholdTest, StageReferences) {
  ThresholdCondition c = parse_ok("p(95) < 2 * stage(warmup).p(95)", "http_req_duration");
  ASSERT_TRUE(c.reference.has_value());
  EXPECT_EQ(c.reference->stage, "warmup");
  EXPECT_DOUBLE_EQ(c.reference->factor, 2);
  EXPECT_EQ(c.reference->aggregation.kind, Kind::kPercentile);
  EXPECT_DOUBLE_EQ(c.reference->aggregation.percentile, 95);

  c = parse_ok("avg <= stage( ramp up ).avg * 1.5", "http_req_waiting");
  ASSERT_TRUE(c.reference.has_value());
  EXPECT_EQ(c.reference->stage, "ramp up");
  EXPECT_DOUBLE_EQ(c.reference->factor, 1.5);
  EXPECT_EQ(c.reference->aggregation.kind, Kind::kAvg);

  c = parse_ok("rate <= stage(warm-up).rate", "http_req_failed");
  ASSERT_TRUE(c.reference.has_value());
  EXPECT_EQ(c.reference->stage, "warm-up");
  EXPECT_DOUBLE_EQ(c.reference->factor, 1);
  EXPECT_FALSE(parse_ok("p(95) < 2s", "http_req_duration").reference.has_value());
}

TEST(ThresholdTest, StageReferenceErrors) {
  EXPECT_EQ(parse_error("p(95) < stage(warmup).count", "http_req_duration"),
            "'p(95)' cannot be compared with 'count': they are not in the same unit");
  EXPECT_EQ(parse_error("p(95) < stage(warmup)", "http_req_duration"),
            "expected '.' and an aggregation after stage(warmup), e.g. stage(warmup).p(95)");
  EXPECT_EQ(parse_error("p(95) < stage(warmup", "http_req_duration"),
            "expected ')' after the stage name");
  EXPECT_EQ(parse_error("p(95) < stage().p(95)", "http_req_duration"),
            "stage() needs a stage name, e.g. stage(warmup).p(95)");
  EXPECT_EQ(parse_error("p(95) < 2 * 3", "http_req_duration"),
            "expected stage(NAME).aggregation after '*', found '3'");
  EXPECT_EQ(parse_error("p(95) < stage(w).p(95) * x", "http_req_duration"),
            "expected a number after '*', found 'x'");
  EXPECT_EQ(parse_error("p(95) < stage(w).rate", "http_req_duration"),
            "'rate' is not available for http_req_duration (use avg, stddev, min, max, med, p(N), "
            "count)");
  EXPECT_EQ(parse_error("count < stage(w).count", "iterations"),
            "stage(...) is not available for iterations (it has no stage tag)");
  EXPECT_EQ(parse_error("p(95) < stage(w).p(95) 2", "http_req_duration"),
            "unexpected '2' after the value");
}

TEST(ThresholdTest, EvaluateStageReference) {
  std::vector<Threshold> thresholds = {
      make_threshold("http_req_duration{stage:spike}", {"p(95) < 2 * stage(warmup).p(95)"}),
      make_threshold("http_req_duration", {"p(95) < 3 * stage(warmup).p(95)"}),
      make_threshold("http_req_duration{stage:spike}", {"p(95) < stage(never).p(95)"}),
  };
  FakeSource source;
  source.values["http_req_duration{stage:spike}|p(95)"] = 1.0;
  source.values["http_req_duration{stage:warmup}|p(95)"] = 0.4;
  source.values["http_req_duration|p(95)"] = 0.9;
  std::vector<ConditionResult> results = evaluate(thresholds, source);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].ok);  // 1.0 is not below 2 * 0.4
  EXPECT_DOUBLE_EQ(results[0].bound.value(), 0.8);
  EXPECT_TRUE(results[1].ok);  // the whole run, 0.9 < 3 * 0.4; the stage tag is added
  EXPECT_DOUBLE_EQ(results[1].bound.value(), 1.2);
  EXPECT_TRUE(results[2].ok);  // a stage without data: nothing to compare with
  EXPECT_FALSE(results[2].bound.has_value());
  EXPECT_DOUBLE_EQ(results[2].actual.value(), 1.0);
}

TEST(ThresholdTest, StageChecksAndRetriesTags) {
  std::string error;
  auto check = [&](std::string_view key) {
    std::optional<MetricSelector> selector = parse_selector(key, &error);
    EXPECT_TRUE(selector) << error;
    if (!selector) return false;
    return validate_selector(&*selector, metric(selector->metric), &error);
  };
  EXPECT_TRUE(check("http_req_duration{stage:spike}"));
  EXPECT_TRUE(check("http_reqs{stage:spike,status:5xx}"));
  EXPECT_TRUE(check("http_req_failed{stage:spike}"));
  EXPECT_TRUE(check("checks{check:has an id}"));
  EXPECT_TRUE(check("checks{scenario:api,name:/x,check:status is 201}"));
  EXPECT_TRUE(check("http_req_retries{scenario:api,status:429}"));
  EXPECT_FALSE(check("http_req_duration{stage:spike,name:/x}"));
  EXPECT_EQ(error,
            "tag 'stage' cannot be combined with 'name': a stage's statistics cover all requests "
            "started during it");
  EXPECT_FALSE(check("checks{status:200}"));
  EXPECT_EQ(error,
            "tag 'status' is not available for checks (use scenario, name, method, check, "
            "stage)");
  EXPECT_FALSE(check("iterations{stage:spike}"));
  EXPECT_TRUE(metric("checks").rate_is_fraction);
  EXPECT_DOUBLE_EQ(parse_ok("rate > 99%", "checks").bound, 0.99);
  EXPECT_EQ(parse_error("count > 1", "checks"), "'count' is not available for checks (use rate)");
  EXPECT_EQ(parse_ok("count < 10", "http_req_retries").aggregation.kind, Kind::kCount);
}

TEST(ThresholdTest, CustomMetricInfo) {
  const MetricInfo latency = custom_metric_info("provider_latency", true, true);
  const MetricInfo score = custom_metric_info("score", true, false);
  const MetricInfo calls = custom_metric_info("provider_requests", false, false);
  std::string error;
  auto condition = [&](std::string_view text, const MetricInfo& info) {
    return parse_condition(text, info, &error);
  };
  EXPECT_DOUBLE_EQ(condition("p(95) < 800ms", latency).value().bound, 0.8);
  EXPECT_DOUBLE_EQ(condition("avg < 2s", latency).value().bound, 2);
  EXPECT_DOUBLE_EQ(condition("p(95) < 800", score).value().bound, 800);  // a plain number
  EXPECT_FALSE(condition("p(95) < 800ms", score));
  EXPECT_EQ(error, "unexpected 'ms': 'p(95)' of score is a plain number");
  EXPECT_DOUBLE_EQ(condition("count > 10", score).value().bound, 10);
  EXPECT_DOUBLE_EQ(condition("rate > 2.5", calls).value().bound, 2.5);  // per second
  EXPECT_FALSE(condition("p(95) < 1", calls));
  EXPECT_EQ(
      error,
      "'p(N)' is not available for provider_requests (use count, rate, max_count(W), max_rate(W))");
  EXPECT_FALSE(condition("p(95) < stage(a).p(95)", latency));  // no stage tag

  MetricSelector by_value{"provider_latency", {{"value", "groq"}}};
  EXPECT_TRUE(validate_selector(&by_value, latency, &error)) << error;
  MetricSelector by_scenario{"provider_latency", {{"scenario", "a"}}};
  EXPECT_FALSE(validate_selector(&by_scenario, latency, &error));
  EXPECT_EQ(error, "tag 'scenario' is not available for provider_latency (use value)");
}

}  // namespace
}  // namespace stampede
