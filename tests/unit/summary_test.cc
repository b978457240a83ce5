// The end-of-test summary's blocks for checks, retries, stages and custom metrics.
#include "report/summary.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace stampede {
namespace {

using std::chrono::milliseconds;

std::string summary_of(const Result& result) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  print_summary(out, Plan{}, result);
  std::fclose(out);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

Result plain() {
  Result r;
  r.duration_seconds = 10;
  ResultRow& row = r.rows.emplace_back();
  row.key = {"api", "/plans", "POST"};
  row.stats.requests = 100;
  row.stats.statuses.add(201, 100);
  for (int i = 1; i <= 100; ++i) row.stats.latency.record(milliseconds(i));
  return r;
}

Result rich() {
  Result r = plain();
  RequestStats& s = r.rows[0].stats;
  s.checks = {{"status is 201", 100, 0}, {"has an id", 70, 30}};
  s.retries = 12;
  s.retried_statuses.add(429, 12);
  StageStats& warmup = r.stages.emplace_back();
  warmup.name = "warmup";
  warmup.duration_seconds = 5;
  warmup.stats.requests = 40;
  warmup.stats.latency.record(milliseconds(20));
  StageStats& spike = r.stages.emplace_back();
  spike.name = "spike";
  spike.stats.requests = 60;
  spike.stats.failures = 6;
  CustomMetricStats& latency = r.custom.emplace_back();
  latency.name = "provider_latency";
  latency.unit = "ms";
  CustomValueStats& groq = custom_value_slot(latency, "groq");
  groq.count = 2;
  groq.histogram.record(milliseconds(400));
  groq.histogram.record(milliseconds(800));
  CustomMetricStats& score = r.custom.emplace_back();
  score.name = "score";
  CustomValueStats& plain_value = custom_value_slot(score, "");
  plain_value.count = 1;
  plain_value.histogram.record_ns(42'500);  // 42.5
  CustomMetricStats& calls = r.custom.emplace_back();
  calls.name = "provider_requests";
  calls.kind = CustomMetricStats::Kind::kCounter;
  custom_value_slot(calls, "openai").count = 9;
  ThresholdOutcome relative{"http_req_duration{stage:spike}", "p(95) < 2 * stage(warmup).p(95)",
                            0.5, true, false};
  relative.bound = 0.04;
  r.thresholds.push_back(relative);
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Summary, ChecksBlockLikeK6) {
  const std::string text = summary_of(rich());
  EXPECT_TRUE(contains(text, "checks        85.00%   ✓ 170   ✗ 30")) << text;
  EXPECT_TRUE(contains(text, "✓ api · /plans · status is 201")) << text;
  EXPECT_TRUE(contains(text, "✗ api · /plans · has an id")) << text;
  EXPECT_TRUE(contains(text, "70.00%   ✓ 70        ✗ 30")) << text;
}

TEST(Summary, RetriesLineAndColumn) {
  const std::string text = summary_of(rich());
  EXPECT_TRUE(contains(text, "retries       12   (429: 12)")) << text;
  EXPECT_TRUE(contains(text, " retries\n")) << "the rows table has a retries column:\n" << text;
}

TEST(Summary, StagesAndCustomMetrics) {
  const std::string text = summary_of(rich());
  EXPECT_TRUE(contains(text, "stage")) << text;
  EXPECT_TRUE(contains(text, "warmup")) << text;
  EXPECT_TRUE(contains(text, "8.00")) << "warmup: 40 requests in 5 s\n" << text;
  const std::size_t spike = text.find("  spike ");
  ASSERT_NE(spike, std::string::npos) << text;
  const std::string spike_line = text.substr(spike, text.find('\n', spike) - spike);
  // Unknown length and no latencies: dashes, not zeros.
  EXPECT_EQ(spike_line.find("µs"), std::string::npos) << spike_line;
  EXPECT_TRUE(contains(spike_line, "        6         -         -")) << spike_line;
  EXPECT_TRUE(contains(text, "custom metric")) << text;
  EXPECT_TRUE(contains(text, "provider_latency · groq")) << text;
  EXPECT_TRUE(contains(text, "800.0ms")) << text;
  EXPECT_TRUE(contains(text, "42.5")) << text;
  EXPECT_TRUE(contains(text, "provider_requests · openai")) << text;
  EXPECT_TRUE(contains(text, "bound 40.0ms")) << text;
}

TEST(Summary, LimitsShowWhatTheyLetThroughHeldBackAndWhereTheRateEnded) {
  Result r = plain();
  LimitStats& fixed = r.limits.emplace_back();
  fixed.selector = "http_reqs{scenario:groq}";
  fixed.configured_rate = 0.5;
  fixed.requests = 5;
  fixed.delayed = 4;
  fixed.delay_seconds = 20;
  fixed.throttled_seconds = 8;
  LimitStats& adaptive = r.limits.emplace_back();
  adaptive.selector = "http_reqs{name:chat}";
  adaptive.adaptive = true;
  adaptive.rate = 38.5;
  adaptive.lowest_rate = 31.25;
  adaptive.requests = 400;
  adaptive.skipped = 120;
  adaptive.signals = 9;
  adaptive.decreases = 3;
  adaptive.pauses = 1;
  const std::string text = summary_of(r);
  const std::size_t groq = text.find("  http_reqs{scenario:groq}");
  ASSERT_NE(groq, std::string::npos) << text;
  const std::string groq_line = text.substr(groq, text.find('\n', groq) - groq);
  // 5 requests in 10 s: 0.50/s achieved, as configured.
  EXPECT_TRUE(contains(groq_line, "0.50/s")) << groq_line;
  EXPECT_TRUE(contains(groq_line, "20.00s")) << groq_line;
  EXPECT_TRUE(contains(groq_line, "8.00s")) << groq_line;
  EXPECT_TRUE(contains(text, "40.00/s")) << text;  // the adaptive one's achieved rate
  EXPECT_TRUE(contains(text, "38.50/s")) << text;
  EXPECT_TRUE(contains(text,
                       "adaptive: 9 signals, 3 decreases (lowest 31.25/s), 1 Retry-After "
                       "pauses"))
      << text;
}

TEST(Summary, TheLoadGeneratorBlockSaysWhetherItWasSaturated) {
  Result r = plain();
  GeneratorStats& g = r.generators.emplace_back();
  g.runner = "0/1";
  g.cpu_seconds = 7.5;
  g.thread_cpu_seconds = {3.5, 4};
  g.peak_thread_cpu = 0.5;
  g.memory_baseline_bytes = 10 << 20;
  g.memory_peak_bytes = 12 << 20;
  g.memory_final_bytes = 11 << 20;
  g.peak_connections = 50;
  g.loop_lag = {1000, 0.0001, 0.002, 0.009};
  std::string text = summary_of(r);
  EXPECT_TRUE(contains(text, "  load generator 0/1\n")) << text;
  EXPECT_TRUE(contains(text,
                       "cpu          7.50s (worker threads 3.50s 4.00s; busiest second "
                       "50.00% of a core)"))
      << text;
  EXPECT_TRUE(contains(text, "memory       10.0 MiB at start, peak 12.0 MiB, growth +1.0 MiB"))
      << text;
  EXPECT_TRUE(contains(text, "loop lag     p50 100µs  p99 2.00ms  max 9.00ms")) << text;
  EXPECT_TRUE(contains(text, "saturated    no\n")) << text;

  g.saturated.push_back({2, 5, true, false, 0.97, 0.004});
  g.saturated.push_back({8, 9, false, true, 0.3, 0.08});
  g.saturated_seconds_total = 4;
  text = summary_of(r);
  EXPECT_TRUE(contains(text,
                       "saturated    4.00s of 10.00s: 2s–5s (cpu 97.00%), 8s–9s (loop lag "
                       "80.0ms)"))
      << text;
}

TEST(Summary, NothingExtraWithoutChecksRetriesStagesOrCustomMetrics) {
  const std::string text = summary_of(plain());
  EXPECT_FALSE(contains(text, "\n  limit ")) << text;
  EXPECT_FALSE(contains(text, "checks")) << text;
  EXPECT_FALSE(contains(text, "retries")) << text;
  EXPECT_FALSE(contains(text, "stage")) << text;
  EXPECT_FALSE(contains(text, "custom metric")) << text;
  EXPECT_FALSE(contains(text, "load generator")) << text;
}

}  // namespace
}  // namespace stampede
