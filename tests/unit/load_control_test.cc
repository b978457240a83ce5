// Changing the load of a running test (Engine::change_load, POST /v1/load): where a change
// applies, what is refused and why, with the clock passed in.
#include "engine/load_control.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Status = LoadChangeOutcome::Status;

LoadModel closed_plan(std::uint32_t users, double spawn_rate = 0) {
  ClosedModel m;
  m.users = users;
  m.spawn_rate = spawn_rate;
  m.duration = seconds(60);
  return LoadModel{m};
}

LoadModel open_plan(double rate) {
  OpenModel m;
  m.rate = rate;
  m.duration = seconds(10);
  return LoadModel{m};
}

LoadChange users(std::uint32_t n, std::optional<double> spawn_rate = std::nullopt) {
  LoadChange c;
  c.users = n;
  c.spawn_rate = spawn_rate;
  return c;
}

LoadChange rate(double r) {
  LoadChange c;
  c.rate = r;
  return c;
}

const TimePoint t0 = TimePoint{} + seconds(1000);

TEST(LoadControl, AChangeAppliesJustAheadOfItsRequest) {
  LoadControl load(closed_plan(2), {1});
  load.set_start(t0);
  EXPECT_EQ(load.version(), 0u);
  const LoadChangeOutcome outcome = load.change(users(10, 100), t0 + seconds(5));
  ASSERT_EQ(outcome.status, Status::kApplied) << outcome.error;
  EXPECT_EQ(outcome.at, seconds(5) + kLoadChangeLead);
  EXPECT_EQ(load.version(), 1u);
  std::uint64_t version = 0;
  const auto schedule = load.current(&version);
  EXPECT_EQ(version, 1u);
  EXPECT_EQ(schedule->users->users_at(outcome.at - milliseconds(1)), 2u);
  EXPECT_EQ(schedule->users->users_at(outcome.at), 3u);
  EXPECT_EQ(schedule->users->users_at(outcome.at + seconds(1)), 10u);
}

TEST(LoadControl, TheSpawnRateDefaultsToThePlans) {
  LoadControl load(closed_plan(2, 4), {1});
  const LoadChangeOutcome outcome = load.change(users(10), t0);
  ASSERT_EQ(outcome.status, Status::kApplied) << outcome.error;
  EXPECT_EQ(outcome.applied.spawn_rate, 4.0);
  EXPECT_EQ(outcome.applied.users, 10u);
}

// The agent waits for /v1/start, or its start is scheduled: the change is the load from t0.
TEST(LoadControl, BeforeTheStartAChangeAppliesFromT0) {
  LoadControl waiting(closed_plan(2), {1});
  const LoadChangeOutcome before = waiting.change(users(5), t0);
  ASSERT_EQ(before.status, Status::kApplied) << before.error;
  EXPECT_EQ(before.at, Duration::zero());
  EXPECT_EQ(waiting.current()->users->users_at(Duration::zero()), 5u);

  LoadControl scheduled(open_plan(50), {1});
  scheduled.set_start(t0);
  const LoadChangeOutcome ahead = scheduled.change(rate(80), t0 - seconds(2));
  ASSERT_EQ(ahead.status, Status::kApplied) << ahead.error;
  EXPECT_EQ(ahead.at, Duration::zero());
  EXPECT_DOUBLE_EQ(scheduled.current()->arrivals->rate_at(Duration::zero()), 80);
}

TEST(LoadControl, ARateChangesAnOpenModel) {
  LoadControl load(open_plan(50), {1});
  load.set_start(t0);
  const LoadChangeOutcome outcome = load.change(rate(200), t0 + seconds(3));
  ASSERT_EQ(outcome.status, Status::kApplied) << outcome.error;
  EXPECT_EQ(outcome.applied.rate, 200.0);
  EXPECT_FALSE(outcome.applied.spawn_rate.has_value());
  const auto schedule = load.current();
  EXPECT_DOUBLE_EQ(schedule->arrivals->rate_at(seconds(3)), 50);
  EXPECT_DOUBLE_EQ(schedule->arrivals->rate_at(seconds(4)), 200);
  EXPECT_EQ(schedule->arrivals->total(), seconds(10)) << "the planned end stays";
}

TEST(LoadControl, TheOtherModelsFieldIsInvalid) {
  LoadControl closed_load(closed_plan(2), {1});
  const LoadChangeOutcome with_rate = closed_load.change(rate(10), t0);
  EXPECT_EQ(with_rate.status, Status::kInvalid);
  EXPECT_EQ(with_rate.error.rfind("rate:", 0), 0u) << with_rate.error;
  LoadControl open_load(open_plan(50), {1});
  const LoadChangeOutcome with_users = open_load.change(users(10), t0);
  EXPECT_EQ(with_users.status, Status::kInvalid);
  EXPECT_EQ(with_users.error.rfind("users:", 0), 0u) << with_users.error;
  EXPECT_EQ(closed_load.version() + open_load.version(), 0u) << "nothing changed";
}

TEST(LoadControl, NumbersThatMakeNoSenseAreInvalid) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LoadControl closed_load(closed_plan(2), {1});
  for (const LoadChange& c : {users(1'000'001), users(5, -1), users(5, inf), users(5, nan),
                              users(5, 2e6), LoadChange{}}) {
    const LoadChangeOutcome outcome = closed_load.change(c, t0);
    EXPECT_EQ(outcome.status, Status::kInvalid);
    EXPECT_FALSE(outcome.error.empty());
  }
  LoadControl open_load(open_plan(50), {1});
  for (double r : {-1.0, inf, nan, 1e8}) {
    const LoadChangeOutcome outcome = open_load.change(rate(r), t0);
    EXPECT_EQ(outcome.status, Status::kInvalid) << r;
    EXPECT_EQ(outcome.error.rfind("rate must be", 0), 0u) << outcome.error;
  }
  EXPECT_EQ(closed_load.version() + open_load.version(), 0u);
  EXPECT_EQ(closed_load.change(users(1'000'000), t0).status, Status::kApplied) << "the cap";
}

TEST(LoadControl, AfterTheLoadPhaseItIsTooLate) {
  LoadControl load(closed_plan(2), {1});
  load.set_start(t0);
  EXPECT_EQ(load.change(users(3), t0 + seconds(60) - kLoadChangeLead).status, Status::kTooLate);
  EXPECT_EQ(load.change(users(3), t0 + seconds(59)).status, Status::kApplied);
  load.end_load();  // a stop, or a signal
  const LoadChangeOutcome stopped = load.change(users(3), t0 + seconds(1));
  EXPECT_EQ(stopped.status, Status::kTooLate);
  EXPECT_NE(stopped.error.find("over"), std::string::npos) << stopped.error;
}

// Users beyond the plan's peak get scenarios by weight too, and users already running keep
// theirs.
TEST(LoadControl, MoreUsersThanPlannedGetScenariosByWeight) {
  LoadControl load(closed_plan(1), {3, 1});
  const auto before = load.current()->scenario_of_user;
  ASSERT_EQ(before->size(), 1u);
  ASSERT_EQ(load.change(users(8), t0).status, Status::kApplied);
  const auto after = load.current()->scenario_of_user;
  ASSERT_EQ(after->size(), 8u);
  EXPECT_EQ((*after)[0], (*before)[0]);
  EXPECT_EQ(std::count(after->begin(), after->end(), 1u), 2) << "3:1 over 8 users";
  ASSERT_EQ(load.change(users(4), t0).status, Status::kApplied);
  EXPECT_EQ(load.current()->scenario_of_user->size(), 8u) << "never shrinks";
}

TEST(LoadChange, ErrorsNameTheField) {
  LoadChange both = users(5);
  both.rate = 3;
  EXPECT_NE(load_change_error(both).value_or("").find("not both"), std::string::npos);
  LoadChange spawn_only;
  spawn_only.spawn_rate = 3;
  EXPECT_NE(load_change_error(spawn_only).value_or("").find("spawnRate"), std::string::npos);
  LoadChange spawn_with_rate = rate(5);
  spawn_with_rate.spawn_rate = 3;
  EXPECT_NE(load_change_error(spawn_with_rate).value_or("").find("spawnRate"), std::string::npos);
  EXPECT_EQ(load_change_error(users(5, -2)).value_or("").rfind("spawnRate", 0), 0u);
  EXPECT_EQ(load_change_error(users(2'000'000)).value_or("").rfind("users", 0), 0u);
  EXPECT_FALSE(load_change_error(users(0)).has_value()) << "0 users stops them all";
  EXPECT_FALSE(load_change_error(rate(0)).has_value()) << "0/s pauses the arrivals";
}

}  // namespace
}  // namespace stampede
