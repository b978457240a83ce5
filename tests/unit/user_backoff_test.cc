// A closed model's `load.adaptive` in one worker: AIMD on the users, one cut per round trip,
// additive recovery up to what the load asks for, and what it reports.
#include "engine/user_backoff.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

AdaptiveUsers spec(double decrease = 0.5, double increase = 2, std::uint32_t min = 1) {
  AdaptiveUsers a;
  a.on.add(429);
  a.latency = milliseconds(500);
  a.decrease = decrease;
  a.increase = increase;
  a.min_users = min;
  return a;
}

TEST(UserBackoff, SignalsAreListedStatusesAndSlowAnswers) {
  const AdaptiveUsers a = spec();
  EXPECT_TRUE(overloaded(a, 429, milliseconds(1)));
  EXPECT_FALSE(overloaded(a, 503, milliseconds(1)));  // not listed here
  EXPECT_FALSE(overloaded(a, 200, milliseconds(500)));
  EXPECT_TRUE(overloaded(a, 200, milliseconds(501)));
}

TEST(UserBackoff, FollowsTheLoadUntilTheFirstSignal) {
  UserBackoff b(spec(), Share{0, 1});
  const TimePoint start = Clock::now();
  EXPECT_EQ(b.users(start, 5), 5u);
  EXPECT_EQ(b.users(start + seconds(1), 20), 20u);
  EXPECT_EQ(b.stats().decreases, 0u);
  EXPECT_EQ(b.stats().throttled_seconds, 0);
}

TEST(UserBackoff, ASignalCutsOncePerRoundTripAndUsersComeBackAdditively) {
  UserBackoff b(spec(), Share{0, 1});
  const TimePoint start = Clock::now();
  EXPECT_EQ(b.users(start, 20), 20u);
  b.on_signal(start + milliseconds(10), start, 20);
  EXPECT_EQ(b.users(start + milliseconds(10), 20), 10u);
  // Answers to requests sent before the cut, and any within kCutSpacing, do not cut again.
  b.on_signal(start + milliseconds(20), start + milliseconds(5), 10);
  b.on_signal(start + milliseconds(600), start + milliseconds(5), 10);
  b.on_signal(start + milliseconds(300), start + milliseconds(200), 10);
  EXPECT_EQ(b.users(start + milliseconds(10), 20), 10u);
  EXPECT_EQ(b.stats().signals, 4u);
  EXPECT_EQ(b.stats().decreases, 1u);
  // 2 users a second come back: 1.5 s later, 13.
  EXPECT_EQ(b.users(start + milliseconds(1510), 20), 13u);
  // A signal to a request sent after the cut, past the spacing, cuts the running users.
  b.on_signal(start + milliseconds(1600), start + milliseconds(1000), 13);
  EXPECT_EQ(b.users(start + milliseconds(1600), 20), 6u);
  const AdaptiveUsersStats s = b.stats();
  EXPECT_EQ(s.decreases, 2u);
  EXPECT_EQ(s.lowest_users, 6);
  EXPECT_EQ(s.planned_users, 20);
  EXPECT_EQ(s.users, 6);
  EXPECT_NEAR(s.throttled_seconds, 1.5, 1e-6);
  // Back up to what the load asks for, the ceiling is gone: a later ramp is not held back.
  EXPECT_EQ(b.users(start + seconds(9), 20), 20u);
  EXPECT_EQ(b.users(start + seconds(10), 40), 40u);
}

TEST(UserBackoff, NeverBelowItsShareOfTheFloor) {
  // Share 0 of 2 keeps 2 of min 3 (users 0 and 2); share 1 keeps 1.
  UserBackoff first(spec(0.1, 1, 3), Share{0, 2});
  UserBackoff second(spec(0.1, 1, 3), Share{1, 2});
  const TimePoint start = Clock::now();
  first.users(start, 10);
  second.users(start, 10);
  first.on_signal(start, start, 10);
  second.on_signal(start, start, 10);
  EXPECT_EQ(first.users(start, 10), 2u);
  EXPECT_EQ(second.users(start, 10), 1u);
  // Each share adds back half of `increase`: 0.5 a second.
  EXPECT_EQ(second.users(start + seconds(2), 10), 2u);
}

TEST(UserBackoff, AStatsMergeAddsRunnersUp) {
  AdaptiveUsersStats a{20, 8, 6, 10, 3, 12.5};
  const AdaptiveUsersStats b{20, 10, 7, 4, 1, 30};
  a.merge(b);
  EXPECT_EQ(a.planned_users, 40);
  EXPECT_EQ(a.users, 18);
  EXPECT_EQ(a.lowest_users, 13);
  EXPECT_EQ(a.signals, 14u);
  EXPECT_EQ(a.decreases, 4u);
  EXPECT_EQ(a.throttled_seconds, 30);
  std::string error;
  const auto back = AdaptiveUsersStats::from_json(a.to_json(), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->to_json(), a.to_json());
  nlohmann::json bad = a.to_json();
  bad["signals"] = -1;
  EXPECT_FALSE(AdaptiveUsersStats::from_json(bad, &error));
}

}  // namespace
}  // namespace stampede
