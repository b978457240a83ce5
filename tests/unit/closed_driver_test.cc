#include "engine/closed_driver.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "unit/fake_user_pool.h"

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Records what the driver asks of its users; no network.
class LoopingUser final : public User {
 public:
  void start_loop(std::size_t index) override {
    running = true;
    scenario = index;
    ++starts;
  }
  void start_iteration(std::size_t, TimePoint) override {}
  void preconnect() override {}
  void stop() override { running = false; }
  void abort() override {}
  void sweep(TimePoint) override {}
  bool busy() const override { return running; }
  std::uint32_t connections() const override { return 0; }

  bool running = false;
  std::size_t scenario = 0;
  int starts = 0;
};

class LoopingPool final : public testing_support::FakeUserPool<LoopingUser> {
 public:
  int running() const {
    return static_cast<int>(count([](const LoopingUser& u) { return u.running ? 1 : 0; }));
  }
};

TEST(ClosedDriver, FollowsTheSpawnRateAndHolds) {
  ClosedModel m;
  m.users = 10;
  m.spawn_rate = 5;
  m.duration = seconds(10);
  LoopingPool pool;
  ClosedDriver driver(pool, m, Share{0, 1}, assign_scenarios({1}, 10));
  const TimePoint t0{};
  driver.start(t0);
  driver.tick(t0);
  EXPECT_EQ(pool.running(), 1);
  driver.tick(t0 + milliseconds(1000));
  EXPECT_EQ(pool.running(), 6);
  driver.tick(t0 + seconds(3));
  EXPECT_EQ(pool.running(), 10);
  EXPECT_EQ(driver.active_users(), 10u);
  driver.stop_load();
  EXPECT_EQ(pool.running(), 0);
}

// `load.adaptive`: an overload signal stops users (after their iteration); they come back one a
// second while none comes.
TEST(ClosedDriver, AdaptiveUsersBackOffOnSignalsAndComeBack) {
  ClosedModel m;
  m.users = 20;
  m.duration = seconds(60);
  m.adaptive = AdaptiveUsers{};
  m.adaptive->on.add(429);
  LoopingPool pool;
  ClosedDriver driver(pool, m, Share{0, 1}, assign_scenarios({1}, 20));
  const TimePoint t0{};
  driver.start(t0);
  driver.tick(t0);
  EXPECT_EQ(pool.running(), 20);
  driver.on_overload(t0 + milliseconds(5), t0 + milliseconds(10));
  driver.tick(t0 + milliseconds(10));
  EXPECT_EQ(pool.running(), 15);  // 20 x 0.75
  driver.tick(t0 + milliseconds(3010));
  EXPECT_EQ(pool.running(), 18);  // one a second
  const std::optional<AdaptiveUsersStats> stats = driver.backoff_stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->signals, 1u);
  EXPECT_EQ(stats->decreases, 1u);
  EXPECT_EQ(stats->lowest_users, 15);
  EXPECT_EQ(stats->users, 18);
  EXPECT_EQ(stats->planned_users, 20);
}

TEST(ClosedDriver, WithoutAdaptiveSignalsChangeNothing) {
  ClosedModel m;
  m.users = 4;
  m.duration = seconds(60);
  LoopingPool pool;
  ClosedDriver driver(pool, m, Share{0, 1}, assign_scenarios({1}, 4));
  const TimePoint t0{};
  driver.start(t0);
  driver.tick(t0);
  driver.on_overload(t0, t0);
  driver.tick(t0 + seconds(1));
  EXPECT_EQ(pool.running(), 4);
  EXPECT_FALSE(driver.backoff_stats());
}

TEST(ClosedDriver, RampsDownAndReusesIdleUsers) {
  ClosedModel m;
  m.stages = {{seconds(10), 8, ""}, {seconds(10), 0, ""}};
  LoopingPool pool;
  ClosedDriver driver(pool, m, Share{0, 1}, assign_scenarios({1}, 8));
  const TimePoint t0{};
  driver.start(t0);
  driver.tick(t0 + seconds(10));
  EXPECT_EQ(pool.running(), 8);
  driver.tick(t0 + seconds(15));  // halfway down: 4 users
  EXPECT_EQ(pool.running(), 4);
  for (auto& u : pool.users) {
    if (!u->running) driver.on_user_idle(*u);  // stopped users finish their iteration
  }
  driver.tick(t0 + seconds(12));  // back up (a test may move time freely): reuse, not create
  EXPECT_EQ(pool.users.size(), 8u);
}

TEST(ClosedDriver, SharesSplitUsersAndScenariosAcrossThreads) {
  ClosedModel m;
  m.users = 9;
  m.duration = seconds(1);
  const auto scenarios = assign_scenarios({2, 1}, 9);  // 6 of scenario 0, 3 of scenario 1
  int total = 0;
  int second_scenario = 0;
  for (std::uint32_t k = 0; k < 2; ++k) {
    LoopingPool pool;
    ClosedDriver driver(pool, m, Share{k, 2}, scenarios);
    driver.start(TimePoint{});
    driver.tick(TimePoint{});
    total += pool.running();
    for (const auto& u : pool.users) second_scenario += u->scenario == 1;
  }
  EXPECT_EQ(total, 9);
  EXPECT_EQ(second_scenario, 3);
}

// A change of the load (POST /v1/load) reaches the driver as a new schedule: the next tick starts
// or stops users toward it, and users beyond the plan's peak take the new scenario assignment.
TEST(ClosedDriver, FollowsAChangedSchedule) {
  ClosedModel m;
  m.users = 2;
  m.duration = seconds(60);
  LoopingPool pool;
  ClosedDriver driver(pool, m, Share{0, 1}, assign_scenarios({1, 1}, 2));
  const TimePoint t0{};
  driver.start(t0);
  driver.tick(t0 + seconds(1));
  EXPECT_EQ(pool.running(), 2);

  LoadSchedule up;
  up.users = UserSchedule(m).changed(seconds(2), 6, 0);
  up.scenario_of_user =
      std::make_shared<const std::vector<std::size_t>>(assign_scenarios({1, 1}, 6));
  driver.reschedule(up);
  driver.tick(t0 + milliseconds(1999));
  EXPECT_EQ(pool.running(), 2) << "not before the change's instant";
  driver.tick(t0 + seconds(2));
  EXPECT_EQ(pool.running(), 6);
  EXPECT_EQ(pool.count([](const LoopingUser& u) { return u.scenario == 1 ? 1 : 0; }), 3u);

  LoadSchedule down = up;
  down.users = up.users->changed(seconds(3), 3, 0);
  driver.reschedule(down);
  driver.tick(t0 + seconds(3));
  EXPECT_EQ(pool.running(), 3);
  EXPECT_EQ(driver.active_users(), 3u);
}

}  // namespace
}  // namespace stampede
