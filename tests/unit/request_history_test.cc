// The per-second history of every request name (--csv-full-history): entries keyed and sorted
// as Locust's, seconds exact from the merged histograms, running totals, the last second
// labelled with the end of the run.
#include "stats/request_history.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

RequestStats stats(std::uint64_t requests, std::initializer_list<std::uint64_t> latencies_ns) {
  RequestStats s;
  s.requests = requests;
  for (const std::uint64_t ns : latencies_ns) s.latency.record_ns(ns);
  return s;
}

TEST(RequestHistory, RowsWithTheSameMethodAndNameAreOneEntrySortedByNameThenMethod) {
  RequestHistory history(
      {{"a", "/z", "GET"}, {"b", "/z", "GET"}, {"b", "/z", "DELETE"}, {"a", "/b", "POST"}});
  ASSERT_EQ(history.entries().size(), 3u);
  EXPECT_EQ(history.entries()[0].name, "/b");
  EXPECT_EQ(history.entries()[1].method, "DELETE");
  EXPECT_EQ(history.entries()[2].method, "GET");
  history.add_second(1, 4, {stats(1, {100}), stats(2, {300, 500}), stats(1, {7}), {}});
  const HistorySecond& get = history.seconds()[0][2];
  EXPECT_EQ(get.requests, 3u);
  EXPECT_EQ(get.latency.count, 3u);
  EXPECT_EQ(get.latency.percentiles_ns[0], 300u);  // the median of 100, 300, 500
  EXPECT_EQ(get.latency.max_ns, 500u);
  const HistorySecond& all = history.seconds()[0][3];
  EXPECT_EQ(all.requests, 4u);
  EXPECT_EQ(all.latency.min_ns, 7u);
  EXPECT_EQ(all.users, 4u);
}

TEST(RequestHistory, TotalsRunAcrossSecondsAndEachSecondHasItsOwnPercentiles) {
  RequestHistory history({{"s", "/a", "GET"}});
  history.add_second(1, 1, {stats(2, {100, 200})});
  history.add_second(2, 1, {stats(1, {1000})});
  history.add_second(3, 1, {{}});
  const auto& seconds = history.seconds();
  ASSERT_EQ(seconds.size(), 3u);
  EXPECT_EQ(seconds[1][0].latency.min_ns, 1000u);  // the second's own, not the run's
  EXPECT_EQ(seconds[1][0].total_requests, 3u);
  EXPECT_EQ(seconds[1][0].total_latency.min_ns, 100u);
  EXPECT_EQ(seconds[1][0].total_latency.max_ns, 1000u);
  EXPECT_EQ(seconds[2][0].requests, 0u);
  EXPECT_EQ(seconds[2][0].latency.count, 0u);
  EXPECT_EQ(seconds[2][0].total_requests, 3u);
  EXPECT_DOUBLE_EQ(seconds[2][0].total_latency.mean_ns, 1300.0 / 3);
}

TEST(RequestHistory, TheLastSecondEndsWithTheRun) {
  RequestHistory history({{"s", "/a", "GET"}});
  history.add_second(1, 1, {stats(1, {100})});
  history.add_second(2, 1, {stats(1, {100})});
  history.finish(1.25);
  EXPECT_DOUBLE_EQ(history.seconds()[0][0].elapsed_seconds, 1);
  EXPECT_DOUBLE_EQ(history.seconds()[1][1].elapsed_seconds, 1.25);
}

}  // namespace
}  // namespace stampede
