// Faults in the target are data: each is counted under its category and the run goes on.
#include <gtest/gtest.h>

#include <string>

#include "support/nginx.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

std::uint64_t errors_of(const nlohmann::json& result, const std::string& name,
                        const std::string& category) {
  return result_row(result, name)
      .value("errors", nlohmann::json::object())
      .value(category, std::uint64_t{0});
}

std::uint64_t requests_of(const nlohmann::json& result, const std::string& name) {
  return row_requests(result, name);
}

TEST(Faults, EachFaultIsCountedAndTheRunGoesOn) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target:
  url: )" + target.url() + R"(
  timeout: 300ms
  maxResponseBytes: 1000
load: {users: 4, duration: 3s}
scenarios:
  - name: faults
    tasks:
      - {steps: [{get: /, name: ok}]}
      - {steps: [{get: /reset, name: reset}]}
      - {steps: [{get: /garbage, name: garbage}]}
      - {steps: [{get: "/delay?ms=2000", name: slow}]}
      - {steps: [{get: /bytes/100000, name: big}]}
      - {steps: [{get: /status/503, name: unavailable}]}
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& r = run.result;
  EXPECT_GT(requests_of(r, "ok"), 20u);
  EXPECT_EQ(r["requests"][0]["failures"], 0);
  EXPECT_EQ(errors_of(r, "reset", "reset"), requests_of(r, "reset"));
  EXPECT_GT(requests_of(r, "reset"), 0u);
  EXPECT_EQ(errors_of(r, "garbage", "protocol"), requests_of(r, "garbage"));
  EXPECT_GT(requests_of(r, "garbage"), 0u);
  EXPECT_EQ(errors_of(r, "slow", "request_timeout"), requests_of(r, "slow"));
  EXPECT_GT(requests_of(r, "slow"), 0u);
  EXPECT_EQ(errors_of(r, "big", "response_too_large"), requests_of(r, "big"));
  EXPECT_EQ(errors_of(r, "unavailable", "unexpected_status"), requests_of(r, "unavailable"));
  // The timeout is enforced: a 2 s response never shows up as a 2 s latency.
  EXPECT_LT(r["latency_seconds"]["max"].get<double>(), 1.0);
}

TEST(Faults, RefusedConnectionsAreCounted) {
  const std::uint16_t closed_port = free_port();
  const auto run = run_stampede("run", "target: http://127.0.0.1:" + std::to_string(closed_port) +
                                           R"(
load: {users: 2, duration: 1s}
scenarios:
  - name: down
    wait: constant(10ms)
    steps: [{get: /, name: home}]
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto requests = requests_of(run.result, "home");
  EXPECT_GT(requests, 10u);
  EXPECT_EQ(errors_of(run.result, "home", "connect_refused"), requests);
}

}  // namespace
}  // namespace stampede::testing
