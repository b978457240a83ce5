// Named load stages in results: merging by name, the JSON round trip, the `stage` tag and
// thresholds that compare one stage with another.
#include <gtest/gtest.h>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using std::chrono::milliseconds;

// `requests` requests with latencies first, 2 * first, ... and `failures` of them failed.
StageStats stage(const std::string& name, int requests, int failures, milliseconds first,
                 double seconds) {
  StageStats s;
  s.name = name;
  s.duration_seconds = seconds;
  s.stats.requests = requests;
  s.stats.failures = failures;
  s.stats.statuses.add(200, requests - failures);
  s.stats.statuses.add(503, failures);
  for (int i = 0; i < requests; ++i) s.stats.latency.record(first * (i + 1));
  return s;
}

Result staged() {
  Result r;
  r.duration_seconds = 30;
  ResultRow row;
  row.key = {"s", "/", "GET"};
  row.stats.requests = 300;
  r.rows.push_back(row);
  r.stages.push_back(stage("warmup", 100, 0, milliseconds(1), 10));  // 1..100 ms
  r.stages.push_back(stage("spike", 200, 20, milliseconds(2), 20));  // 2..400 ms
  return r;
}

Threshold threshold(const std::string& key, const std::string& text) {
  std::string error;
  Threshold t;
  t.key = key;
  t.selector = parse_selector(key, &error).value();
  t.conditions.push_back(parse_condition(text, *find_metric(t.selector.metric), &error).value());
  return t;
}

MetricSelector on_stage(const std::string& metric, const std::string& name) {
  return {metric, {{"stage", name}}};
}

TEST(ResultStages, MergeByNameKeepsOrderAndHistograms) {
  Result a = staged();
  Result b;
  b.stages.push_back(stage("spike", 200, 0, milliseconds(2), 21));
  b.stages.push_back(stage("recover", 10, 0, milliseconds(1), 5));
  a.merge(b);
  ASSERT_EQ(a.stages.size(), 3u);
  EXPECT_EQ(a.stages[0].name, "warmup");
  EXPECT_EQ(a.stages[1].name, "spike");
  EXPECT_EQ(a.stages[2].name, "recover");
  EXPECT_EQ(a.stages[1].stats.requests, 400u);
  EXPECT_EQ(a.stages[1].stats.failures, 20u);
  EXPECT_EQ(a.stages[1].stats.latency.count(), 400u);
  EXPECT_EQ(a.stages[1].stats.statuses.get(503), 20u);
  EXPECT_DOUBLE_EQ(a.stages[1].duration_seconds, 21);
  EXPECT_EQ(a.stages[0].stats.requests, 100u);
}

TEST(ResultStages, JsonRoundTripIsExact) {
  Result r = staged();
  r.stages[1].stats.retries = 7;
  r.stages[1].stats.retried_statuses.add(429, 7);
  r.stages[1].stats.checks.push_back({"status is 200", 180, 20});
  const nlohmann::json j = result_to_json(r);
  ASSERT_EQ(j["stages"].size(), 2u);
  const nlohmann::json& spike = j["stages"][1];
  EXPECT_EQ(spike["name"], "spike");
  EXPECT_EQ(spike["requests"], 200);
  EXPECT_EQ(spike["failures"], 20);
  EXPECT_DOUBLE_EQ(spike["rps"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(spike["duration_seconds"].get<double>(), 20);
  EXPECT_NEAR(spike["latency_seconds"]["p50"].get<double>(), 0.2, 0.2e-3);
  EXPECT_EQ(spike["status_codes"]["503"], 20);
  EXPECT_EQ(spike["retries"], 7);
  EXPECT_EQ(spike["checks"][0]["fails"], 20);
  EXPECT_TRUE(spike["histograms"].contains("latency"));

  std::string error;
  auto back = result_from_json(nlohmann::json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->stages.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->stages[i].name, r.stages[i].name);
    EXPECT_EQ(back->stages[i].stats.latency, r.stages[i].stats.latency);
    EXPECT_EQ(back->stages[i].stats.requests, r.stages[i].stats.requests);
    EXPECT_DOUBLE_EQ(back->stages[i].duration_seconds, r.stages[i].duration_seconds);
  }
  EXPECT_EQ(back->stages[1].stats.retried_statuses.get(429), 7u);
  EXPECT_EQ(back->stages[1].stats.checks[0].passes, 180u);
  EXPECT_EQ(result_to_json(*back), j);
}

TEST(ResultStages, BadStageHistogramIsAnError) {
  nlohmann::json j = result_to_json(staged());
  j["stages"][0]["histograms"]["latency"]["buckets"] = "junk";
  std::string error;
  EXPECT_FALSE(result_from_json(j, &error));
  EXPECT_NE(error.find("stages.warmup"), std::string::npos) << error;
}

TEST(ResultStages, StageTagSelectsTheStage) {
  const Result r = staged();
  ResultMetrics m(r);
  using K = Aggregation::Kind;
  EXPECT_DOUBLE_EQ(*m.value(on_stage("http_reqs", "spike"), {K::kCount, 0}), 200);
  EXPECT_DOUBLE_EQ(*m.value(on_stage("http_reqs", "spike"), {K::kRate, 0}), 10);  // 200 / 20 s
  EXPECT_DOUBLE_EQ(*m.value(on_stage("http_req_failed", "spike"), {K::kRate, 0}), 0.1);
  EXPECT_NEAR(*m.value(on_stage("http_req_duration", "warmup"), {K::kMax, 0}), 0.1, 1e-9);
  EXPECT_NEAR(*m.value(on_stage("http_req_duration", "spike"), {K::kPercentile, 95}), 0.38,
              0.38e-3);
  MetricSelector status = on_stage("http_req_status", "spike");
  status.tags.emplace_back("status", "5xx");
  EXPECT_DOUBLE_EQ(*m.value(status, {K::kRate, 0}), 0.1);
  EXPECT_FALSE(m.value(on_stage("http_req_duration", "never"), {K::kAvg, 0}));
  EXPECT_FALSE(m.value(on_stage("http_reqs", "never"), {K::kCount, 0}));
  // Without the tag: the rows, as before.
  EXPECT_DOUBLE_EQ(*m.value({"http_reqs", {}}, {K::kCount, 0}), 300);

  Result unknown_length = staged();
  unknown_length.stages[1].duration_seconds = 0;
  ResultMetrics u(unknown_length);
  EXPECT_FALSE(u.value(on_stage("http_reqs", "spike"), {K::kRate, 0}));
}

TEST(ResultStages, ThresholdComparesStagesOnTheMergedResult) {
  // spike p(95) is 380 ms, warmup's 95 ms: 380 < 2 * 95 fails, 380 < 5 * 95 passes.
  std::string error;
  auto merged = result_from_json(result_to_json(staged()), &error);
  ASSERT_TRUE(merged) << error;
  judge_thresholds({threshold("http_req_duration{stage:spike}", "p(95) < 2 * stage(warmup).p(95)"),
                    threshold("http_req_duration{stage:spike}", "p(95) < stage(warmup).p(95) * 5"),
                    threshold("http_req_failed{stage:spike}", "rate <= stage(warmup).rate")},
                   *merged);
  ASSERT_EQ(merged->thresholds.size(), 3u);
  const ThresholdOutcome& twice = merged->thresholds[0];
  EXPECT_FALSE(twice.ok);
  EXPECT_TRUE(twice.is_time);
  EXPECT_NEAR(*twice.actual, 0.38, 0.38e-3);
  EXPECT_NEAR(*twice.bound, 0.19, 0.19e-3);
  EXPECT_TRUE(merged->thresholds[1].ok);
  EXPECT_FALSE(merged->thresholds[2].ok);  // 10 % failed in the spike, none in the warmup
  EXPECT_DOUBLE_EQ(*merged->thresholds[2].bound, 0);
  const nlohmann::json j = threshold_to_json(twice);
  EXPECT_NEAR(j["bound"].get<double>(), 0.19, 0.19e-3);
  EXPECT_FALSE(threshold_to_json(ThresholdOutcome{}).contains("bound"));
}

}  // namespace
}  // namespace stampede
