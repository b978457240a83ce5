#include "controller/result_storage.h"

#include <gtest/gtest.h>

#include <random>

#include "base/gzip.h"
#include "kube/base64.h"

namespace stampede::op {
namespace {

using nlohmann::json;

json series_of(std::size_t length) {
  json series = json::array();
  for (std::size_t i = 1; i <= length; ++i) {
    const bool idle = i % 7 == 0;  // a second without requests reports 0 latency
    series.push_back({{"t", static_cast<double>(i)},
                      {"users", static_cast<double>(i % 50)},
                      {"requests", idle ? 0 : 100 + i % 13},
                      {"failures", i % 5 == 0 ? 1 : 0},
                      {"p50", idle ? 0.0 : 0.001 * static_cast<double>(i % 10)},
                      {"p95", idle ? 0.0 : 0.002 * static_cast<double>(i % 10)},
                      {"p99", idle ? 0.0 : 0.003 * static_cast<double>(i % 10)}});
  }
  return series;
}

std::uint64_t total(const json& series, const char* key) {
  std::uint64_t sum = 0;
  for (const auto& p : series) sum += p[key].get<std::uint64_t>();
  return sum;
}

TEST(DownsampleSeries, ShortSeriesAreKeptAsTheyAre) {
  json result = {{"series", series_of(7200)}};
  const json before = result;
  downsample_series(result);
  EXPECT_EQ(result, before);
}

// A day-long soak: 86,400 points become 7,200 steps of 12 s, counts exact, the highest latency
// of each step's busy seconds, the step ending at its last second.
TEST(DownsampleSeries, ADayBecomesStepsWithExactCounts) {
  const json series = series_of(86400);
  json result = {{"series", series}};
  downsample_series(result);
  const json& steps = result["series"];
  ASSERT_EQ(steps.size(), 7200u);
  EXPECT_EQ(result["series_step_points"], 12);
  EXPECT_EQ(total(steps, "requests"), total(series, "requests"));
  EXPECT_EQ(total(steps, "failures"), total(series, "failures"));
  EXPECT_EQ(steps[0]["t"], 12.0);
  EXPECT_EQ(steps.back()["t"], 86400.0);
  EXPECT_EQ(steps[0]["users"], series[11]["users"]);
  double p99 = 0;
  for (int i = 0; i < 12; ++i) p99 = std::max(p99, series[i]["p99"].get<double>());
  EXPECT_DOUBLE_EQ(steps[0]["p99"].get<double>(), p99);
}

// An uneven length leaves a shorter last step, still ending at the last point.
TEST(DownsampleSeries, AnUnevenTailIsAShorterStep) {
  json result = {{"series", series_of(25)}};
  downsample_series(result, 10);
  ASSERT_EQ(result["series"].size(), 9u);  // k = 3: 8 steps of 3 and 1 of 1
  EXPECT_EQ(result["series"].back()["t"], 25.0);
  EXPECT_EQ(total(result["series"], "requests"), total(series_of(25), "requests"));
}

TEST(ResultParts, AResultThatFitsIsPlainJson) {
  std::string error;
  const auto parts = result_parts("demo-result", "{\"a\":1}", &error);
  ASSERT_TRUE(parts) << error;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "demo-result");
  EXPECT_EQ((*parts)[0].data, json({{"result.json", "{\"a\":1}"}}));
  EXPECT_TRUE((*parts)[0].binary_data.empty());
}

// The text read back from the ConfigMaps the parts become, as the operator reads a kept result.
std::string reassembled(const std::vector<ResultPart>& parts) {
  std::vector<json> config_maps;
  for (const auto& part : parts) {
    json cm = {{"metadata", {{"name", part.name}}}};
    if (!part.data.empty()) cm["data"] = part.data;
    if (!part.binary_data.empty()) cm["binaryData"] = part.binary_data;
    config_maps.push_back(cm);
  }
  std::string error;
  auto text = result_text(config_maps, &error);
  EXPECT_TRUE(text) << error;
  return text.value_or("");
}

TEST(ResultParts, APlainResultReadsBack) {
  std::string error;
  const auto parts = result_parts("demo-result", "{\"a\":1}", &error);
  ASSERT_TRUE(parts) << error;
  EXPECT_EQ(reassembled(*parts), "{\"a\":1}");
  // A ConfigMap without the result's key is no result.
  EXPECT_FALSE(result_text({json{{"metadata", {{"name", "x"}}}}}, &error));
  EXPECT_NE(error.find("x holds no result"), std::string::npos) << error;
}

TEST(ResultParts, ALargerResultIsCompressed) {
  const std::string text = json({{"series", series_of(20000)}}).dump();
  ASSERT_GT(text.size(), kMaxConfigMapPayload);
  std::string error;
  const auto parts = result_parts("demo-result", text, &error);
  ASSERT_TRUE(parts) << error;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_FALSE((*parts)[0].data.contains("result.json"));
  EXPECT_LE((*parts)[0].binary_data["result.json.gz"].get<std::string>().size(),
            kMaxConfigMapPayload);
  EXPECT_EQ(reassembled(*parts), text);
}

std::string incompressible(std::size_t n) {
  std::mt19937 rng(7);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('a' + rng() % 26);
  return out;
}

// Compressed and still too large: split in order, each part within the limit, the first
// saying how many.
TEST(ResultParts, TooLargeEvenCompressedIsSplitInOrder) {
  const std::string text = incompressible(3 << 20);
  std::string error;
  const auto parts = result_parts("demo-result", text, &error);
  ASSERT_TRUE(parts) << error;
  ASSERT_GE(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "demo-result");
  EXPECT_EQ((*parts)[1].name, "demo-result-part-1");
  EXPECT_EQ((*parts)[0].data["parts"], std::to_string(parts->size()));
  for (const auto& part : *parts) {
    EXPECT_LE(part.binary_data["result.json.gz"].get<std::string>().size(), kMaxConfigMapPayload);
  }
  EXPECT_EQ(reassembled(*parts), text);
}

TEST(ResultParts, MoreThanTheMostPartsIsAnErrorNotATruncation) {
  std::string error;
  EXPECT_FALSE(result_parts("demo-result", incompressible(200000), &error, 1000));
  EXPECT_NE(error.find("more than 16 ConfigMaps hold"), std::string::npos) << error;
}

}  // namespace
}  // namespace stampede::op
