#include "engine/rate_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "engine/user_schedule.h"
#include "plan/load_peak.h"

namespace stampede {
namespace {

using std::chrono::seconds;

double at(const RateSchedule& s, std::uint64_t n) {
  return to_seconds(*s.arrival_time(n));
}

TEST(RateSchedule, ConstantRateSpacesArrivalsEvenly) {
  auto s = RateSchedule::constant(100, seconds(10));
  EXPECT_DOUBLE_EQ(at(s, 0), 0.0);
  EXPECT_NEAR(at(s, 1), 0.01, 1e-12);
  EXPECT_NEAR(at(s, 999), 9.99, 1e-9);
  EXPECT_FALSE(s.arrival_time(1000).has_value());  // 100/s for 10 s is exactly 1000 arrivals
  EXPECT_DOUBLE_EQ(s.expected_arrivals(seconds(5)), 500.0);
}

TEST(RateSchedule, CountOfArrivalsMatchesTheIntegral) {
  // Ramp 0 -> 100/s over 10 s, hold 100/s for 10 s: 500 + 1000 arrivals.
  RateSchedule s({Stage{seconds(10), 100, "ramp"}, Stage{seconds(10), 100, "hold"}}, 0);
  std::uint64_t n = 0;
  while (s.arrival_time(n)) ++n;
  EXPECT_EQ(n, 1500u);
  EXPECT_NEAR(s.expected_arrivals(seconds(10)), 500, 1e-9);
  EXPECT_NEAR(s.rate_at(seconds(5)), 50, 1e-9);
  EXPECT_DOUBLE_EQ(s.peak_rate(), 100);
}

TEST(RateSchedule, RampingArrivalsFollowTheQuadratic) {
  // Rate r(t) = 10 t, N(t) = 5 t^2, so arrival n is due at sqrt(n / 5).
  RateSchedule s({Stage{seconds(10), 100, ""}}, 0);
  for (std::uint64_t n : {1u, 5u, 20u, 125u, 499u}) {
    EXPECT_NEAR(at(s, n), std::sqrt(n / 5.0), 1e-9) << n;
  }
}

TEST(RateSchedule, RampDownIsMonotonic) {
  RateSchedule s({Stage{seconds(5), 200, ""}, Stage{seconds(5), 0, ""}}, 200);
  double previous = -1;
  std::uint64_t n = 0;
  while (auto t = s.arrival_time(n)) {
    EXPECT_GT(to_seconds(*t), previous);
    previous = to_seconds(*t);
    ++n;
  }
  EXPECT_EQ(n, 1500u);  // 1000 while holding 200/s, 500 while ramping down
}

TEST(RateSchedule, SharesPartitionArrivalsExactly) {
  // Thread k of 3 takes arrivals n % 3 == k: the three shares add up to the whole schedule.
  auto s = RateSchedule::constant(1000, seconds(1));
  std::uint64_t total = 0;
  for (std::uint64_t k = 0; k < 3; ++k) {
    for (std::uint64_t n = k; s.arrival_time(n); n += 3) ++total;
  }
  EXPECT_EQ(total, 1000u);
}

using std::chrono::milliseconds;

std::uint64_t count_arrivals(const RateSchedule& s) {
  std::uint64_t n = 0;
  while (s.arrival_time(n)) ++n;
  return n;
}

// POST /v1/load {"rate": 200} at 3 s of 50/s for 10 s: the first 150 arrivals are where they
// were, the 151st is due at the change, and the numbering goes on at 200/s.
TEST(RateSchedule, AChangeKeepsEarlierArrivalsAndContinuesTheNumbering) {
  const auto planned = RateSchedule::constant(50, seconds(10));
  const RateSchedule s = planned.changed(seconds(3), 200);
  for (std::uint64_t n : {0u, 1u, 77u, 149u}) EXPECT_EQ(at(s, n), at(planned, n)) << n;
  EXPECT_NEAR(at(s, 150), 3.0, 1e-9);
  EXPECT_NEAR(at(s, 151), 3.005, 1e-9);
  EXPECT_NEAR(at(s, 1549), 9.995, 1e-9);
  EXPECT_EQ(count_arrivals(s), 150u + 200u * 7);
  EXPECT_DOUBLE_EQ(s.rate_at(milliseconds(2999)), 50);
  EXPECT_DOUBLE_EQ(s.rate_at(seconds(3)), 200);
  EXPECT_NEAR(s.expected_arrivals(seconds(4)), 350, 1e-9);
  EXPECT_EQ(s.total(), seconds(10));
  EXPECT_DOUBLE_EQ(s.peak_rate(), 200);
}

// A ramp is cut at the change: N(t) = 5 t^2 reaches 80 arrivals at 4 s, then 10/s. (Times are
// whole nanoseconds, rounded down: 1e-8 allows for that.)
TEST(RateSchedule, AChangeCutsARampWhereItIs) {
  const RateSchedule s = RateSchedule({Stage{seconds(10), 100, ""}}, 0).changed(seconds(4), 10);
  EXPECT_NEAR(at(s, 79), std::sqrt(79 / 5.0), 1e-8);
  EXPECT_NEAR(at(s, 80), 4.0, 1e-8);
  EXPECT_NEAR(at(s, 81), 4.1, 1e-8);
  EXPECT_NEAR(s.rate_at(milliseconds(3999)), 39.99, 1e-9);
  EXPECT_EQ(count_arrivals(s), 80u + 10u * 6);
}

// Later stages are replaced, not shifted; the schedule still ends where the plan ends.
TEST(RateSchedule, AChangeReplacesTheStagesAfterIt) {
  const RateSchedule planned(
      {Stage{seconds(2), 100, ""}, Stage{seconds(2), 100, ""}, Stage{seconds(2), 0, ""}}, 0);
  const RateSchedule s = planned.changed(seconds(3), 20);
  EXPECT_DOUBLE_EQ(s.rate_at(milliseconds(5500)), 20);
  EXPECT_EQ(count_arrivals(s), 100u + 100u + 20u * 3);
}

TEST(RateSchedule, ARateOfZeroPausesAndALaterChangeResumes) {
  const RateSchedule paused = RateSchedule::constant(100, seconds(10)).changed(seconds(2), 0);
  EXPECT_EQ(count_arrivals(paused), 200u);
  EXPECT_DOUBLE_EQ(paused.rate_at(seconds(3)), 0);
  const RateSchedule resumed = paused.changed(seconds(5), 100);
  EXPECT_NEAR(at(resumed, 199), 1.99, 1e-9);
  EXPECT_NEAR(at(resumed, 200), 5.0, 1e-9);
  EXPECT_EQ(count_arrivals(resumed), 200u + 500u);
}

// A change before the start (at 0) is the whole schedule.
TEST(RateSchedule, AChangeAtZeroReplacesEverything) {
  const RateSchedule s =
      RateSchedule({Stage{seconds(5), 300, ""}}, 0).changed(Duration::zero(), 20);
  EXPECT_DOUBLE_EQ(at(s, 0), 0.0);
  EXPECT_NEAR(at(s, 7), 0.35, 1e-9);
  EXPECT_EQ(count_arrivals(s), 100u);
}

TEST(RateSchedule, SharesStillPartitionArrivalsAfterAChange) {
  const RateSchedule s = RateSchedule::constant(1000, seconds(1))
                             .changed(milliseconds(250), 3000)
                             .changed(milliseconds(600), 10);
  const std::uint64_t total = count_arrivals(s);
  EXPECT_EQ(total, 250u + 1050u + 4u);
  std::uint64_t shared = 0;
  for (std::uint64_t k = 0; k < 7; ++k) {
    for (std::uint64_t n = k; s.arrival_time(n); n += 7) ++shared;
  }
  EXPECT_EQ(shared, total);
}

// The operator sizes runners with plan/load_peak.h: the engine's schedules peak exactly there.
TEST(LoadPeak, TheSchedulesPeakWhereTheModelSays) {
  const std::vector<OpenModel> open = {
      OpenModel{250, seconds(5), {}, 0, 0, 0},
      OpenModel{20000, seconds(10), {{seconds(5), 12000, ""}, {seconds(5), 300, ""}}, 0, 0, 0},
      OpenModel{0, seconds(0), {{seconds(2), 0.5, ""}}, 0, 0, 0},
  };
  for (const OpenModel& m : open) EXPECT_DOUBLE_EQ(RateSchedule::of(m).peak_rate(), peak_rate(m));
  const std::vector<ClosedModel> closed = {
      ClosedModel{7, 2, seconds(5), {}, std::nullopt},
      ClosedModel{30, 0, seconds(10), {{seconds(10), 12, ""}, {seconds(5), 4, ""}}, std::nullopt},
      ClosedModel{0, 0, seconds(0), {{seconds(1), 10.5, ""}}, std::nullopt},
  };
  for (const ClosedModel& m : closed) {
    const UserSchedule schedule(m);
    EXPECT_EQ(schedule.peak_users(), peak_users(m));
    std::uint32_t most = 0;  // the users the schedule actually runs, millisecond by millisecond
    for (Duration t{}; t < schedule.total(); t += std::chrono::milliseconds(1)) {
      most = std::max(most, schedule.users_at(t));
    }
    EXPECT_EQ(most, peak_users(m));
  }
}

}  // namespace
}  // namespace stampede
