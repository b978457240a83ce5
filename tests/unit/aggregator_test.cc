#include "engine/aggregator.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

CompiledPlan one_row_plan() {
  CompiledPlan plan;
  plan.rows.push_back({"s", "/", "GET"});
  plan.scenarios.emplace_back().name = "s";
  return plan;
}

ThreadStats interval(std::uint64_t requests, std::uint32_t users = 1) {
  ThreadStats s(1, 1);
  s.rows[0].requests = requests;
  for (std::uint64_t i = 0; i < requests; ++i) s.rows[0].latency.record_ns(1000);
  s.users = users;
  return s;
}

TEST(Aggregator, ASecondIsCompleteWhenEveryWorkerAnswered) {
  const CompiledPlan plan = one_row_plan();
  Aggregator a(plan, 2);
  a.absorb(0, 1, interval(100));
  EXPECT_TRUE(a.take_completed().empty());
  a.absorb(1, 1, interval(150));
  const auto points = a.take_completed();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].requests, 250u);
  EXPECT_EQ(points[0].users, 2u);
  EXPECT_DOUBLE_EQ(points[0].elapsed_seconds, 1);
}

TEST(Aggregator, AFinishedWorkersLastStatisticsJoinTheNextSecond) {
  // Worker 0 finishes right at the end and never answers tick 2; its last interval belongs to
  // second 2, beside worker 1's answer for it.
  const CompiledPlan plan = one_row_plan();
  Aggregator a(plan, 2);
  a.absorb(0, 1, interval(200));
  a.absorb(1, 1, interval(200));
  a.worker_done(0, interval(200, 0));
  a.absorb(1, 2, interval(200));
  a.worker_done(1, interval(0, 0));
  a.finish(2.01);
  const auto points = a.take_completed();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].requests, 400u);
  EXPECT_DOUBLE_EQ(points[1].elapsed_seconds, 2);
  EXPECT_TRUE(a.all_done());
  EXPECT_EQ(a.result().rows[0].stats.requests, 800u);
}

TEST(Aggregator, TheLastPartialSecondIsLabelledWithTheEnd) {
  const CompiledPlan plan = one_row_plan();
  Aggregator a(plan, 1);
  a.absorb(0, 1, interval(10));
  a.worker_done(0, interval(3, 0));  // the run ended at 1.4 s
  a.finish(1.4);
  const Result r = a.result();
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_DOUBLE_EQ(r.series[1].elapsed_seconds, 1.4);
  EXPECT_EQ(r.series[1].requests, 3u);
}

}  // namespace
}  // namespace stampede
