// The runner watching itself: which seconds count as saturated, how they join into intervals,
// and what the result and the live numbers say.
#include "engine/self_monitor.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000;

WorkerLoad load(double cpu_share, std::uint64_t lag_ns = 100'000, std::uint32_t connections = 0) {
  WorkerLoad l;
  l.wall_ns = kSecond;
  l.cpu_ns = static_cast<std::uint64_t>(cpu_share * kSecond);
  l.lag.record_ns(lag_ns);
  l.connections = connections;
  return l;
}

TEST(SelfMonitor, ABusyButUnsaturatedWorkerMarksNothing) {
  SelfMonitor m(1);
  m.start();
  for (std::uint64_t tick = 1; tick <= 5; ++tick) m.absorb(0, tick, load(0.89, 49'000'000));
  const GeneratorStats g = m.stats("0/1");
  EXPECT_TRUE(g.saturated.empty());
  EXPECT_EQ(g.saturated_seconds_total, 0);
  EXPECT_FALSE(m.now().saturated);
  EXPECT_NEAR(g.thread_cpu_seconds.at(0), 5 * 0.89, 1e-6);
  EXPECT_NEAR(g.peak_thread_cpu, 0.89, 1e-9);
}

TEST(SelfMonitor, CpuOrLagOverTheBoundMarksTheSecond) {
  SelfMonitor m(1);
  m.start();
  m.absorb(0, 1, load(0.95));
  EXPECT_TRUE(m.now().saturated);
  EXPECT_EQ(m.now().cause, "cpu");
  m.absorb(0, 2, load(0.2, kSaturatedLagNs + 1));
  EXPECT_EQ(m.now().cause, "loop lag");
  m.absorb(0, 3, load(0.2));
  EXPECT_FALSE(m.now().saturated);
  const GeneratorStats g = m.stats("0/1");
  ASSERT_EQ(g.saturated.size(), 1u);
  EXPECT_EQ(g.saturated[0].start_seconds, 0);
  EXPECT_EQ(g.saturated[0].end_seconds, 2);
  EXPECT_EQ(g.saturated[0].cause(), "cpu, loop lag");
  EXPECT_NEAR(g.saturated[0].peak_cpu, 0.95, 1e-9);
  EXPECT_NEAR(g.saturated[0].peak_lag_seconds, (kSaturatedLagNs + 1) * 1e-9, 1e-5);
  EXPECT_EQ(g.saturated_seconds_total, 2);
}

TEST(SelfMonitor, TwoWorkersSaturatedInTheSameSecondCountItOnce) {
  SelfMonitor m(2);
  m.start();
  m.absorb(0, 4, load(0.99, 100'000, 10));
  m.absorb(1, 4, load(0.97, 100'000, 15));
  EXPECT_EQ(m.now().connections, 25u);
  const GeneratorStats g = m.stats("0/1");
  ASSERT_EQ(g.saturated.size(), 1u);
  EXPECT_EQ(g.saturated_seconds_total, 1);
  EXPECT_NEAR(g.saturated[0].peak_cpu, 0.99, 1e-9);
  EXPECT_EQ(g.peak_connections, 25u);
}

TEST(SelfMonitor, SecondsJoinIntoIntervalsWhateverOrderTheWorkersReportIn) {
  SelfMonitor m(2);
  m.start();
  // Worker 0 is a second ahead of worker 1; gaps split intervals, and a second that closes a
  // gap joins its neighbours.
  m.absorb(0, 3, load(0.95));
  m.absorb(0, 5, load(0.95));
  m.absorb(1, 2, load(0.95));
  m.absorb(1, 4, load(0.95));
  m.absorb(0, 8, load(0.95));
  const GeneratorStats g = m.stats("0/1");
  ASSERT_EQ(g.saturated.size(), 2u);
  EXPECT_EQ(g.saturated[0].start_seconds, 1);
  EXPECT_EQ(g.saturated[0].end_seconds, 5);
  EXPECT_EQ(g.saturated[1].start_seconds, 7);
  EXPECT_EQ(g.saturated[1].end_seconds, 8);
  EXPECT_EQ(g.saturated_seconds_total, 5);
}

TEST(SelfMonitor, IntervalsAreBoundedButEverySecondCounts) {
  SelfMonitor m(1);
  m.start();
  const std::size_t intervals = kMaxSaturatedIntervals + 7;
  for (std::uint64_t k = 0; k < intervals; ++k) m.absorb(0, 2 * k + 1, load(1.0));
  const GeneratorStats g = m.stats("0/1");
  EXPECT_EQ(g.saturated.size(), kMaxSaturatedIntervals);
  EXPECT_EQ(g.saturated_dropped, 7u);
  EXPECT_EQ(g.saturated_seconds_total, static_cast<double>(intervals));
}

TEST(SelfMonitor, TheFinalPartialIntervalCountsCpuAndLagButIsNotJudged) {
  SelfMonitor m(1);
  m.start();
  m.absorb(0, 1, load(0.5, 2'000'000, 3));
  WorkerLoad last = load(1.0, 200'000'000, 0);
  last.wall_ns = kSecond / 10;
  m.absorb_final(0, last);
  m.sample();
  const GeneratorStats g = m.stats("0/1");
  EXPECT_TRUE(g.saturated.empty());
  EXPECT_NEAR(g.thread_cpu_seconds.at(0), 1.5, 1e-6);
  EXPECT_EQ(g.loop_lag.ticks, 2u);
  EXPECT_NEAR(g.loop_lag.max_seconds, 0.2, 1e-3);
  EXPECT_EQ(g.peak_connections, 3u);
}

TEST(SelfMonitor, MemoryIsSampledFromTheProcess) {
  SelfMonitor m(1);
  m.start();
  const GeneratorStats before = m.stats("0/1");
  EXPECT_GT(before.memory_baseline_bytes, 0u);
  // 64 MiB touched page by page shows in the resident size.
  std::vector<char> block(64 << 20);
  for (std::size_t i = 0; i < block.size(); i += 4096) block[i] = static_cast<char>(i);
  m.sample();
  const GeneratorStats during = m.stats("0/1");
  EXPECT_GE(during.memory_peak_bytes, before.memory_baseline_bytes + (60u << 20))
      << during.memory_peak_bytes;
  EXPECT_EQ(during.memory_final_bytes, m.now().memory_bytes);
  EXPECT_GT(during.memory_growth_bytes(), 60 << 20);
  EXPECT_EQ(block[4096], static_cast<char>(4096));
}

}  // namespace
}  // namespace stampede
