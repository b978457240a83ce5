// The real stampede binary against the bundled target on loopback: counts, weights, rates,
// exit codes, and the coordinated-omission model.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <thread>

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
  // The 3:2:1:1:1:1 journey of a worker-tracking app, over at least 10,000 requests.
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 10, duration: 5s}
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
  ASSERT_GE(total, 10000) << "too few requests to judge the weights";
  const std::pair<const char*, double> expected[] = {{"a", 3}, {"b", 2}, {"c", 1},
                                                     {"d", 1}, {"e", 1}, {"f", 1}};
  for (const auto& [name, weight] : expected) {
    const double share = row_requests(run.result, name) / total;
    EXPECT_NEAR(share, weight / 9, weight / 9 * 0.02) << name;
  }
}

TEST(Run, OpenModelHoldsTheRateWithinTwoPercent) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {rate: 400, duration: 5s, maxInFlight: 50}
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
  for (const auto& point : run.result["series"]) {
    if (point["t"].get<double>() >= 1 && point["t"].get<double>() <= 5) {
      EXPECT_NEAR(point["requests"].get<double>(), 400, 400 * 0.05) << point.dump();
    }
  }
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
