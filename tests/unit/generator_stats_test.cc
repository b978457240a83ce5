// The generator's statistics in the result: JSON both ways, malformed documents refused, and
// runners kept side by side when results merge.
#include "stats/generator_stats.h"

#include <gtest/gtest.h>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

GeneratorStats sample(const std::string& runner) {
  GeneratorStats g;
  g.runner = runner;
  g.cpu_seconds = 3.5;
  g.thread_cpu_seconds = {1.5, 1.75};
  g.peak_thread_cpu = 0.97;
  g.memory_baseline_bytes = 10 << 20;
  g.memory_peak_bytes = 14 << 20;
  g.memory_final_bytes = 9 << 20;
  g.peak_connections = 50;
  g.loop_lag = {400, 0.0001, 0.003, 0.12};
  SaturatedInterval s;
  s.start_seconds = 2;
  s.end_seconds = 5;
  s.cpu = true;
  s.lag = true;
  s.peak_cpu = 0.97;
  s.peak_lag_seconds = 0.12;
  g.saturated = {s};
  g.saturated_seconds_total = 3;
  return g;
}

TEST(GeneratorStats, RoundTripsThroughJson) {
  const GeneratorStats g = sample("1/3");
  const nlohmann::json j = g.to_json();
  EXPECT_EQ(j["memory"]["growthBytes"], -(1 << 20));
  EXPECT_EQ(j["saturated"][0]["loopLag"], true);
  std::string error;
  const auto back = GeneratorStats::from_json(j, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->to_json(), j);
}

TEST(GeneratorStats, MalformedDocumentsAreRefused) {
  std::string error;
  nlohmann::json j = sample("0/1").to_json();
  j["cpuSeconds"] = -1;
  EXPECT_FALSE(GeneratorStats::from_json(j, &error));
  EXPECT_NE(error.find("cpuSeconds"), std::string::npos) << error;
  j = sample("0/1").to_json();
  j["saturated"][0]["endSeconds"] = 1;
  EXPECT_FALSE(GeneratorStats::from_json(j, &error));
  j = sample("0/1").to_json();
  j["memory"]["peakBytes"] = 1.5;
  EXPECT_FALSE(GeneratorStats::from_json(j, &error));
  j = sample("0/1").to_json();
  j["saturated"] = nlohmann::json::array();
  for (std::size_t i = 0; i <= kMaxSaturatedIntervals; ++i) {
    j["saturated"].push_back(sample("0/1").to_json()["saturated"][0]);
  }
  EXPECT_FALSE(GeneratorStats::from_json(j, &error));
  EXPECT_FALSE(GeneratorStats::from_json(nlohmann::json::array(), &error));
}

TEST(GeneratorStats, ResultsKeepEveryRunnersGenerator) {
  Result a;
  a.generators = {sample("0/2")};
  Result b;
  b.generators = {sample("1/2")};
  a.merge(b);
  ASSERT_EQ(a.generators.size(), 2u);
  EXPECT_EQ(a.generators[1].runner, "1/2");
  std::string error;
  const auto back = result_from_json(result_to_json(a), &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->generators.size(), 2u);
  EXPECT_EQ(back->generators[0].to_json(), a.generators[0].to_json());
}

}  // namespace
}  // namespace stampede
