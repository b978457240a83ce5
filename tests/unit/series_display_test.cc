// The series the report's time charts draw: exact for short runs, min/max buckets for long ones.
#include "report/series_display.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace stampede {
namespace {

using nlohmann::json;

json point(double t, double users, int requests, int failures, double p50 = 0.01, double p95 = 0.02,
           double p99 = 0.03) {
  return {
      {"t", t},     {"users", users}, {"requests", requests}, {"failures", failures}, {"p50", p50},
      {"p95", p95}, {"p99", p99}};
}

TEST(SeriesDisplay, ShortSeriesKeepsEveryPointAsRates) {
  // The last point covers half a second (the run ended at 2.5 s); the second had no requests.
  const json series = {point(1, 10, 100, 5), point(2, 10, 0, 0, 0, 0, 0),
                       point(2.5, 4, 30, 1, 0.5, 0.6, 0.7)};
  const json d = display_series(series);
  EXPECT_EQ(d["points"], 3);
  EXPECT_EQ(d["bucket_points"], 1);
  EXPECT_EQ(d["t"], json({1.0, 2.0, 2.5}));
  EXPECT_EQ(d["requests_per_second"], json({100.0, 0.0, 60.0}));
  EXPECT_EQ(d["failures_per_second"], json({5.0, 0.0, 2.0}));
  EXPECT_EQ(d["users"], json({10.0, 10.0, 4.0}));
  // No requests, no latency: null, not the 0 the runner writes.
  EXPECT_EQ(d["p50"], json({0.01, nullptr, 0.5}));
  EXPECT_EQ(d["p99"], json({0.03, nullptr, 0.7}));
}

TEST(SeriesDisplay, NonPositiveIntervalHasNoRate) {
  const json d = display_series(json{point(1, 1, 10, 0), point(1, 1, 10, 0)});
  EXPECT_EQ(d["requests_per_second"], json({10.0, nullptr}));
}

TEST(SeriesDisplay, LongSeriesBecomesLowestAndHighestPerBucket) {
  json series = json::array();
  for (int i = 1; i <= 10; ++i) series.push_back(point(i, i, 100, 0));
  series[6]["requests"] = 900;               // a spike at t = 7
  series[2]["requests"] = 0;                 // a pause at t = 3: no latency there
  const json d = display_series(series, 2);  // 10 > 2 * 2 points: buckets of 5
  EXPECT_EQ(d["points"], 10);
  EXPECT_EQ(d["bucket_points"], 5);
  EXPECT_EQ(d["t"], json({1.0, 5.0, 6.0, 10.0}));
  EXPECT_EQ(d["requests_per_second"], json({0.0, 100.0, 100.0, 900.0}));
  EXPECT_EQ(d["users"], json({1.0, 5.0, 6.0, 10.0}));
  EXPECT_EQ(d["p95"], json({0.02, 0.02, 0.02, 0.02}));
}

TEST(SeriesDisplay, ADayOfSecondsFitsTheBucketsAndKeepsItsSpike) {
  json series = json::array();
  for (int i = 1; i <= 86'400; ++i) series.push_back(point(i, 50, 1000, 0));
  series[43'210]["requests"] = 25'000;
  const json d = display_series(series);
  EXPECT_EQ(d["points"], 86'400);
  EXPECT_LE(d["t"].size(), 2 * kMaxDisplayBuckets);
  EXPECT_GT(d["t"].size(), kMaxDisplayBuckets);
  const json& rps = d["requests_per_second"];
  EXPECT_EQ(*std::max_element(rps.begin(), rps.end()), 25'000.0);
  EXPECT_TRUE(std::is_sorted(d["t"].begin(), d["t"].end()));
  EXPECT_EQ(d["t"].back(), 86'400.0);
}

TEST(SeriesDisplay, EmptySeries) {
  const json d = display_series(json::array());
  EXPECT_EQ(d["points"], 0);
  EXPECT_TRUE(d["t"].empty());
  EXPECT_TRUE(d["p99"].empty());
}

}  // namespace
}  // namespace stampede
