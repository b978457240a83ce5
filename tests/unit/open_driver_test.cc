#include "engine/open_driver.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "unit/fake_user_pool.h"

namespace stampede {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A user that stays busy until the test finishes its iteration.
class IterationUser final : public User {
 public:
  void start_loop(std::size_t) override {}
  void start_iteration(std::size_t, TimePoint at) override {
    busy_ = true;
    scheduled.push_back(at);
  }
  void preconnect() override {}
  void stop() override {}
  void abort() override {}
  void sweep(TimePoint) override {}
  bool busy() const override { return busy_; }
  std::uint32_t connections() const override { return 0; }

  bool busy_ = false;
  std::vector<TimePoint> scheduled;
};

class IterationPool final : public testing_support::FakeUserPool<IterationUser> {
 public:
  std::size_t started() const {
    return count([](const IterationUser& u) { return u.scheduled.size(); });
  }
};

OpenModel model(double rate, std::uint32_t max_in_flight, std::uint32_t max_queued) {
  OpenModel m;
  m.rate = rate;
  m.duration = seconds(10);
  m.max_in_flight = max_in_flight;
  m.max_queued = max_queued;
  return m;
}

// The driver is driven by a manual clock: tick(now) starts what is due by `now`.
struct Fixture {
  asio::io_context io;  // never run: the timer is only armed
  IterationPool pool;
  TimePoint t0 = TimePoint{} + seconds(100);
};

TEST(OpenDriver, StartsArrivalsOnScheduleWithTheirScheduledTimes) {
  Fixture f;
  OpenDriver driver(f.io, f.pool, model(100, 1000, 0), Share{0, 1}, {1});
  driver.start(f.t0);
  driver.tick(f.t0 + milliseconds(985));
  EXPECT_EQ(f.pool.started(), 99u);  // arrivals at 0, 10, ..., 980 ms
  // Arrivals due within 1 ms are started in the same release, a little early.
  driver.tick(f.t0 + microseconds(989'100));
  EXPECT_EQ(f.pool.started(), 100u);
  // Each keeps its own scheduled instant even though all started late, at one tick.
  EXPECT_EQ(f.pool.users.back()->scheduled.front(), f.t0 + milliseconds(990));
}

// A release holds the arrivals due within 1 ms, or 40 when they are due within 4 ms: at
// 10,000/s the wake-ups are paid once per 40 arrivals, at 50,000/s a release is still 1 ms.
TEST(OpenDriver, AReleaseHoldsOneMillisecondOrFortyArrivalsWithinFour) {
  const auto released = [](double rate, TimePoint::duration at) {
    Fixture f;
    OpenDriver driver(f.io, f.pool, model(rate, 1000, 0), Share{0, 1}, {1});
    driver.start(f.t0);
    driver.tick(f.t0 + at);
    return f.pool.started();
  };
  EXPECT_EQ(released(10'000, {}), 40u);  // 0 to 3.9 ms, 100 us apart
  EXPECT_EQ(released(50'000, {}), 51u);  // 0 to 1.000 ms, 20 us apart
  EXPECT_EQ(released(1'000, {}), 5u);    // 0 to 4 ms: none beyond 4 ms
  // A late release starts what is due by then and 1 ms ahead; it has its 40 already.
  EXPECT_EQ(released(10'000, milliseconds(5)), 61u);
}

TEST(OpenDriver, DropsWhenUsersAndQueueAreFull) {
  Fixture f;
  OpenDriver driver(f.io, f.pool, model(100, 2, 3), Share{0, 1}, {1});
  driver.start(f.t0);
  driver.tick(f.t0 + milliseconds(95));  // 10 arrivals: 2 start, 3 wait, 5 are dropped

  EXPECT_EQ(f.pool.started(), 2u);
  EXPECT_EQ(f.pool.stats().iterations[0].dropped, 5u);
  // A user that finishes takes the oldest waiting arrival, with its original time.
  f.pool.users[0]->busy_ = false;
  driver.on_user_idle(*f.pool.users[0]);
  EXPECT_EQ(f.pool.users[0]->scheduled.back(), f.t0 + milliseconds(20));
  EXPECT_EQ(f.pool.started(), 3u);
}

TEST(OpenDriver, SharesSplitTheArrivals) {
  std::size_t total = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    Fixture f;
    OpenDriver driver(f.io, f.pool, model(100, 1000, 0), Share{k, 3}, {1});
    driver.start(f.t0);
    driver.tick(f.t0 + seconds(20));  // past the end: every arrival of this share
    total += f.pool.started();
  }
  EXPECT_EQ(total, 1000u);
}

// A runner that replaces a lost one joins 4.005 s into the schedule: the arrivals due before
// that were the lost runner's and none is started late; each share still takes only its slice,
// and together the shares start exactly the rest.
TEST(OpenDriver, AJoiningRunnerSkipsTheArrivalsDueBeforeIt) {
  std::size_t total = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    Fixture f;
    OpenDriver driver(f.io, f.pool, model(100, 1000, 0), Share{k, 3}, {1});
    driver.skip_until(milliseconds(4005));
    driver.start(f.t0);
    driver.tick(f.t0 + seconds(20));
    total += f.pool.started();
    for (const auto& user : f.pool.users) {
      for (const TimePoint at : user->scheduled) EXPECT_GE(at, f.t0 + milliseconds(4005));
    }
  }
  EXPECT_EQ(total, 1000u - 401u) << "arrivals 0 to 400 (at 0 to 4.000 s) were due before";
}

TEST(OpenDriver, NothingStartsAfterStop) {
  Fixture f;
  OpenDriver driver(f.io, f.pool, model(100, 1000, 0), Share{0, 1}, {1});
  driver.start(f.t0);
  driver.stop_load();
  driver.tick(f.t0 + seconds(5));
  EXPECT_EQ(f.pool.started(), 0u);
}

LoadSchedule arrivals(const RateSchedule& schedule) {
  LoadSchedule s;
  s.arrivals = schedule;
  return s;
}

// POST /v1/load {"rate": 400} at 1 s of 100/s: the arrivals keep their numbers, the next one is
// re-timed by the new schedule.
TEST(OpenDriver, FollowsAChangedRate) {
  Fixture f;
  const OpenModel m = model(100, 1000, 0);
  OpenDriver driver(f.io, f.pool, m, Share{0, 1}, {1});
  driver.start(f.t0);
  driver.tick(f.t0 + milliseconds(995));
  EXPECT_EQ(f.pool.started(), 100u);
  driver.reschedule(arrivals(RateSchedule::of(m).changed(seconds(1), 400)));
  driver.tick(f.t0 + microseconds(1'998'500));  // releases up to 1.9995 s
  EXPECT_EQ(f.pool.started(), 500u);            // 1.0000 s, 1.0025 s, ..., 1.9975 s
  EXPECT_NEAR(to_seconds(f.pool.users.back()->scheduled.front() - f.t0), 1.9975, 1e-9);
}

// A rate of 0 leaves a share without arrivals; a later change must re-arm it.
TEST(OpenDriver, ResumesAfterARateOfZero) {
  Fixture f;
  const OpenModel m = model(100, 1000, 0);
  const RateSchedule paused = RateSchedule::of(m).changed(milliseconds(500), 0);
  OpenDriver driver(f.io, f.pool, m, Share{0, 1}, {1});
  driver.start(f.t0);
  driver.reschedule(arrivals(paused));
  driver.tick(f.t0 + seconds(5));
  EXPECT_EQ(f.pool.started(), 50u);
  driver.reschedule(arrivals(paused.changed(seconds(5), 100)));
  driver.tick(f.t0 + seconds(6));
  EXPECT_EQ(f.pool.started(), 151u);  // 5.00 s, 5.01 s, ..., 6.00 s
}

// A change before the start is the schedule from t0.
TEST(OpenDriver, AChangeBeforeTheStartAppliesFromT0) {
  Fixture f;
  const OpenModel m = model(100, 1000, 0);
  OpenDriver driver(f.io, f.pool, m, Share{0, 1}, {1});
  driver.reschedule(arrivals(RateSchedule::of(m).changed(Duration::zero(), 10)));
  driver.start(f.t0);
  driver.tick(f.t0 + milliseconds(995));
  EXPECT_EQ(f.pool.started(), 10u);
}

TEST(OpenDriver, SharesKeepTheirSlicesThroughAChange) {
  const OpenModel m = model(100, 10'000, 0);
  const RateSchedule changed = RateSchedule::of(m).changed(seconds(1), 400);
  std::size_t total = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    Fixture f;
    OpenDriver driver(f.io, f.pool, m, Share{k, 3}, {1});
    driver.start(f.t0);
    driver.tick(f.t0 + milliseconds(500));
    driver.reschedule(arrivals(changed));
    driver.tick(f.t0 + seconds(20));
    total += f.pool.started();
  }
  EXPECT_EQ(total, 100u + 400u * 9);
}

}  // namespace
}  // namespace stampede
