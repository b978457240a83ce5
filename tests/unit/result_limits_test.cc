// The `limits:` entries in a result: JSON round trip, runners' entries merged, bad documents.
#include <gtest/gtest.h>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

LimitStats adaptive_entry(double rate, std::uint64_t requests, double throttled) {
  LimitStats s;
  s.selector = "http_reqs{scenario:groq}";
  s.adaptive = true;
  s.configured_rate = 10;
  s.rate = rate;
  s.lowest_rate = rate / 2;
  s.requests = requests;
  s.delayed = requests / 4;
  s.skipped = 3;
  s.delay_seconds = 1.5;
  s.throttled_seconds = throttled;
  s.signals = 7;
  s.decreases = 2;
  s.pauses = 1;
  return s;
}

Result result_with(std::vector<LimitStats> limits) {
  Result r;
  r.duration_seconds = 10;
  r.limits = std::move(limits);
  return r;
}

TEST(ResultLimits, SurviveTheJsonRoundTrip) {
  LimitStats fixed;
  fixed.selector = "http_reqs{name:chat}";
  fixed.configured_rate = 0.5;
  fixed.requests = 5;
  fixed.delayed = 4;
  fixed.delay_seconds = 20;
  fixed.throttled_seconds = 8;
  const Result r = result_with({adaptive_entry(40, 400, 3), fixed});
  const nlohmann::json j = result_to_json(r);
  ASSERT_EQ(j["limits"].size(), 2u);
  EXPECT_EQ(j["limits"][0]["selector"], "http_reqs{scenario:groq}");
  EXPECT_EQ(j["limits"][0]["decreases"], 2);
  EXPECT_FALSE(j["limits"][1].contains("decreases"));  // a fixed entry has no adaptive fields
  std::string error;
  const std::optional<Result> back = result_from_json(nlohmann::json::parse(j.dump()), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(result_to_json(*back), j);
  EXPECT_FALSE(result_to_json(result_with({})).contains("limits"));
}

TEST(ResultLimits, RunnersEntriesAddUpAndTheLongestThrottlingCounts) {
  Result a = result_with({adaptive_entry(40, 400, 3)});
  const Result b = result_with({adaptive_entry(20, 100, 5)});
  a.merge(b);
  ASSERT_EQ(a.limits.size(), 1u);
  const LimitStats& m = a.limits[0];
  EXPECT_DOUBLE_EQ(m.configured_rate, 20);
  EXPECT_DOUBLE_EQ(m.rate, 60);
  EXPECT_DOUBLE_EQ(m.lowest_rate, 30);
  EXPECT_EQ(m.requests, 500u);
  EXPECT_EQ(m.delayed, 125u);
  EXPECT_EQ(m.skipped, 6u);
  EXPECT_DOUBLE_EQ(m.delay_seconds, 3);
  EXPECT_DOUBLE_EQ(m.throttled_seconds, 5);  // side by side, not one after the other
  EXPECT_EQ(m.signals, 14u);
  EXPECT_EQ(m.decreases, 4u);
  EXPECT_EQ(m.pauses, 2u);
}

TEST(ResultLimits, MalformedEntriesAreRefusedWithAMessage) {
  const nlohmann::json good = result_to_json(result_with({adaptive_entry(40, 400, 3)}));
  const std::vector<std::pair<const char*, nlohmann::json>> edits = {{"requests", -1},
                                                                     {"requests", 1.5},
                                                                     {"delaySeconds", -2},
                                                                     {"rate", "fast"},
                                                                     {"throttledSeconds", nullptr},
                                                                     {"selector", 3}};
  for (const auto& [key, value] : edits) {
    nlohmann::json j = good;
    j["limits"][0][key] = value;
    std::string error;
    EXPECT_FALSE(result_from_json(j, &error)) << key;
    EXPECT_NE(error.find("limits"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace stampede
