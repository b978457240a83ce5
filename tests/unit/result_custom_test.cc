// Custom metrics in results: bounded values, merging by name and value, the JSON round trip and
// thresholds on trends and counters.
#include <gtest/gtest.h>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using K = Aggregation::Kind;

// A trend in milliseconds: values first, 2 * first, ... (ms) for one `by` value.
CustomValueStats ms_values(const std::string& value, int count, int first_ms) {
  CustomValueStats v;
  v.value = value;
  v.count = count;
  for (int i = 1; i <= count; ++i) v.histogram.record(std::chrono::milliseconds(first_ms * i));
  return v;
}

CustomMetricStats latency_metric() {
  CustomMetricStats m;
  m.name = "provider_latency";
  m.unit = "ms";
  m.values.push_back(ms_values("groq", 100, 10));    // 10..1000 ms
  m.values.push_back(ms_values("openai", 100, 20));  // 20..2000 ms
  return m;
}

CustomMetricStats score_metric() {  // a plain trend: 0.5, 1.0, ... 50.0
  CustomMetricStats m;
  m.name = "score";
  CustomValueStats& v = m.values.emplace_back();
  v.count = 100;
  for (int i = 1; i <= 100; ++i) v.histogram.record_ns(static_cast<std::uint64_t>(i) * 500U);
  return m;
}

CustomMetricStats counter_metric() {
  CustomMetricStats m;
  m.name = "provider_requests";
  m.kind = CustomMetricStats::Kind::kCounter;
  m.values.push_back({"groq", 30, {}});
  m.values.push_back({"openai", 70, {}});
  return m;
}

Result sample() {
  Result r;
  r.duration_seconds = 10;
  r.custom = {latency_metric(), score_metric(), counter_metric()};
  return r;
}

MetricSelector sel(std::string metric, std::vector<std::pair<std::string, std::string>> tags = {}) {
  return {std::move(metric), std::move(tags)};
}

TEST(CustomValueSlot, BoundsTheValuesThenUsesOther) {
  CustomMetricStats m;
  for (std::size_t i = 0; i < kMaxCustomValues; ++i) {
    custom_value_slot(m, "v" + std::to_string(i)).count += 1;
  }
  EXPECT_EQ(m.values.size(), kMaxCustomValues);
  custom_value_slot(m, "v3").count += 1;  // known values keep their entry
  EXPECT_EQ(m.values[3].count, 2u);
  custom_value_slot(m, "late").count += 1;
  custom_value_slot(m, "later").count += 1;
  ASSERT_EQ(m.values.size(), kMaxCustomValues + 1);
  EXPECT_EQ(m.values.back().value, "other");
  EXPECT_EQ(m.values.back().count, 2u);
}

TEST(CustomMetrics, MergeByNameThenValueIsExact) {
  Result a = sample();
  Result b;
  CustomMetricStats more = latency_metric();
  more.values.push_back(ms_values("mistral", 10, 5));
  more.values.erase(more.values.begin() + 1);  // groq and mistral only
  b.custom.push_back(more);
  CustomMetricStats extra = counter_metric();
  extra.name = "tokens";
  b.custom.push_back(extra);
  a.merge(b);

  ASSERT_EQ(a.custom.size(), 4u);
  EXPECT_EQ(a.custom[3].name, "tokens");
  EXPECT_EQ(a.custom[3].kind, CustomMetricStats::Kind::kCounter);
  const CustomMetricStats& latency = a.custom[0];
  ASSERT_EQ(latency.values.size(), 3u);
  EXPECT_EQ(latency.values[0].value, "groq");
  EXPECT_EQ(latency.values[0].count, 200u);
  EXPECT_EQ(latency.values[0].histogram.count(), 200u);
  CustomValueStats expected = ms_values("groq", 100, 10);
  expected.histogram.merge(ms_values("groq", 100, 10).histogram);
  EXPECT_EQ(latency.values[0].histogram, expected.histogram);
  EXPECT_EQ(latency.values[1].count, 100u);  // openai: only in a
  EXPECT_EQ(latency.values[2].value, "mistral");
}

TEST(CustomMetrics, MergeOverflowGoesToOther) {
  Result a;
  Result b;
  CustomMetricStats& mine = a.custom.emplace_back();
  mine.name = "m";
  mine.kind = CustomMetricStats::Kind::kCounter;
  CustomMetricStats theirs = mine;
  for (std::size_t i = 0; i < kMaxCustomValues; ++i) {
    mine.values.push_back({"a" + std::to_string(i), 1, {}});
    theirs.values.push_back({"b" + std::to_string(i), 2, {}});
  }
  theirs.values.push_back({"other", 5, {}});
  b.custom.push_back(theirs);
  a.merge(b);
  const std::vector<CustomValueStats>& values = a.custom[0].values;
  ASSERT_EQ(values.size(), kMaxCustomValues + 1);
  EXPECT_EQ(values.back().value, "other");
  EXPECT_EQ(values.back().count, kMaxCustomValues * 2 + 5);
  std::uint64_t total = 0;
  for (const auto& v : values) total += v.count;
  EXPECT_EQ(total, kMaxCustomValues * 3 + 5);  // nothing lost
}

TEST(CustomMetrics, JsonRoundTripIsExact) {
  const Result r = sample();
  const nlohmann::json j = result_to_json(r);
  ASSERT_EQ(j["custom"].size(), 3u);
  const nlohmann::json& latency = j["custom"][0];
  EXPECT_EQ(latency["name"], "provider_latency");
  EXPECT_EQ(latency["kind"], "trend");
  EXPECT_EQ(latency["unit"], "ms");
  EXPECT_EQ(latency["values"][0]["value"], "groq");
  EXPECT_EQ(latency["values"][0]["count"], 100);
  // Percentiles in the metric's unit (ms here).
  EXPECT_NEAR(latency["values"][0]["stats"]["p95"].get<double>(), 950, 1);
  EXPECT_NEAR(latency["values"][0]["stats"]["max"].get<double>(), 1000, 1e-9);
  EXPECT_TRUE(latency["values"][0].contains("histogram"));
  EXPECT_NEAR(j["custom"][1]["values"][0]["stats"]["max"].get<double>(), 50, 1e-9);
  EXPECT_EQ(j["custom"][1]["unit"], "");
  const nlohmann::json& counter = j["custom"][2];
  EXPECT_EQ(counter["kind"], "counter");
  EXPECT_FALSE(counter["values"][0].contains("histogram"));
  EXPECT_DOUBLE_EQ(counter["values"][1]["rate"].get<double>(), 7);

  std::string error;
  auto back = result_from_json(nlohmann::json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->custom.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back->custom[i].name, r.custom[i].name);
    EXPECT_EQ(back->custom[i].kind, r.custom[i].kind);
    EXPECT_EQ(back->custom[i].unit, r.custom[i].unit);
    ASSERT_EQ(back->custom[i].values.size(), r.custom[i].values.size());
    for (std::size_t v = 0; v < r.custom[i].values.size(); ++v) {
      EXPECT_EQ(back->custom[i].values[v].value, r.custom[i].values[v].value);
      EXPECT_EQ(back->custom[i].values[v].count, r.custom[i].values[v].count);
      EXPECT_EQ(back->custom[i].values[v].histogram, r.custom[i].values[v].histogram);
    }
  }
  EXPECT_EQ(result_to_json(*back), j);
}

TEST(CustomMetrics, MalformedCustomMetricsAreErrors) {
  std::string error;
  nlohmann::json j = result_to_json(sample());
  j["custom"][0]["kind"] = "gauge";
  EXPECT_FALSE(result_from_json(j, &error));
  EXPECT_EQ(error, "custom.provider_latency: unknown kind 'gauge'");
  j = result_to_json(sample());
  j["custom"][0]["values"][1]["histogram"]["buckets"] = "junk";
  EXPECT_FALSE(result_from_json(j, &error));
  EXPECT_NE(error.find("custom.provider_latency.openai.histogram"), std::string::npos) << error;
  j = result_to_json(sample());
  j["custom"][2]["values"][0].erase("count");
  EXPECT_FALSE(result_from_json(j, &error));
}

TEST(CustomMetrics, ThresholdValues) {
  const Result r = sample();
  ResultMetrics m(r);
  // Time trends in seconds, like the built-in time metrics.
  EXPECT_NEAR(*m.value(sel("provider_latency", {{"value", "groq"}}), {K::kPercentile, 95}), 0.95,
              0.95e-3);
  EXPECT_NEAR(*m.value(sel("provider_latency"), {K::kMax, 0}), 2.0, 1e-9);
  EXPECT_NEAR(*m.value(sel("provider_latency", {{"value", "groq"}}), {K::kAvg, 0}), 0.505, 1e-9);
  EXPECT_DOUBLE_EQ(*m.value(sel("provider_latency"), {K::kCount, 0}), 200);
  EXPECT_FALSE(m.value(sel("provider_latency", {{"value", "nobody"}}), {K::kMed, 0}));
  // Plain trends in their own numbers.
  EXPECT_NEAR(*m.value(sel("score"), {K::kMax, 0}), 50, 1e-9);
  EXPECT_NEAR(*m.value(sel("score"), {K::kMin, 0}), 0.5, 1e-9);
  EXPECT_NEAR(*m.value(sel("score"), {K::kMed, 0}), 25, 25e-3);
  // Counters: count and count per second of the run.
  EXPECT_DOUBLE_EQ(*m.value(sel("provider_requests"), {K::kCount, 0}), 100);
  EXPECT_DOUBLE_EQ(*m.value(sel("provider_requests", {{"value", "openai"}}), {K::kRate, 0}), 7);
  EXPECT_DOUBLE_EQ(*m.value(sel("provider_requests", {{"value", "nobody"}}), {K::kCount, 0}), 0);
  // A declared metric that recorded nothing: counts are 0, trends have no data.
  EXPECT_DOUBLE_EQ(*m.value(sel("never_seen"), {K::kCount, 0}), 0);
  EXPECT_FALSE(m.value(sel("never_seen"), {K::kPercentile, 95}));
}

TEST(CustomMetrics, JudgedOnTheMergedResult) {
  std::string error;
  auto merged = result_from_json(result_to_json(sample()), &error);
  ASSERT_TRUE(merged) << error;
  merged->merge(*result_from_json(result_to_json(sample()), &error));
  auto make = [&](const std::string& key, const MetricInfo& info, const std::string& text) {
    Threshold t;
    t.key = key;
    t.selector = parse_selector(key, &error).value();
    t.conditions.push_back(parse_condition(text, info, &error).value());
    return t;
  };
  const MetricInfo latency = custom_metric_info("provider_latency", true, true);
  const MetricInfo score = custom_metric_info("score", true, false);
  const MetricInfo calls = custom_metric_info("provider_requests", false, false);
  judge_thresholds({make("provider_latency{value:groq}", latency, "p(95) < 800ms"),
                    make("score", score, "avg > 20"),
                    make("provider_requests{value:groq}", calls, "count == 60"),
                    make("provider_requests", calls, "rate < 15")},
                   *merged);
  ASSERT_EQ(merged->thresholds.size(), 4u);
  EXPECT_FALSE(merged->thresholds[0].ok);  // p(95) is 950 ms
  EXPECT_TRUE(merged->thresholds[0].is_time);
  EXPECT_TRUE(merged->thresholds[1].ok);  // avg 25.25
  EXPECT_FALSE(merged->thresholds[1].is_time);
  EXPECT_NEAR(*merged->thresholds[1].actual, 25.25, 1e-9);
  EXPECT_TRUE(merged->thresholds[2].ok);
  EXPECT_FALSE(merged->thresholds[3].ok);  // 200 over 10 s
  EXPECT_DOUBLE_EQ(*merged->thresholds[3].actual, 20);
}

}  // namespace
}  // namespace stampede
