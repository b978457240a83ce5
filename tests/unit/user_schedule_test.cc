#include "engine/user_schedule.h"

#include <gtest/gtest.h>

#include <vector>

#include "engine/share.h"

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(UserSchedule, SpawnRateAddsUsersLikeLocust) {
  ClosedModel m;
  m.users = 10;
  m.spawn_rate = 2;
  m.duration = seconds(60);
  UserSchedule s(m);
  EXPECT_EQ(s.users_at(seconds(0)), 1u);
  EXPECT_EQ(s.users_at(milliseconds(499)), 1u);
  EXPECT_EQ(s.users_at(milliseconds(500)), 2u);
  EXPECT_EQ(s.users_at(milliseconds(4600)), 10u);
  EXPECT_EQ(s.users_at(seconds(30)), 10u);
  EXPECT_EQ(s.users_at(seconds(60)), 0u);  // the end
}

TEST(UserSchedule, ZeroSpawnRateStartsEveryoneAtOnce) {
  ClosedModel m;
  m.users = 7;
  m.duration = seconds(1);
  EXPECT_EQ(UserSchedule(m).users_at(Duration::zero()), 7u);
}

TEST(UserSchedule, StagesRampLinearly) {
  ClosedModel m;
  m.stages = {{seconds(10), 100, "up"}, {seconds(10), 100, "hold"}, {seconds(10), 0, "down"}};
  UserSchedule s(m);
  EXPECT_EQ(s.total(), seconds(30));
  EXPECT_EQ(s.users_at(seconds(0)), 0u);
  EXPECT_EQ(s.users_at(seconds(5)), 50u);
  EXPECT_EQ(s.users_at(seconds(15)), 100u);
  EXPECT_EQ(s.users_at(seconds(25)), 50u);
  EXPECT_EQ(s.peak_users(), 100u);
}

ClosedModel steady(std::uint32_t users, double spawn_rate = 0) {
  ClosedModel m;
  m.users = users;
  m.spawn_rate = spawn_rate;
  m.duration = seconds(60);
  return m;
}

// POST /v1/load {"users": 10, "spawnRate": 100} at 10 s: the first user starts at the change,
// one more every 10 ms, then 10 until the planned end.
TEST(UserSchedule, AChangeRampsFromTheCurrentCountAtItsSpawnRate) {
  const UserSchedule s = UserSchedule(steady(2)).changed(seconds(10), 10, 100);
  EXPECT_EQ(s.users_at(milliseconds(9999)), 2u);
  EXPECT_EQ(s.users_at(seconds(10)), 3u);
  EXPECT_EQ(s.users_at(milliseconds(10'015)), 4u);
  EXPECT_EQ(s.users_at(milliseconds(10'065)), 9u);
  EXPECT_EQ(s.users_at(milliseconds(10'075)), 10u);
  EXPECT_EQ(s.users_at(seconds(59)), 10u);
  EXPECT_EQ(s.users_at(seconds(60)), 0u) << "the planned end stays";
  EXPECT_EQ(s.total(), seconds(60));
}

TEST(UserSchedule, AChangeDownStopsUsersAtItsSpawnRate) {
  const UserSchedule s = UserSchedule(steady(10)).changed(seconds(5), 3, 2);
  EXPECT_EQ(s.users_at(milliseconds(4999)), 10u);
  EXPECT_EQ(s.users_at(seconds(5)), 9u);
  EXPECT_EQ(s.users_at(milliseconds(5500)), 8u);
  EXPECT_EQ(s.users_at(milliseconds(7600)), 4u);
  EXPECT_EQ(s.users_at(seconds(8)), 3u);
  EXPECT_EQ(s.users_at(seconds(30)), 3u);
}

TEST(UserSchedule, AChangeWithoutSpawnRateIsImmediate) {
  const UserSchedule s = UserSchedule(steady(10, 1)).changed(milliseconds(1500), 40, 0);
  EXPECT_EQ(s.users_at(milliseconds(1499)), 2u) << "the plan's ramp until the change";
  EXPECT_EQ(s.users_at(milliseconds(1500)), 40u);
  EXPECT_EQ(s.users_at(milliseconds(1501)), 40u);
}

// From the change on, the stages are replaced; before it, they ran as planned.
TEST(UserSchedule, AChangeReplacesTheStagesAfterIt) {
  ClosedModel m;
  m.stages = {{seconds(10), 100, "up"}, {seconds(10), 100, "hold"}};
  const UserSchedule s = UserSchedule(m).changed(seconds(5), 20, 0);
  EXPECT_EQ(s.users_at(seconds(4)), 40u);
  EXPECT_EQ(s.users_at(seconds(5)), 20u);
  EXPECT_EQ(s.users_at(seconds(15)), 20u);
  EXPECT_EQ(s.users_at(seconds(20)), 0u);
  EXPECT_EQ(s.peak_users(), 100u) << "the plan's peak";
}

TEST(UserSchedule, ASecondChangeStartsWhereTheFirstHadGot) {
  const UserSchedule first = UserSchedule(steady(2)).changed(seconds(1), 100, 10);
  EXPECT_EQ(first.users_at(milliseconds(1500)), 8u);  // 2 + (5 + 1)
  EXPECT_EQ(first.users_at(seconds(2)), 13u);
  const UserSchedule second = first.changed(seconds(2), 5, 1);
  EXPECT_EQ(second.users_at(milliseconds(1500)), 8u) << "the first change before the second";
  EXPECT_EQ(second.users_at(seconds(2)), 12u);
  EXPECT_EQ(second.users_at(seconds(3)), 11u);
  EXPECT_EQ(second.users_at(seconds(20)), 5u);
}

// A change made before the start (agent waiting, start scheduled) is the load from t0: it ramps
// from no users, like the plan's spawn rate.
TEST(UserSchedule, AChangeBeforeTheStartRampsFromZero) {
  const UserSchedule s = UserSchedule(steady(2, 1)).changed(Duration::zero(), 10, 5);
  EXPECT_EQ(s.users_at(Duration::zero()), 1u);
  EXPECT_EQ(s.users_at(seconds(1)), 6u);
  EXPECT_EQ(s.users_at(seconds(2)), 10u);
  const UserSchedule again = s.changed(Duration::zero(), 4, 0);
  EXPECT_EQ(again.users_at(Duration::zero()), 4u) << "a later change before the start replaces";
  EXPECT_EQ(again.users_at(seconds(2)), 4u);
}

TEST(Share, SplitsIndivisibleNumbersDeterministically) {
  // 10 users over 4 shares: 3, 3, 2, 2.
  EXPECT_EQ((Share{0, 4}.of(10)), 3u);
  EXPECT_EQ((Share{1, 4}.of(10)), 3u);
  EXPECT_EQ((Share{2, 4}.of(10)), 2u);
  EXPECT_EQ((Share{3, 4}.of(10)), 2u);
  EXPECT_EQ((Share{3, 4}.of(3)), 0u);
  std::uint64_t sum = 0;
  for (std::uint32_t k = 0; k < 7; ++k) sum += Share{k, 7}.of(1234);
  EXPECT_EQ(sum, 1234u);
}

// Runners first, then each runner's threads: 10 users on 10 runners of 2 threads are one per
// runner (measured on a real node, runners 5 to 9 once got none and 0 to 4 two each).
TEST(Share, FewUsersSpreadOverEveryRunner) {
  for (std::uint32_t runner = 0; runner < 10; ++runner) {
    std::uint64_t users = 0;
    for (std::uint32_t k = 0; k < 2; ++k) users += thread_share(runner, 10, k, 2).of(10);
    EXPECT_EQ(users, 1u) << "runner " << runner;
  }
}

// Runners on nodes of different sizes (different thread counts) still take every item exactly
// once between them.
TEST(Share, RunnersWithDifferentThreadCountsPartitionTheItems) {
  const std::uint32_t threads[] = {1, 2, 3, 4};
  std::vector<int> taken(1000, 0);
  for (std::uint32_t runner = 0; runner < 4; ++runner) {
    for (std::uint32_t k = 0; k < threads[runner]; ++k) {
      const Share share = thread_share(runner, 4, k, threads[runner]);
      for (std::uint32_t n = share.index; n < taken.size(); n += share.count) ++taken[n];
    }
  }
  for (std::size_t n = 0; n < taken.size(); ++n) ASSERT_EQ(taken[n], 1) << "item " << n;
}

}  // namespace
}  // namespace stampede
