// A user's own peak in a sliding window (max_count_per_user): exact, against brute force.
#include "stats/sliding_peak.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

// The most of `times` in any window [t, t + w).
std::uint64_t brute_force(const std::vector<std::uint64_t>& times, std::uint64_t w) {
  std::uint64_t best = 0;
  for (const std::uint64_t start : times) {
    const auto n = std::count_if(times.begin(), times.end(),
                                 [&](std::uint64_t t) { return t >= start && t < start + w; });
    best = std::max<std::uint64_t>(best, static_cast<std::uint64_t>(n));
  }
  return best;
}

TEST(SlidingPeak, CountsTheWindowEndingAtEachSend) {
  SlidingPeak peak(1000);
  EXPECT_EQ(peak.add(0), 1u);
  EXPECT_EQ(peak.add(999), 2u);
  EXPECT_EQ(peak.add(1000), 2u);  // [1000 - 1000] left: windows are half-open
  EXPECT_EQ(peak.add(1000), 3u);  // the same instant twice
  EXPECT_EQ(peak.add(5000), 1u);
  EXPECT_EQ(peak.peak(), 3u);
}

TEST(SlidingPeak, MatchesBruteForceOnRandomSends) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::uint64_t> times;
    std::uint64_t t = 0;
    for (int i = 0; i < 300; ++i) {
      t += rng() % 50;
      times.push_back(t);
    }
    const std::uint64_t w = 1 + rng() % 400;
    SlidingPeak peak(w);
    for (const std::uint64_t at : times) peak.add(at);
    EXPECT_EQ(peak.peak(), brute_force(times, w)) << "window " << w;
  }
}

TEST(SlidingPeak, ResultsKeepTheBusiestUsersPeakPerSelectorAndWindow) {
  Result a;
  a.user_windows = {{"http_reqs", 60, 12}, {"http_reqs", 10, 5}};
  Result b;
  b.user_windows = {{"http_reqs", 60, 20}, {"http_reqs{name:x}", 60, 3}};
  a.merge(b);
  ASSERT_EQ(a.user_windows.size(), 3u);
  EXPECT_EQ(a.user_windows[0].max_count, 20u);
  EXPECT_EQ(a.user_windows[1].max_count, 5u);
  std::string error;
  const auto back = result_from_json(result_to_json(a), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->user_windows.size(), 3u);
  EXPECT_EQ(back->user_windows[2].selector, "http_reqs{name:x}");
  EXPECT_EQ(back->user_windows[2].max_count, 3u);
  // Thresholds read the peak of their selector and window.
  Threshold t;
  t.selector = {"http_reqs", {}};
  std::string parse_error;
  t.conditions.push_back(
      *parse_condition("max_count_per_user(1m) <= 15", *find_metric("http_reqs"), &parse_error));
  judge_thresholds({t}, a);
  ASSERT_EQ(a.thresholds.size(), 1u);
  EXPECT_EQ(a.thresholds[0].actual, 20);
  EXPECT_FALSE(a.thresholds[0].ok);
}

}  // namespace
}  // namespace stampede
