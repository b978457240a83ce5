#include "engine/weighted_picker.h"

#include <gtest/gtest.h>

#include <vector>

#include "engine/closed_driver.h"

namespace stampede {
namespace {

TEST(WeightedPicker, FollowsWeightsExactlyOverACycle) {
  WeightedPicker p({3, 2, 1, 1, 1, 1});
  std::vector<int> counts(6);
  for (int i = 0; i < 9 * 100; ++i) ++counts[p.pick()];
  EXPECT_EQ(counts, (std::vector<int>{300, 200, 100, 100, 100, 100}));
}

TEST(WeightedPicker, SpreadsPicksOut) {
  // 1:1 alternates instead of bunching.
  WeightedPicker p({1, 1});
  std::size_t previous = p.pick();
  for (int i = 0; i < 10; ++i) {
    const std::size_t next = p.pick();
    EXPECT_NE(next, previous);
    previous = next;
  }
}

TEST(WeightedPicker, RealWeightsConverge) {
  WeightedPicker p({80, 15, 5});
  std::vector<int> counts(3);
  for (int i = 0; i < 1000; ++i) ++counts[p.pick()];
  EXPECT_EQ(counts, (std::vector<int>{800, 150, 50}));
}

TEST(AssignScenarios, UsersFollowScenarioWeights) {
  auto a = assign_scenarios({3, 1}, 8);
  int first = 0;
  for (auto s : a) first += s == 0;
  EXPECT_EQ(first, 6);
}

}  // namespace
}  // namespace stampede
