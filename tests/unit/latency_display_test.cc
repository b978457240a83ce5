// The report's latency distribution and percentile curve, from the exact histograms.
#include "report/latency_display.h"

#include <gtest/gtest.h>

#include <cmath>

namespace stampede {
namespace {

using nlohmann::json;

Histogram sample() {
  Histogram h;
  for (int i = 1; i <= 1000; ++i)
    h.record_ns(static_cast<std::uint64_t>(i) * 100'000);  // 0.1..100 ms
  h.record_ns(2'000'000'000);                              // one 2 s outlier
  return h;
}

TEST(LatencyDisplay, DistributionCountsEveryRequestInLogBins) {
  const Histogram h = sample();
  const json d = latency_distribution(h);
  std::uint64_t total = 0;
  for (const json& c : d["count"]) total += c.get<std::uint64_t>();
  EXPECT_EQ(total, h.count());
  const json& lower = d["lower_seconds"];
  ASSERT_EQ(lower.size(), d["upper_seconds"].size());
  ASSERT_EQ(lower.size(), d["count"].size());
  // Contiguous bins, 20 per decade: each upper edge is the next lower edge, 10^(1/20) apart.
  for (std::size_t i = 0; i + 1 < lower.size(); ++i) {
    EXPECT_DOUBLE_EQ(d["upper_seconds"][i].get<double>(), lower[i + 1].get<double>());
    EXPECT_NEAR(lower[i + 1].get<double>() / lower[i].get<double>(), std::pow(10.0, 0.05), 1e-9);
  }
  EXPECT_LE(lower.front().get<double>(), 0.0001 * (1 + 1e-12));
  EXPECT_GT(d["upper_seconds"].back().get<double>(), 2.0);
  EXPECT_EQ(d["count"].back(), 1);  // the outlier, alone in the last bin
}

TEST(LatencyDisplay, CurveRisesFromTheFastestToTheSlowest) {
  const Histogram h = sample();
  const json c = percentile_curve(h);
  ASSERT_FALSE(c["seconds"].empty());
  EXPECT_EQ(c["nines"].front(), 0.0);
  EXPECT_EQ(c["percent"].front(), 0.0);
  // 1001 values tell apart three nines (99.9 %), not more.
  EXPECT_NEAR(c["nines"].back().get<double>(), 3.0, 1e-9);
  for (std::size_t i = 0; i + 1 < c["seconds"].size(); ++i) {
    EXPECT_LE(c["seconds"][i].get<double>(), c["seconds"][i + 1].get<double>());
  }
  EXPECT_NEAR(c["seconds"].front().get<double>(), 0.0001, 0.0001 * 1e-3);
  // p99.9 of 1001 values: the 1000th, 100 ms.
  EXPECT_NEAR(c["seconds"].back().get<double>(), 0.1, 0.1 * 1e-3);
}

TEST(LatencyDisplay, MergesTheRowsHistogramsAndSkipsRowsWithout) {
  Histogram a;
  a.record_ns(1'000'000);
  Histogram b;
  b.record_ns(3'000'000, 2);
  json rows = json::array();
  rows.push_back({{"name", "a"}, {"histograms", {{"latency", a.to_json()}}}});
  rows.push_back({{"name", "b"}, {"histograms", {{"latency", b.to_json()}}}});
  rows.push_back({{"name", "dropped for size"}});
  const json result = {{"requests", rows}};
  const auto merged = merged_latency(result);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->count(), 3u);
  EXPECT_EQ(merged->max_ns(), 3'000'000u);
  EXPECT_FALSE(merged_latency(json{{"requests", json::array({json{{"name", "x"}}})}}).has_value());
}

TEST(LatencyDisplay, EmptyHistogramDrawsNothing) {
  EXPECT_TRUE(latency_distribution(Histogram())["count"].empty());
  EXPECT_TRUE(percentile_curve(Histogram())["seconds"].empty());
}

}  // namespace
}  // namespace stampede
