// The statistics of `stream:` rows: merged exactly, written and read back, and judged by the
// sse_* thresholds.
#include "stats/stream_stats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

using std::chrono::milliseconds;

StreamStats sample(int streams, milliseconds first, milliseconds gap, int events_each) {
  StreamStats s;
  for (int i = 0; i < streams; ++i) {
    ++s.streams;
    s.time_to_first_event.record(first);
    for (int e = 1; e < events_each; ++e) s.event_gap.record(gap);
    s.events += static_cast<std::uint64_t>(events_each);
    s.tokens += static_cast<std::uint64_t>(events_each);
    s.events_per_stream.record_ns(static_cast<std::uint64_t>(events_each));
    s.duration.record(first + gap * (events_each - 1));
    s.tokens_per_second.record_ns(static_cast<std::uint64_t>(
        std::int64_t{events_each} * 1000 * 1000 / (first + gap * (events_each - 1)).count()));
  }
  return s;
}

TEST(StreamStats, MergeIsTheUnion) {
  StreamStats a = sample(3, milliseconds(200), milliseconds(10), 5);
  const StreamStats b = sample(2, milliseconds(300), milliseconds(20), 4);
  a.merge(b);
  EXPECT_EQ(a.streams, 5u);
  EXPECT_EQ(a.events, 3u * 5 + 2u * 4);
  EXPECT_EQ(a.time_to_first_event.count(), 5u);
  EXPECT_EQ(a.event_gap.count(), 3u * 4 + 2u * 3);
  EXPECT_EQ(a.time_to_first_event.max_ns(), 300'000'000u);
}

Result result_with(const StreamStats& stream) {
  Result r;
  r.duration_seconds = 10;
  ResultRow row;
  row.key = {"s", "chat", "POST"};
  row.stats.requests = stream.streams;
  row.stats.stream = stream;
  r.rows.push_back(row);
  return r;
}

// A row's `stream` object in the result JSON, written and read back.
TEST(StreamStats, JsonRoundTrip) {
  const StreamStats s = sample(4, milliseconds(250), milliseconds(15), 6);
  nlohmann::json doc = result_to_json(result_with(s));
  const nlohmann::json& j = doc["requests"][0]["stream"];
  EXPECT_EQ(j["streams"], 4);
  EXPECT_NEAR(j["time_to_first_event_seconds"]["p50"].get<double>(), 0.25, 0.25 * 0.001);
  EXPECT_NEAR(j["tokens_per_second"]["p50"].get<double>(), 6 / 0.325, 0.1);
  EXPECT_EQ(j["events_per_stream"]["max"], 6);
  std::string error;
  const auto read = result_from_json(doc, &error);
  ASSERT_TRUE(read) << error;
  const StreamStats& back = read->rows.at(0).stats.stream;
  EXPECT_EQ(back.streams, s.streams);
  EXPECT_EQ(back.events, s.events);
  EXPECT_EQ(back.tokens, s.tokens);
  EXPECT_EQ(back.time_to_first_event, s.time_to_first_event);
  EXPECT_EQ(back.event_gap, s.event_gap);
  EXPECT_EQ(back.tokens_per_second, s.tokens_per_second);
  doc["requests"][0]["stream"]["histograms"]["event_gap"] = "not a histogram";
  EXPECT_FALSE(result_from_json(doc, &error).has_value());
  EXPECT_NE(error.find("stream.histograms.event_gap"), std::string::npos) << error;
}

// What the operator does with runners' results: read them back and merge them.
TEST(StreamStats, ResultsCarryThemAndMergeThem) {
  const Result a = result_with(sample(3, milliseconds(200), milliseconds(10), 5));
  const Result b = result_with(sample(1, milliseconds(400), milliseconds(10), 5));
  std::string error;
  auto read_a = result_from_json(result_to_json(a), &error);
  ASSERT_TRUE(read_a) << error;
  auto read_b = result_from_json(result_to_json(b), &error);
  ASSERT_TRUE(read_b) << error;
  read_a->merge(*read_b);
  const StreamStats& merged = read_a->rows.at(0).stats.stream;
  EXPECT_EQ(merged.streams, 4u);
  EXPECT_EQ(merged.events, 20u);
  EXPECT_EQ(merged.time_to_first_event.max_ns(), 400'000'000u);
}

TEST(StreamStats, ThresholdsReadThem) {
  Result r = result_with(sample(10, milliseconds(200), milliseconds(10), 5));
  std::string error;
  const auto selector = parse_selector("sse_time_to_first_event{name:chat}", &error);
  ASSERT_TRUE(selector) << error;
  const ResultMetrics metrics(r);
  const auto p95 = metrics.value(*selector, {Aggregation::Kind::kPercentile, 95});
  ASSERT_TRUE(p95.has_value());
  EXPECT_NEAR(*p95, 0.2, 0.2 * 0.001);
  const auto events =
      metrics.value(*parse_selector("sse_events", &error), {Aggregation::Kind::kCount, 0});
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(*events, 50);
  const auto tps =
      metrics.value(*parse_selector("sse_tokens_per_second", &error), {Aggregation::Kind::kMed, 0});
  ASSERT_TRUE(tps.has_value());
  EXPECT_NEAR(*tps, 5 / 0.24, 0.05);
  EXPECT_NE(find_metric("sse_event_gap"), nullptr);
  EXPECT_TRUE(find_metric("sse_event_gap")->is_time);
  EXPECT_FALSE(find_metric("sse_tokens_per_second")->is_time);
}

}  // namespace
}  // namespace stampede
