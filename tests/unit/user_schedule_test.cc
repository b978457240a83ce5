#include "engine/user_schedule.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace stampede
