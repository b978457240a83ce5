#include "stats/adaptive_users_total.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

AdaptiveUsersStats worker_stats(double planned, double users, std::uint64_t decreases,
                                double lowest) {
  AdaptiveUsersStats s;
  s.planned_users = planned;
  s.users = users;
  s.decreases = decreases;
  s.lowest_users = lowest;
  return s;
}

TEST(AdaptiveUsersTotal, NothingBeforeAThreadReports) {
  EXPECT_FALSE(AdaptiveUsersTotal().total());
}

// A stage that ramps down to 0 users after a cut is the plan, not the target pushing back: the
// low point stays what the cut left.
TEST(AdaptiveUsersTotal, ARampDownAfterACutIsNotTheLowPoint) {
  AdaptiveUsersTotal t;
  t.note(0, worker_stats(20, 20, 0, 0));
  t.note(0, worker_stats(20, 15, 1, 15));
  for (double users : {12.0, 6.0, 0.0}) t.note(0, worker_stats(users, users, 1, 15));
  const auto total = t.total();
  ASSERT_TRUE(total);
  EXPECT_EQ(total->lowest_users, 15);
  EXPECT_EQ(total->users, 0);
  EXPECT_EQ(total->decreases, 1u);
}

// Two threads cut at different moments: the runner's low point is their users added up right
// after a cut, not the sum of each one's own lowest.
TEST(AdaptiveUsersTotal, TheLowPointIsTheThreadsAddedUpAfterACut) {
  AdaptiveUsersTotal t;
  t.note(0, worker_stats(10, 10, 0, 0));
  t.note(1, worker_stats(10, 10, 0, 0));
  t.note(0, worker_stats(10, 7, 1, 7));  // 7 + 10
  t.note(0, worker_stats(10, 9, 1, 7));
  t.note(1, worker_stats(10, 7, 1, 7));  // 9 + 7
  t.note(1, worker_stats(10, 10, 1, 7));
  const auto total = t.total();
  ASSERT_TRUE(total);
  EXPECT_EQ(total->lowest_users, 16);
  EXPECT_EQ(total->users, 19);
  EXPECT_EQ(total->planned_users, 20);
  EXPECT_EQ(total->decreases, 2u);
}

TEST(AdaptiveUsersTotal, NeverCutReportsNoLowPoint) {
  AdaptiveUsersTotal t;
  t.note(0, worker_stats(5, 5, 0, 0));
  t.note(0, worker_stats(0, 0, 0, 0));
  EXPECT_EQ(t.total()->lowest_users, 0);
}

}  // namespace
}  // namespace stampede
