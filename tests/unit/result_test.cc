#include "stats/result.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stats/result_json.h"

namespace stampede {
namespace {

using std::chrono::milliseconds;

ResultRow row(const std::string& scenario, const std::string& name, int requests, int failures,
              int status, milliseconds latency) {
  ResultRow r;
  r.key = {scenario, name, "GET"};
  r.stats.requests = requests;
  r.stats.failures = failures;
  r.stats.statuses.add(status, requests);
  for (int i = 0; i < requests; ++i) r.stats.latency.record(latency * (i + 1));
  return r;
}

Result sample() {
  Result r;
  r.plan_name = "demo";
  r.runner = "0/1";
  r.started_at = "2026-11-22T00:00:00Z";
  r.duration_seconds = 10;
  r.rows.push_back(row("browse", "/", 90, 0, 200, milliseconds(1)));
  r.rows.push_back(row("browse", "/missing", 10, 10, 404, milliseconds(2)));
  r.iterations["browse"] = {100, 3};
  r.series.push_back({1, 5, 100, 10, 0.001, 0.002, 0.003});
  return r;
}

MetricSelector sel(std::string metric, std::vector<std::pair<std::string, std::string>> tags = {}) {
  return {std::move(metric), std::move(tags)};
}

TEST(ResultMetrics, CountsRatesAndShares) {
  const Result r = sample();
  ResultMetrics m(r);
  using K = Aggregation::Kind;
  EXPECT_DOUBLE_EQ(*m.value(sel("http_reqs"), {K::kCount, 0}), 100);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_reqs"), {K::kRate, 0}), 10);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_failed"), {K::kRate, 0}), 0.1);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_status", {{"status", "404"}}), {K::kRate, 0}), 0.1);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_status", {{"status", "4xx"}}), {K::kCount, 0}), 10);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_reqs", {{"name", "/"}}), {K::kCount, 0}), 90);
  EXPECT_DOUBLE_EQ(*m.value(sel("dropped_iterations"), {K::kCount, 0}), 3);
  EXPECT_FALSE(m.value(sel("http_req_status"), {K::kRate, 0}).has_value());  // needs a status
}

TEST(ResultMetrics, TrendsFilterByTags) {
  const Result r = sample();
  ResultMetrics m(r);
  using K = Aggregation::Kind;
  // "/" saw 1..90 ms: max 90 ms, median 45 ms (within the histogram's 0.1 %).
  EXPECT_NEAR(*m.value(sel("http_req_duration", {{"name", "/"}}), {K::kMax, 0}), 0.090, 1e-9);
  EXPECT_NEAR(*m.value(sel("http_req_duration", {{"name", "/"}}), {K::kMed, 0}), 0.045, 0.045e-3);
  EXPECT_NEAR(*m.value(sel("http_req_duration"), {K::kPercentile, 100}), 0.090, 1e-9);
  EXPECT_FALSE(m.value(sel("http_req_duration", {{"scenario", "none"}}), {K::kAvg, 0}));
  // 1..90 ms evenly: the population standard deviation is sqrt((90^2 - 1) / 12) ms, exactly
  // (from the values' sums, not the buckets).
  const double stddev = std::sqrt((90.0 * 90.0 - 1) / 12) * 1e-3;
  EXPECT_NEAR(*m.value(sel("http_req_duration", {{"name", "/"}}), {K::kStddev, 0}), stddev, 1e-12);
  const nlohmann::json j = result_to_json(r);
  EXPECT_NEAR(j["requests"][0]["latency_seconds"]["stddev"].get<double>(), stddev, 1e-12);
  EXPECT_NEAR(j["latency_seconds"]["stddev"].get<double>(), r.totals().latency.stddev_ns() * 1e-9,
              1e-15);
}

// Windowed quotas (max_count, max_rate): the series travels in the result, merges slot by slot
// (the busiest window of two runners together, not the sum of their peaks), and the verdict
// says how much of the quota the busiest window used.
TEST(ResultWindows, TravelMergeAndJudge) {
  Result a = sample();
  Result b = sample();
  a.windows.push_back({"http_reqs", {}});
  b.windows.push_back({"http_reqs", {}});
  for (int i = 0; i < 10; ++i) a.windows[0].counts.add(1'000'000'000ULL + i * 10'000'000ULL);
  for (int i = 0; i < 10; ++i) b.windows[0].counts.add(1'005'000'000ULL + i * 10'000'000ULL);
  b.windows[0].counts.add(30'000'000'000ULL);
  std::string error;
  const std::optional<Result> parsed = result_from_json(result_to_json(a), &error);
  ASSERT_TRUE(parsed) << error;
  ASSERT_EQ(parsed->windows.size(), 1U);
  EXPECT_EQ(parsed->windows[0].selector, "http_reqs");
  EXPECT_EQ(parsed->windows[0].counts, a.windows[0].counts);
  a.merge(b);
  Threshold t;
  t.key = "http_reqs";
  t.selector = sel("http_reqs");
  const MetricInfo& info = *find_metric("http_reqs");
  t.conditions.push_back(*parse_condition("max_count(1s) <= 25", info, &error));
  t.conditions.push_back(*parse_condition("max_rate(1m) < 10/s", info, &error));
  t.conditions.push_back(*parse_condition("max_count(1s) >= 1", info, &error));
  judge_thresholds({t}, a);
  ASSERT_EQ(a.thresholds.size(), 3U);
  EXPECT_EQ(a.thresholds[0].actual, 20);  // each runner's peak is 10; together 20 in 0.1 s
  EXPECT_DOUBLE_EQ(*a.thresholds[0].utilization, 0.8);
  EXPECT_EQ(a.thresholds[1].actual, 21);
  EXPECT_DOUBLE_EQ(*a.thresholds[1].utilization, 21.0 / 600);
  EXPECT_FALSE(a.thresholds[2].utilization);  // a lower bound is not a quota
  EXPECT_FALSE(a.thresholds[0].is_time);
  const nlohmann::json judged = result_to_json(a);
  EXPECT_DOUBLE_EQ(judged["thresholds"][0]["utilization"].get<double>(), 0.8);
  // A selector the result holds no series for has no data.
  t.selector = sel("http_reqs", {{"status", "429"}});
  judge_thresholds({t}, a);
  EXPECT_FALSE(a.thresholds[0].actual);
  EXPECT_TRUE(a.thresholds[0].ok);
}

TEST(Result, MergeAddsRowsAndKeepsHistogramsExact) {
  Result a = sample();
  Result b = sample();
  b.duration_seconds = 12;
  b.rows.push_back(row("api", "/x", 5, 0, 200, milliseconds(3)));
  a.merge(b);
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(a.rows[0].stats.requests, 180u);
  EXPECT_EQ(a.rows[0].stats.latency.count(), 180u);
  EXPECT_EQ(a.rows[2].key.scenario, "api");
  EXPECT_EQ(a.iterations["browse"].iterations, 200u);
  EXPECT_EQ(a.series[0].requests, 200u);
  EXPECT_DOUBLE_EQ(a.duration_seconds, 12);
  EXPECT_EQ(a.totals().requests, 205u);
}

TEST(Result, ThresholdsAreJudgedOnTheMergedHistogramsNotOnAverages) {
  // Two runners: one fast (1..100 ms), one slow (101..200 ms). The merged p95 is 190 ms; the
  // mean of the runners' p95s would be 147.5 ms and pass a 150 ms threshold that must fail.
  Result fast;
  fast.duration_seconds = 10;
  fast.rows.push_back(row("s", "/", 100, 0, 200, milliseconds(1)));
  Result slow = fast;
  slow.rows[0].stats.latency.reset();
  for (int i = 101; i <= 200; ++i) slow.rows[0].stats.latency.record(milliseconds(i));
  std::string error;
  // Through JSON, as the operator receives them from the runners.
  auto merged = result_from_json(result_to_json(fast), &error);
  ASSERT_TRUE(merged) << error;
  merged->merge(*result_from_json(result_to_json(slow), &error));
  Threshold t;
  t.key = "http_req_duration";
  t.selector = sel("http_req_duration");
  std::string parse_error;
  auto condition =
      parse_condition("p(95) < 150ms", *find_metric("http_req_duration"), &parse_error);
  ASSERT_TRUE(condition) << parse_error;
  t.conditions.push_back(*condition);
  judge_thresholds({t}, *merged);
  ASSERT_EQ(merged->thresholds.size(), 1u);
  EXPECT_FALSE(merged->thresholds[0].ok);
  EXPECT_NEAR(*merged->thresholds[0].actual, 0.190, 0.190e-3);
  EXPECT_EQ(merged->totals().requests, 200u);
}

TEST(ResultJson, RoundTripKeepsEverythingMergeNeeds) {
  Result r = sample();
  r.rows[1].stats.errors[static_cast<std::size_t>(ErrorCategory::kReset)] = 2;
  r.thresholds.push_back({"http_req_failed", "rate < 0.01", 0.1, false, false});
  const auto j = result_to_json(r);
  EXPECT_EQ(j["schema"], "stampede.result/v1");
  EXPECT_EQ(j["totals"]["requests"], 100);
  EXPECT_EQ(j["totals"]["dropped"], 3);
  EXPECT_EQ(j["status_codes"]["404"], 10);
  EXPECT_EQ(j["errors"]["reset"], 2);
  EXPECT_EQ(j["thresholds"][0]["ok"], false);
  EXPECT_FALSE(j["thresholds_ok"].get<bool>());
  std::string error;
  auto back = result_from_json(nlohmann::json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->rows.size(), 2u);
  EXPECT_EQ(back->rows[1].stats.latency, r.rows[1].stats.latency);
  EXPECT_EQ(back->rows[1].stats.error_count(ErrorCategory::kReset), 2u);
  EXPECT_EQ(back->rows[1].stats.statuses.get(404), 10u);
  EXPECT_EQ(back->iterations["browse"].dropped, 3u);
  EXPECT_DOUBLE_EQ(back->duration_seconds, 10);
}

TEST(ResultJson, RejectsForeignDocuments) {
  std::string error;
  EXPECT_FALSE(result_from_json(nlohmann::json::parse(R"({"schema":"other"})"), &error));
  EXPECT_FALSE(error.empty());
  auto j = result_to_json(sample());
  j["requests"][0]["histograms"]["latency"]["buckets"] = "junk";
  EXPECT_FALSE(result_from_json(j, &error));
  j = result_to_json(sample());
  j["requests"][0].erase("requests");
  EXPECT_FALSE(result_from_json(j, &error));
}

// Checks and retries on rows: what the request side records per row.
Result with_checks_and_retries() {
  Result r = sample();
  RequestStats& home = r.rows[0].stats;
  home.checks = {{"status is 200", 90, 0}, {"has an id", 80, 10}};
  home.retries = 12;
  home.retried_statuses.add(429, 10);
  home.retried_statuses.add(0, 2);
  r.rows[1].stats.checks = {{"status is 200", 0, 10}};
  return r;
}

TEST(ResultJson, ChecksAndRetriesRoundTrip) {
  const Result r = with_checks_and_retries();
  const auto j = result_to_json(r);
  const auto& row = j["requests"][0];
  EXPECT_EQ(row["retries"], 12);
  EXPECT_EQ(row["retried_statuses"]["429"], 10);
  EXPECT_EQ(row["retried_statuses"]["0"], 2);
  ASSERT_EQ(row["checks"].size(), 2u);
  EXPECT_EQ(row["checks"][1]["name"], "has an id");
  EXPECT_EQ(row["checks"][1]["passes"], 80);
  EXPECT_EQ(row["checks"][1]["fails"], 10);
  EXPECT_EQ(j["totals"]["retries"], 12);
  EXPECT_EQ(j["checks"]["passes"], 170);
  EXPECT_EQ(j["checks"]["fails"], 20);
  EXPECT_NEAR(j["checks"]["rate"].get<double>(), 170.0 / 190, 1e-12);
  EXPECT_TRUE(result_to_json(sample())["checks"]["rate"].is_null());

  std::string error;
  auto back = result_from_json(nlohmann::json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  const RequestStats& home = back->rows[0].stats;
  EXPECT_EQ(home.retries, 12u);
  EXPECT_EQ(home.retried_statuses.get(429), 10u);
  EXPECT_EQ(home.retried_statuses.get(0), 2u);
  ASSERT_EQ(home.checks.size(), 2u);
  EXPECT_EQ(home.checks[0].name, "status is 200");
  EXPECT_EQ(home.checks[1].fails, 10u);
  EXPECT_EQ(back->rows[1].stats.checks[0].fails, 10u);
  EXPECT_EQ(result_to_json(*back), j);
}

TEST(ResultJson, OldResultsWithoutTheNewKeysStillParse) {
  auto j = result_to_json(sample());
  for (auto& row : j["requests"]) {
    row.erase("retries");
    row.erase("retried_statuses");
    row.erase("checks");
  }
  j.erase("stages");
  j.erase("custom");
  j.erase("checks");
  j["totals"].erase("retries");
  std::string error;
  auto back = result_from_json(j, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->rows[0].stats.retries, 0u);
  EXPECT_TRUE(back->rows[0].stats.checks.empty());
  EXPECT_TRUE(back->stages.empty());
  EXPECT_TRUE(back->custom.empty());
  EXPECT_EQ(back->rows[0].stats.latency, sample().rows[0].stats.latency);
}

TEST(Result, MergeAddsChecksAndRetries) {
  Result a = with_checks_and_retries();
  Result b = with_checks_and_retries();
  b.rows[0].stats.checks = {{"has an id", 5, 5}, {"new check", 1, 0}};  // another order
  a.merge(b);
  const RequestStats& home = a.rows[0].stats;
  EXPECT_EQ(home.retries, 24u);
  EXPECT_EQ(home.retried_statuses.get(429), 20u);
  ASSERT_EQ(home.checks.size(), 3u);
  EXPECT_EQ(home.checks[0].passes, 90u);
  EXPECT_EQ(home.checks[1].passes, 85u);
  EXPECT_EQ(home.checks[1].fails, 15u);
  EXPECT_EQ(home.checks[2].name, "new check");
}

TEST(ResultMetrics, ChecksAndRetries) {
  const Result r = with_checks_and_retries();
  ResultMetrics m(r);
  using K = Aggregation::Kind;
  // 170 of 190 evaluations passed; "status is 200": 90 of 100.
  EXPECT_NEAR(*m.value(sel("checks"), {K::kRate, 0}), 170.0 / 190, 1e-12);
  EXPECT_DOUBLE_EQ(*m.value(sel("checks", {{"check", "status is 200"}}), {K::kRate, 0}), 0.9);
  EXPECT_DOUBLE_EQ(*m.value(sel("checks", {{"check", "has an id"}}), {K::kRate, 0}), 80.0 / 90);
  EXPECT_DOUBLE_EQ(
      *m.value(sel("checks", {{"name", "/missing"}, {"check", "status is 200"}}), {K::kRate, 0}),
      0);
  EXPECT_FALSE(m.value(sel("checks", {{"check", "never"}}), {K::kRate, 0}));
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_retries"), {K::kCount, 0}), 12);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_retries"), {K::kRate, 0}), 1.2);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_retries", {{"status", "4xx"}}), {K::kCount, 0}), 10);
  EXPECT_DOUBLE_EQ(*m.value(sel("http_req_retries", {{"name", "/missing"}}), {K::kCount, 0}), 0);
}

TEST(Result, JudgedCountsAreNotDurations) {
  Result r = sample();
  Threshold t;
  t.key = "http_req_duration";
  t.selector = sel("http_req_duration");
  std::string error;
  t.conditions.push_back(*parse_condition("count > 10", *find_metric("http_req_duration"), &error));
  t.conditions.push_back(*parse_condition("p(95) < 1s", *find_metric("http_req_duration"), &error));
  judge_thresholds({t}, r);
  ASSERT_EQ(r.thresholds.size(), 2u);
  EXPECT_FALSE(r.thresholds[0].is_time);
  EXPECT_TRUE(r.thresholds[1].is_time);
  EXPECT_FALSE(r.thresholds[1].bound.has_value());
}

// A count that is not a whole number >= 0 is refused with a message. Before, nlohmann's
// get<uint64_t> cast it: 5e47 was undefined behaviour (UBSan, found by the result fuzz target)
// and -1 read as 18446744073709551615.
TEST(ResultJson, CountsMustBeWholeNumbers) {
  for (const char* bad : {"5.02222e+47", "-1", "1.5", "\"7\""}) {
    nlohmann::json j = result_to_json(sample());
    j["requests"][0]["requests"] = nlohmann::json::parse(bad);
    std::string error;
    EXPECT_FALSE(result_from_json(j, &error).has_value()) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  nlohmann::json j = result_to_json(sample());
  j["requests"][0]["stream"] = {{"streams", -3}};
  std::string error;
  EXPECT_FALSE(result_from_json(j, &error).has_value());
  EXPECT_NE(error.find("whole number"), std::string::npos) << error;
}

}  // namespace
}  // namespace stampede
