// The controller's work queue: de-duplication, no concurrent processing of one key, delays,
// backoff.
#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace stampede::op {
namespace {

using std::chrono::milliseconds;

TEST(WorkQueue, AKeyIsQueuedOnce) {
  WorkQueue q;
  q.add("ns/a");
  q.add("ns/b");
  q.add("ns/a");
  EXPECT_EQ(q.depth(), 2u);
  EXPECT_EQ(q.get(), "ns/a");
  EXPECT_EQ(q.get(), "ns/b");
  EXPECT_EQ(q.depth(), 0u);
}

TEST(WorkQueue, AKeyAddedWhileProcessingComesBackAfterDone) {
  WorkQueue q;
  q.add("k");
  ASSERT_EQ(q.get(), "k");
  q.add("k");
  EXPECT_EQ(q.depth(), 0u) << "not handed to a second worker while the first has it";
  q.done("k");
  EXPECT_EQ(q.depth(), 1u);
  EXPECT_EQ(q.get(), "k");
  q.done("k");
  EXPECT_EQ(q.depth(), 0u);
}

TEST(WorkQueue, DelayedKeysArriveWhenDue) {
  WorkQueue q;
  const auto start = WorkQueue::Clock::now();
  q.add_after("later", milliseconds(80));
  q.add_after("sooner", milliseconds(20));
  EXPECT_EQ(q.get(), "sooner");
  EXPECT_EQ(q.get(), "later");
  EXPECT_GE(WorkQueue::Clock::now() - start, milliseconds(80));
}

TEST(WorkQueue, ADelayedAddWakesAWaitingWorker) {
  WorkQueue q;
  auto worker = std::async(std::launch::async, [&] { return q.get(); });
  std::this_thread::sleep_for(milliseconds(20));
  q.add_after("k", milliseconds(30));
  ASSERT_EQ(worker.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_EQ(worker.get(), "k");
}

// As controller-runtime's queue: one waiting entry per key, due at the earliest time asked for,
// so that repeated requeues of a running test never start a second polling chain.
TEST(WorkQueue, AKeyWaitsOnceAtTheEarliestTimeAskedFor) {
  WorkQueue q;
  q.add_after("k", std::chrono::seconds(30));
  q.add_after("k", milliseconds(20));
  q.add_after("k", std::chrono::seconds(60));
  q.add_after("other", std::chrono::seconds(60));
  EXPECT_EQ(q.waiting(), 2u) << "one entry for k, one for other";
  const auto start = WorkQueue::Clock::now();
  auto first = std::async(std::launch::async, [&] { return q.get(); });
  ASSERT_EQ(first.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "k was not due at the earliest time asked for";
  EXPECT_EQ(first.get(), "k");
  EXPECT_LT(WorkQueue::Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(q.waiting(), 1u) << "no later entry of k is left to come back";
  q.done("k");
}

TEST(WorkQueue, ALaterRequeueDoesNotPostponeAnEarlierOne) {
  WorkQueue q;
  q.add_after("k", milliseconds(20));
  q.add_after("k", std::chrono::seconds(60));
  EXPECT_EQ(q.waiting(), 1u);
  auto first = std::async(std::launch::async, [&] { return q.get(); });
  ASSERT_EQ(first.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(first.get(), "k");
  EXPECT_EQ(q.waiting(), 0u);
}

TEST(WorkQueue, BackoffDoublesPerFailureUntilForgotten) {
  WorkQueue q(milliseconds(10), milliseconds(40));
  // The key is due 10 ms after the first add (a later requeue does not postpone it), so the
  // wait is measured from before that add, not from the get().
  const auto start = WorkQueue::Clock::now();
  q.add_rate_limited("k");  // 10 ms
  q.add_rate_limited("k");  // 20 ms
  q.add_rate_limited("k");  // 40 ms
  q.add_rate_limited("k");  // capped at 40 ms
  EXPECT_EQ(q.failures("k"), 4u);
  EXPECT_EQ(q.get(), "k");
  EXPECT_GE(WorkQueue::Clock::now() - start, milliseconds(10));
  q.forget("k");
  EXPECT_EQ(q.failures("k"), 0u);
}

TEST(WorkQueue, ShutdownReleasesWaitingWorkers) {
  WorkQueue q;
  auto worker = std::async(std::launch::async, [&] { return q.get(); });
  std::this_thread::sleep_for(milliseconds(20));
  q.shutdown();
  ASSERT_EQ(worker.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_FALSE(worker.get().has_value());
  q.add("ignored");
  EXPECT_EQ(q.depth(), 0u);
}

}  // namespace
}  // namespace stampede::op
