// The aggregator's per-row history (--csv-full-history): only when asked for, each second's rows
// exactly as the workers reported them for that tick, the same seconds as the series.
#include <gtest/gtest.h>

#include "engine/aggregator.h"

namespace stampede {
namespace {

CompiledPlan two_row_plan() {
  CompiledPlan plan;
  plan.rows.push_back({"s", "/b", "GET"});
  plan.rows.push_back({"s", "/a", "POST"});
  plan.scenarios.emplace_back().name = "s";
  return plan;
}

// `b` requests of 1 µs on row 0 and `a` of 2 µs on row 1.
ThreadStats interval(std::uint64_t b, std::uint64_t a) {
  ThreadStats s(2, 1);
  s.rows[0].requests = b;
  for (std::uint64_t i = 0; i < b; ++i) s.rows[0].latency.record_ns(1000);
  s.rows[1].requests = a;
  for (std::uint64_t i = 0; i < a; ++i) s.rows[1].latency.record_ns(2000);
  s.users = 1;
  return s;
}

TEST(AggregatorHistory, NoneUnlessAskedFor) {
  const CompiledPlan plan = two_row_plan();
  Aggregator a(plan, 1);
  a.absorb(0, 1, interval(1, 1));
  EXPECT_EQ(a.request_history(), nullptr);
}

TEST(AggregatorHistory, EachSecondHoldsEachRowOfThatTick) {
  const CompiledPlan plan = two_row_plan();
  Aggregator a(plan, 2, true);
  a.absorb(0, 1, interval(3, 0));
  a.absorb(1, 1, interval(2, 1));
  a.absorb(0, 2, interval(0, 4));  // a fast worker's second 2, before worker 1's
  a.absorb(1, 2, interval(1, 0));
  a.worker_done(0, interval(0, 0));
  a.worker_done(1, interval(0, 2));  // its last statistics join second 3
  a.finish(2.5);
  const RequestHistory* history = a.request_history();
  ASSERT_NE(history, nullptr);
  ASSERT_EQ(history->entries().size(), 2u);
  EXPECT_EQ(history->entries()[0].name, "/a");  // sorted by name
  const auto& seconds = history->seconds();
  const Result result = a.result();
  ASSERT_EQ(seconds.size(), result.series.size());
  ASSERT_EQ(seconds.size(), 3u);
  const std::uint64_t a_requests[] = {1, 4, 2};
  const std::uint64_t b_requests[] = {5, 1, 0};
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    EXPECT_EQ(seconds[i][0].requests, a_requests[i]) << i;
    EXPECT_EQ(seconds[i][1].requests, b_requests[i]) << i;
    EXPECT_EQ(seconds[i][2].requests, result.series[i].requests) << i;
    EXPECT_DOUBLE_EQ(seconds[i][2].elapsed_seconds, result.series[i].elapsed_seconds) << i;
  }
  EXPECT_EQ(seconds[1][0].latency.min_ns, 2000u);
  EXPECT_EQ(seconds[1][1].latency.max_ns, 1000u);
  EXPECT_EQ(seconds[2][0].total_requests, result.rows[1].stats.requests);
  EXPECT_EQ(seconds[2][1].total_requests, result.rows[0].stats.requests);
}

}  // namespace
}  // namespace stampede
