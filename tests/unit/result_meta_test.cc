// The result's meta: written, read back, and merged across runners.
#include <gtest/gtest.h>

#include "stats/result.h"
#include "stats/result_json.h"

namespace stampede {
namespace {

Result with_meta(const std::string& ended_at) {
  Result r;
  r.plan_name = "soak";
  r.meta.target = "https://shop.example";
  r.meta.load = "closed model, 10 users, 1h";
  r.meta.profile = "soak";
  r.meta.version = "0.1.0";
  r.meta.ended_at = ended_at;
  r.meta.stages = {{"warm", 0, 60}, {"peak", 60, 3600}};
  return r;
}

TEST(ResultMeta, RoundTripsThroughJson) {
  const nlohmann::json j = result_to_json(with_meta("2026-12-06T05:00:00Z"));
  EXPECT_EQ(j["meta"]["runners"], 1);
  EXPECT_EQ(j["meta"]["stages"][1]["start_seconds"], 60.0);
  std::string error;
  const auto back = result_from_json(j, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(result_to_json(*back), j);
}

TEST(ResultMeta, ADocumentWithoutMetaIsOneRunner) {
  nlohmann::json j = result_to_json(with_meta("x"));
  j.erase("meta");
  std::string error;
  const auto back = result_from_json(j, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->meta.runners, 1u);
  EXPECT_TRUE(back->meta.target.empty());
}

TEST(ResultMeta, MergeCountsRunnersAndKeepsTheLatestEnd) {
  Result merged = with_meta("2026-12-06T05:00:01Z");
  merged.merge(with_meta("2026-12-06T05:00:03Z"));
  Result older;  // an older runner's document: no meta but the one-runner default
  merged.merge(older);
  EXPECT_EQ(merged.meta.runners, 3u);
  EXPECT_EQ(merged.meta.ended_at, "2026-12-06T05:00:03Z");
  EXPECT_EQ(merged.meta.target, "https://shop.example");
  EXPECT_EQ(merged.meta.stages.size(), 2u);

  Result empty_first;
  empty_first.merge(with_meta("2026-12-06T05:00:00Z"));
  EXPECT_EQ(empty_first.meta.load, "closed model, 10 users, 1h");
  EXPECT_EQ(empty_first.meta.runners, 2u);
}

}  // namespace
}  // namespace stampede
