#include "engine/rate_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);

RequestLimit fixed_limit(double rate, double burst) {
  RequestLimit limit;
  limit.selector = "http_reqs{scenario:api}";
  limit.rate = rate;
  limit.burst = burst;
  return limit;
}

RequestLimit adaptive_limit(double start) {
  RequestLimit limit = fixed_limit(start, 1);
  limit.adaptive.emplace();
  limit.adaptive->on.add(429);
  limit.adaptive->on.add(503);
  return limit;
}

// The send instant of each of `n` requests that all ask at `at`.
std::vector<TimePoint> send_times(RateGate& gate, TimePoint at, int n) {
  std::vector<TimePoint> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(at + *gate.reserve(at, false));
  return out;
}

TEST(RateGate, RequestsAskingTogetherAreSpacedByTheInterval) {
  RateGate gate(fixed_limit(10, 1), 1.0, kT0);
  const std::vector<TimePoint> at = send_times(gate, kT0, 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(at[i], kT0 + milliseconds(100) * i) << i;
  const LimitStats stats = gate.stats(kT0);
  EXPECT_EQ(stats.requests, 5u);
  EXPECT_EQ(stats.delayed, 4u);
  EXPECT_NEAR(stats.delay_seconds, 0.1 + 0.2 + 0.3 + 0.4, 1e-9);
  // The waits overlap: the limit held requests back from kT0 until the last one went.
  EXPECT_NEAR(stats.throttled_seconds, 0.4, 1e-9);
}

TEST(RateGate, ABurstGoesAtOnceAfterAQuietSpellThenTheRateHolds) {
  RateGate gate(fixed_limit(10, 3), 1.0, kT0);
  const TimePoint later = kT0 + seconds(5);
  const std::vector<TimePoint> at = send_times(gate, later, 5);
  EXPECT_EQ(at[0], later);
  EXPECT_EQ(at[1], later);
  EXPECT_EQ(at[2], later);
  EXPECT_EQ(at[3], later + milliseconds(100));
  EXPECT_EQ(at[4], later + milliseconds(200));
}

TEST(RateGate, NoWindowOfTheLimitsLengthHoldsMoreThanRateTimesLengthPlusBurst) {
  // Requests asking at random instants, denser than the limit: every 1-s window of the send
  // times holds at most rate + burst - 1 of them (the GCRA's guarantee).
  RateGate gate(fixed_limit(20, 4), 1.0, kT0);
  std::vector<TimePoint> sent;
  std::uint64_t x = 1;
  TimePoint now = kT0;
  for (int i = 0; i < 2'000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    now += std::chrono::microseconds((x >> 33) % 40'000);  // 25 a second on average
    sent.push_back(now + *gate.reserve(now, false));
  }
  std::sort(sent.begin(), sent.end());
  std::size_t most = 0;
  for (std::size_t i = 0, j = 0; i < sent.size(); ++i) {
    while (sent[i] - sent[j] >= seconds(1)) ++j;
    most = std::max(most, i - j + 1);
  }
  EXPECT_LE(most, 20u + 4u - 1u);
  EXPECT_GE(most, 20u);
}

// `per: user`: each user keeps the rate on its own requests; runners do not split it.
TEST(RateGate, APerUserLimitSpacesEachUsersOwnRequests) {
  RequestLimit limit = fixed_limit(2, 1);
  limit.per_user = true;
  RateGate gate(limit, 0.5, kT0);
  TimePoint alice{};
  TimePoint bob{};
  EXPECT_EQ(*gate.reserve(kT0, false, &alice), Duration::zero());
  EXPECT_EQ(*gate.reserve(kT0, false, &alice), milliseconds(500));
  EXPECT_EQ(*gate.reserve(kT0, false, &bob), Duration::zero());  // Bob's first: his own slot
  EXPECT_EQ(*gate.reserve(kT0, false, &bob), milliseconds(500));
  EXPECT_EQ(*gate.reserve(kT0, false, &alice), milliseconds(1000));
  const LimitStats stats = gate.stats(kT0);
  EXPECT_TRUE(stats.per_user);
  EXPECT_DOUBLE_EQ(stats.configured_rate, 2);  // each user's, not the runner's half
  EXPECT_EQ(stats.requests, 5u);
  EXPECT_EQ(stats.delayed, 3u);
  EXPECT_DOUBLE_EQ(stats.delay_seconds, 2);
  EXPECT_DOUBLE_EQ(stats.throttled_seconds, 1);  // the union of the waits
  LimitStats other = stats;
  other.merge(stats);
  EXPECT_DOUBLE_EQ(other.configured_rate, 2);
  EXPECT_EQ(other.requests, 10u);
  EXPECT_EQ(other.to_json()["perUser"], true);
}

TEST(RateGate, ARunnersShareKeepsItsPartOfTheRate) {
  RateGate gate(fixed_limit(30, 1), 1.0 / 3, kT0);  // one runner of three: 10 a second
  const std::vector<TimePoint> at = send_times(gate, kT0, 3);
  EXPECT_NEAR(std::chrono::duration<double>(at[2] - at[0]).count(), 0.2, 1e-9);
  EXPECT_DOUBLE_EQ(gate.stats(kT0).configured_rate, 10);
}

TEST(RateGate, BoundedRequestsThatWouldWaitTooLongAreSkippedAndTakeNoSlot) {
  RequestLimit limit = fixed_limit(10, 1);
  limit.max_delay = milliseconds(250);
  RateGate gate(limit, 1.0, kT0);
  EXPECT_EQ(gate.reserve(kT0, true), Duration::zero());
  EXPECT_EQ(gate.reserve(kT0, true), milliseconds(100));
  EXPECT_EQ(gate.reserve(kT0, true), milliseconds(200));
  EXPECT_EQ(gate.reserve(kT0, true), std::nullopt);  // 300 ms > 250 ms
  EXPECT_EQ(gate.reserve(kT0, true), std::nullopt);
  // The skipped ones took nothing: the next slot is still 300 ms, which an unbounded caller gets.
  EXPECT_EQ(gate.reserve(kT0, false), milliseconds(300));
  const LimitStats stats = gate.stats(kT0);
  EXPECT_EQ(stats.requests, 4u);
  EXPECT_EQ(stats.skipped, 2u);
}

TEST(RateGate, ASignalCutsTheRateAndLaterOnesWaitForTheTargetToSeeIt) {
  RateGate gate(adaptive_limit(100), 1.0, kT0);
  const TimePoint t = kT0 + seconds(1);
  // 1 % of 100 a second, each second since t0: 101 at t.
  EXPECT_NEAR(gate.rate(t), 101, 1e-9);
  gate.on_response(t, t - milliseconds(5), 429, milliseconds(5), std::nullopt);
  EXPECT_NEAR(gate.rate(t), 101 * 0.9, 1e-9);
  // An answer to a request sent before that cut says nothing about the new rate, and one within
  // kCutSpacing of it may still be the target's bucket refilling.
  gate.on_response(t + milliseconds(1), t - milliseconds(2), 429, milliseconds(3), std::nullopt);
  gate.on_response(t + milliseconds(300), t + milliseconds(200), 429, milliseconds(3),
                   std::nullopt);
  const auto grown = [](double base, double elapsed) { return base * (1 + 0.01 * elapsed); };
  EXPECT_NEAR(gate.rate(t + milliseconds(300)), grown(90.9, 0.3), 1e-9);
  // Past it, the next signal cuts again.
  gate.on_response(t + milliseconds(600), t + milliseconds(550), 503, milliseconds(10),
                   std::nullopt);
  EXPECT_NEAR(gate.rate(t + milliseconds(600)), grown(90.9, 0.6) * 0.9, 1e-9);
  const LimitStats stats = gate.stats(t + milliseconds(600));
  EXPECT_EQ(stats.signals, 4u);
  EXPECT_EQ(stats.decreases, 2u);
  EXPECT_NEAR(stats.lowest_rate, grown(90.9, 0.6) * 0.9, 1e-9);
}

TEST(RateGate, ACutStartsFromWhatTheTargetAcceptedInTheLastSecond) {
  RateGate gate(adaptive_limit(100), 1.0, kT0);
  const TimePoint t = kT0 + seconds(5);
  // 30 answers accepted in the second before t: the target takes 30 a second, whatever the rate.
  for (int i = 0; i < 30; ++i) {
    const TimePoint at = t - milliseconds(900) + milliseconds(30) * i;
    gate.on_response(at, at, 200, milliseconds(1), std::nullopt);
  }
  gate.on_response(t, t, 429, milliseconds(1), std::nullopt);
  EXPECT_NEAR(gate.rate(t), 27, 1e-9);
}

TEST(RateGate, TheRateGrowsAdditivelyFromTheLastCutUpToMax) {
  RequestLimit limit = adaptive_limit(50);
  limit.adaptive->max_rate = 52;
  RateGate gate(limit, 1.0, kT0);
  gate.on_response(kT0, kT0, 429, milliseconds(1), std::nullopt);
  EXPECT_NEAR(gate.rate(kT0), 45, 1e-9);
  EXPECT_NEAR(gate.rate(kT0 + seconds(5)), 45 + 5 * 0.45, 1e-9);  // + 1 % of 45 a second
  EXPECT_NEAR(gate.rate(kT0 + seconds(6)), 45 + 6 * 0.45, 1e-9);
  EXPECT_NEAR(gate.rate(kT0 + seconds(100)), 52, 1e-9);  // the ceiling
}

TEST(RateGate, CutsStopAtTheFloor) {
  RequestLimit limit = adaptive_limit(10);
  limit.adaptive->min_rate = 8;
  RateGate gate(limit, 1.0, kT0);
  TimePoint t = kT0;
  for (int i = 0; i < 10; ++i) {
    t += seconds(1);
    gate.on_response(t, t, 429, milliseconds(1), std::nullopt);
  }
  EXPECT_NEAR(gate.rate(t), 8, 1e-9);
}

TEST(RateGate, OnlyListedStatusesAndSlowAnswersAreSignals) {
  RequestLimit limit = adaptive_limit(10);
  limit.adaptive->latency = milliseconds(500);
  RateGate gate(limit, 1.0, kT0);
  gate.on_response(kT0, kT0, 200, milliseconds(100), std::nullopt);
  gate.on_response(kT0, kT0, 500, milliseconds(100), std::nullopt);
  EXPECT_EQ(gate.stats(kT0).signals, 0u);
  gate.on_response(kT0, kT0, 200, milliseconds(600), std::nullopt);
  EXPECT_EQ(gate.stats(kT0).signals, 1u);
  EXPECT_NEAR(gate.rate(kT0), 9, 1e-9);
}

TEST(RateGate, AFixedLimitIgnoresSignals) {
  RateGate gate(fixed_limit(10, 1), 1.0, kT0);
  gate.on_response(kT0, kT0, 429, milliseconds(1), seconds(5));
  EXPECT_DOUBLE_EQ(gate.rate(kT0 + seconds(10)), 10);
  EXPECT_EQ(gate.stats(kT0).signals, 0u);
}

TEST(RateGate, RetryAfterHoldsEveryRequestUntilItHasPassed) {
  RequestLimit limit = adaptive_limit(100);
  limit.burst = 5;
  RateGate gate(limit, 1.0, kT0);
  gate.on_response(kT0, kT0, 429, milliseconds(1), seconds(2));
  // Not before kT0 + 2 s, burst tolerance or not.
  EXPECT_EQ(gate.reserve(kT0 + milliseconds(500), false), milliseconds(1'500));
  EXPECT_EQ(gate.stats(kT0).pauses, 1u);
  // An open-model arrival is not held that long: it is skipped.
  EXPECT_EQ(gate.reserve(kT0 + milliseconds(500), true), std::nullopt);
}

TEST(RateGate, RequestsAlreadyWaitingWhenAPauseBeginsWaitForItToo) {
  RateGate gate(adaptive_limit(100), 1.0, kT0);
  EXPECT_EQ(gate.reserve(kT0, false), Duration::zero());
  EXPECT_EQ(gate.reserve(kT0, false), milliseconds(10));  // wakes at kT0 + 10 ms
  EXPECT_EQ(gate.reserve(kT0, true), milliseconds(20));
  gate.on_response(kT0 + milliseconds(2), kT0, 429, milliseconds(2), seconds(1));
  EXPECT_EQ(gate.recheck(kT0 + milliseconds(10), false), milliseconds(992));
  // The bounded one would be held past maxDelay: skipped, and no longer counted as let through.
  EXPECT_EQ(gate.recheck(kT0 + milliseconds(20), true), std::nullopt);
  EXPECT_EQ(gate.recheck(kT0 + milliseconds(1'002), false), Duration::zero());
  const LimitStats stats = gate.stats(kT0 + seconds(2));
  EXPECT_EQ(stats.requests, 2u);
  EXPECT_EQ(stats.skipped, 1u);
}

TEST(RateGate, WithoutAStartingRateTheFirstSignalCutsWhatWentOutInTheLastSecond) {
  RateGate gate(adaptive_limit(0), 1.0, kT0);
  // 300 requests spread over 3 s: unlimited, none waits.
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(gate.reserve(kT0 + milliseconds(10) * i, false), Duration::zero());
  }
  EXPECT_DOUBLE_EQ(gate.rate(kT0 + seconds(3)), 0);
  const TimePoint t = kT0 + milliseconds(2'995);
  gate.on_response(t, t, 429, milliseconds(1), std::nullopt);
  // The last second held 100 of them: 90 a second now.
  EXPECT_NEAR(gate.rate(t), 90, 1e-9);
  EXPECT_GT(*gate.reserve(t, false) + *gate.reserve(t, false), Duration::zero());
}

TEST(RateGate, ThreadsReservingTogetherNeverShareASlot) {
  RateGate gate(fixed_limit(1'000, 1), 1.0, kT0);
  constexpr int kThreads = 4;
  constexpr int kEach = 2'000;
  std::vector<std::vector<TimePoint>> times(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] { times[k] = send_times(gate, kT0, kEach); });
  }
  for (auto& t : threads) t.join();
  std::vector<TimePoint> all;
  for (const auto& t : times) all.insert(all.end(), t.begin(), t.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i], kT0 + milliseconds(1) * static_cast<int>(i)) << i;
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace stampede
