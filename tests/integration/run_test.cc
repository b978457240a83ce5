// The real stampede binary against the bundled target on loopback: counts, weights, rates,
// exit codes, and the coordinated-omission model.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

nlohmann::json target_stats(const TargetProcess& target) {
  return nlohmann::json::parse(target.get("/__stats").body);
}

TEST(Run, RequestCountsEqualTheServersCounts) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 8, duration: 2s}
scenarios:
  - name: mix
    tasks:
      - {name: root, weight: 2, steps: [{get: /}]}
      - {name: bytes, steps: [{get: /bytes/2048, name: bytes}]}
      - {name: echo, steps: [{post: /echo, body: "hello", name: echo}]}
      - {name: missing, steps: [{get: /status/404, name: "404", expect: {status: [404]}}]}
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto stats = target_stats(target);
  const auto requests = run.result["totals"]["requests"].get<std::uint64_t>();
  EXPECT_GT(requests, 1000u);
  EXPECT_EQ(requests, stats["requests"].get<std::uint64_t>());
  EXPECT_EQ(run.result["totals"]["failures"], 0);
  EXPECT_EQ(row_requests(run.result, "bytes"),
            stats["by_path"]["/bytes/2048"].get<std::uint64_t>());
  EXPECT_EQ(row_requests(run.result, "echo"), stats["by_path"]["/echo"].get<std::uint64_t>());
  EXPECT_EQ(run.result["status_codes"]["404"], row_requests(run.result, "404"));
}

// The runner watches itself: every worker's ticks, its CPU and connections, and the process's
// memory are in the result (docs/self-monitoring.md).
TEST(Run, TheResultSaysHowTheGeneratorFared) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 6, spawnRate: 100, duration: 3s}
scenarios:
  - name: calm
    wait: constant(20ms)
    steps: [{get: /}]
)",
                                {"--threads", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  ASSERT_EQ(run.result["generators"].size(), 1u) << run.result.dump();
  const nlohmann::json& g = run.result["generators"][0];
  EXPECT_EQ(g["runner"], "0/1");
  ASSERT_EQ(g["threadCpuSeconds"].size(), 2u);
  double threads = 0;
  for (const auto& t : g["threadCpuSeconds"]) {
    EXPECT_GT(t.get<double>(), 0);
    threads += t.get<double>();
  }
  // The process's CPU includes the workers' and the control thread's.
  EXPECT_GE(g["cpuSeconds"].get<double>(), threads * 0.99);
  EXPECT_LT(g["cpuSeconds"].get<double>(),
            2 * run.result["totals"]["duration_seconds"].get<double>());
  // Each of the 2 workers ticks every 10 ms for the 3 s of load (some ticks run late).
  const auto ticks = g["loopLagSeconds"]["ticks"].get<std::uint64_t>();
  EXPECT_GE(ticks, 2 * 3 * 100 * 8 / 10) << g;
  EXPECT_LE(ticks, 2 * 4 * 100) << g;
  EXPECT_LE(g["loopLagSeconds"]["p50"].get<double>(), g["loopLagSeconds"]["max"].get<double>());
  // One keep-alive connection per user.
  EXPECT_EQ(g["peakConnections"], 6) << g;
  const nlohmann::json& memory = g["memory"];
  EXPECT_GT(memory["baselineBytes"].get<std::uint64_t>(), 1u << 20);
  EXPECT_GE(memory["peakBytes"].get<std::uint64_t>(), memory["baselineBytes"].get<std::uint64_t>());
  EXPECT_GE(memory["peakBytes"].get<std::uint64_t>(), memory["finalBytes"].get<std::uint64_t>());
  EXPECT_EQ(memory["growthBytes"].get<std::int64_t>(),
            static_cast<std::int64_t>(memory["finalBytes"].get<std::uint64_t>()) -
                static_cast<std::int64_t>(memory["baselineBytes"].get<std::uint64_t>()));
  EXPECT_LE(g["saturatedSeconds"].get<double>(), 4.0);
  EXPECT_NE(run.out.find("load generator 0/1"), std::string::npos) << run.out;
}

// A step retried on 429 against a limit of 1 request/s shared by 4 users: at the end of the
// duration most users wait for a retry (Retry-After: 1).
std::string retried_plan(const TargetProcess& target, const std::string& graceful_stop) {
  return R"(
target: )" +
         target.url() +
         R"(
load: {users: 4, duration: 2s, gracefulStop: )" +
         graceful_stop + R"(}
scenarios:
  - name: limited
    steps:
      - get: /api/limited
        name: limited
        retry: {statuses: [429], max: 20, backoff: {initial: 100ms, max: 5s}, retryAfter: true}
)";
}

std::uint64_t server_attempts(const TargetProcess& target, const std::string& path) {
  return target_stats(target)["by_path"].value(path, std::uint64_t{0});
}

std::uint64_t interrupted_of(const nlohmann::json& result) {
  return result["errors"].value("interrupted", std::uint64_t{0});
}

TEST(Run, RetriesWaitingAtTheEndContinueWithinTheGracefulStop) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--rate-limit", "1"});
  const auto run = run_stampede("run", retried_plan(target, "30s"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& totals = run.result["totals"];
  // Every started iteration (one step each) ends with exactly one final outcome.
  EXPECT_EQ(totals["iterations"], totals["requests"]) << totals.dump();
  EXPECT_GT(totals["retries"].get<std::uint64_t>(), 0u);
  // What the server received: every retried attempt and every final one.
  EXPECT_EQ(server_attempts(target, "/api/limited"),
            totals["requests"].get<std::uint64_t>() + totals["retries"].get<std::uint64_t>());
  EXPECT_EQ(interrupted_of(run.result), 0u);
  // Retries waiting at 2 s were sent after it (Retry-After is a whole second).
  EXPECT_GT(totals["duration_seconds"].get<double>(), 2.5);
}

TEST(Run, RetriesStillWaitingWhenTheGracefulStopEndsAreInterrupted) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--rate-limit", "1"});
  const auto run = run_stampede("run", retried_plan(target, "300ms"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& totals = run.result["totals"];
  EXPECT_EQ(totals["iterations"], totals["requests"]) << totals.dump();
  // One token a second: at most one user's retry succeeds in the 300 ms, the others still wait.
  const std::uint64_t interrupted = interrupted_of(run.result);
  EXPECT_GE(interrupted, 1u) << run.result["errors"].dump();
  // An interrupted retry was never sent: it is the step's outcome, not an attempt.
  EXPECT_EQ(server_attempts(target, "/api/limited") + interrupted,
            totals["requests"].get<std::uint64_t>() + totals["retries"].get<std::uint64_t>());
  EXPECT_LT(totals["duration_seconds"].get<double>(), 2.3 + 1.0);
}

TEST(Run, LocalhostFindsTheAddressTheServerListensOn) {
  // localhost resolves to ::1 and 127.0.0.1; the target listens on 127.0.0.1 only.
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", "target: http://localhost:" + std::to_string(target.port()) +
                                           R"(
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_GT(run.result["totals"]["requests"].get<int>(), 10);
  EXPECT_EQ(run.result["totals"]["failures"], 0);
}

TEST(Run, TaskWeightsHoldWithinTwoPercent) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // The 3:2:1:1:1:1 journey of a worker-tracking app, over at least 6,000 requests (the
  // sanitizer tree's demo target, built at -O0, serves about 1,500 a second, 700 while CI builds
  // the thread tree and runs three other tests beside it). Each user picks by smooth weighted
  // round-robin, so a task's count is off its share by at most about one per user: 10 of the
  // 667 a weight of 1 gets out of 6,000, inside the 2 % (13) checked.
#if defined(STAMPEDE_SANITIZED)
  const std::string duration = "14s";
#else
  const std::string duration = "5s";
#endif
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 10, duration: )" + duration + R"(}
scenarios:
  - name: journey
    tasks:
      - {name: a, weight: 3, steps: [{get: /, name: a}]}
      - {name: b, weight: 2, steps: [{get: /, name: b}]}
      - {name: c, weight: 1, steps: [{get: /, name: c}]}
      - {name: d, weight: 1, steps: [{get: /, name: d}]}
      - {name: e, weight: 1, steps: [{get: /, name: e}]}
      - {name: f, weight: 1, steps: [{get: /, name: f}]}
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const double total = run.result["totals"]["requests"].get<double>();
  ASSERT_GE(total, 6000) << "too few requests to judge the weights";
  const std::pair<const char*, double> expected[] = {{"a", 3}, {"b", 2}, {"c", 1},
                                                     {"d", 1}, {"e", 1}, {"f", 1}};
  for (const auto& [name, weight] : expected) {
    const double share = row_requests(run.result, name) / total;
    EXPECT_NEAR(share, weight / 9, weight / 9 * 0.02) << name;
  }
}

TEST(Run, OpenModelHoldsTheRateWithinTwoPercent) {
#if defined(STAMPEDE_SANITIZED)
  // The sanitizer trees share two cores with builds and other suites: a quarter-second stall of
  // the -O0 runner or target fills the default queue (100 ms of arrivals, at least maxInFlight;
  // once 10 dropped). A second's queue keeps this test about the rate.
  const std::string queue = ", maxQueued: 400";
#else
  const std::string queue;
#endif
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {rate: 400, duration: 5s, maxInFlight: 50)" +
                                           queue + R"(}
scenarios:
  - name: api
    steps: [{get: /}]
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const double requests = run.result["totals"]["requests"].get<double>();
  EXPECT_NEAR(requests, 2000, 2000 * 0.02);
  EXPECT_EQ(run.result["totals"]["dropped"], 0);
  EXPECT_EQ(target_stats(target)["requests"].get<double>(), requests);
  // Every full second of the series carries the rate too (±5 %: a request finishing at a second's
  // edge may land in the next one when the worker answers the tick a few milliseconds late).
  std::vector<double> seconds;
  double after_the_end = 0;  // completed in the graceful stop
  for (const auto& point : run.result["series"]) {
    const double t = point["t"].get<double>();
    if (t >= 1 && t <= 5) seconds.push_back(point["requests"].get<double>());
    if (t > 5) after_the_end += point["requests"].get<double>();
  }
  ASSERT_GE(seconds.size(), 4U) << run.result["series"].dump();
#if defined(STAMPEDE_SANITIZED)
  // A stall of the -O0 runner beside the other suites moves completions into later seconds
  // (once 354 then 460; once 32 of seconds 1-4 into second 5 and the graceful stop), never into
  // earlier ones: after each second the running total is not ahead of the rate and at most half
  // a second behind it; with the graceful stop's it is the whole run's (2,000 ± 2 %, above).
  double running = 0;
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    running += seconds[i];
    const double due = 400.0 * static_cast<double>(i + 1);
    EXPECT_LE(running, due * 1.05) << "seconds 1-" << i + 1 << ": " << run.result["series"];
    EXPECT_GE(running, due - 200) << "seconds 1-" << i + 1 << ": " << run.result["series"];
  }
  EXPECT_NEAR(running + after_the_end, requests, 0.5);
#else
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    EXPECT_NEAR(seconds[i], 400, 400 * 0.05) << "second " << i + 1;
  }
#endif
}

TEST(Run, StallRaisesLatencyButNotServiceTime) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // One connection at 100/s: a 1 s stall queues the arrivals behind the stalled request. Their
  // latency counts from their scheduled start (coordinated omission corrected); their service
  // time starts when they are sent, after the stall.
  const std::string json_path = write_temp_file("", ".json");
  Subprocess runner({STAMPEDE_BIN, "run", write_temp_file(R"(
target: )" + target.url() + R"(
load: {rate: 100, duration: 6s, maxInFlight: 1, preAllocatedUsers: 1, maxQueued: 1000}
scenarios:
  - name: api
    steps: [{get: /}]
)"),
                     "--json", json_path, "--quiet"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  target.post("/__stall?seconds=1");
  const ExitStatus status = runner.wait_or_kill(std::chrono::seconds(60));
  ASSERT_EQ(status.code, 0) << runner.stderr_text();
  std::ifstream in(json_path);
  const auto result = nlohmann::json::parse(in);
  const double p99 = result["latency_seconds"]["p99"].get<double>();
  const double service_p99 = result["service_time_seconds"]["p99"].get<double>();
  EXPECT_EQ(result["totals"]["requests"], 600);
  EXPECT_EQ(result["totals"]["dropped"], 0);
  // 100 of 600 arrivals fall in the stall, waiting 1 s down to 0: p99 is about 0.94 s.
  EXPECT_GT(p99, 0.85);
  EXPECT_LT(p99, 1.2);
  EXPECT_LT(service_p99, 0.1);
  EXPECT_GT(result["service_time_seconds"]["max"].get<double>(), 0.8);  // the stalled one
}

}  // namespace
}  // namespace stampede::testing
