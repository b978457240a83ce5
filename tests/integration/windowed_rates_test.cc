// Quotas and bursts (max_count, max_rate; docs/rate-limits.md) end to end: the real stampede
// binary against the bundled target, its rate-limited endpoint included.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;

const json& threshold(const json& result, const std::string& metric,
                      const std::string& expression) {
  for (const json& t : result["thresholds"]) {
    if (t["metric"] == metric && t["expression"] == expression) return t;
  }
  static const json kNone = json::object();
  ADD_FAILURE() << "no threshold " << metric << ": " << expression << " in "
                << result["thresholds"].dump();
  return kNone;
}

const json& window(const json& result, const std::string& selector) {
  if (result.contains("windows")) {
    for (const json& w : result["windows"]) {
      if (w["selector"] == selector) return w;
    }
  }
  static const json kNone = json::object();
  ADD_FAILURE() << "no window series " << selector;
  return kNone;
}

double actual(const json& result, const std::string& metric, const std::string& expression) {
  return threshold(result, metric, expression).value("actual", -1.0);
}

// 20 arrivals a second for 3 s: the busiest second holds the rate (a send may lag its arrival
// by a little, so one more can fit), and a window longer than the run holds every request.
TEST(WindowedRates, AnOpenModelsPeakIsItsRatePerWindow) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{rate: 20, duration: 3s, preAllocatedUsers: 10}",
                        "      - get: /\n") +
      R"(thresholds:
  http_reqs: ["max_count(1s) <= 25", "max_rate(10s) <= 3000/m", "max_count(10s) >= 1"]
  "http_reqs{method:GET}": ["max_rate(1s) < 10"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 99) << run.describe();  // max_rate(1s) < 10 fails
  const std::uint64_t requests = run.result["totals"]["requests"].get<std::uint64_t>();
  ASSERT_GE(requests, 55U) << run.describe();
  const double peak = actual(run.result, "http_reqs", "max_count(1s) <= 25");
  EXPECT_GE(peak, 20);
  EXPECT_LE(peak, 22);
  // A 10-s window holds the whole run: exactly the requests counted.
  EXPECT_EQ(actual(run.result, "http_reqs", "max_count(10s) >= 1"), static_cast<double>(requests));
  EXPECT_EQ(actual(run.result, "http_reqs", "max_rate(10s) <= 3000/m"),
            static_cast<double>(requests));
  // Quota use: actual / bound (3000 a minute is 500 per 10 s).
  EXPECT_DOUBLE_EQ(
      threshold(run.result, "http_reqs", "max_count(1s) <= 25")["utilization"].get<double>(),
      peak / 25);
  EXPECT_DOUBLE_EQ(
      threshold(run.result, "http_reqs", "max_rate(10s) <= 3000/m")["utilization"].get<double>(),
      static_cast<double>(requests) / 500);
  EXPECT_FALSE(threshold(run.result, "http_reqs", "max_count(10s) >= 1").contains("utilization"));
  const json& failed = threshold(run.result, "http_reqs{method:GET}", "max_rate(1s) < 10");
  EXPECT_EQ(failed["ok"], false);
  EXPECT_EQ(failed["actual"], peak);
  EXPECT_GT(failed["utilization"].get<double>(), 1.9);

  const json& series = window(run.result, "http_reqs");
  EXPECT_EQ(series["slot_ns"], 1000);
  std::uint64_t counted = 0;
  for (std::size_t i = 1; i < series["slots"].size(); i += 2)
    counted += series["slots"][i].get<std::uint64_t>();
  EXPECT_EQ(counted, requests);
  EXPECT_NE(run.out.find("quota used"), std::string::npos) << run.out;
}

// The target admits 10 a second with a burst of 10 and refuses the rest with 429: windows
// filtered by status count each kind exactly, and the admitted ones never exceed what the
// server's bucket allows in a second (burst + rate, give or take one send in flight).
TEST(WindowedRates, StatusTagsCountTheAdmittedAndTheRefused) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--rate-limit", "10"});
  const std::string plan =
      one_scenario_plan(target.url(), "{rate: 40, duration: 2s, preAllocatedUsers: 10}",
                        "      - get: /api/limited\n        expect: {status: [200, 429]}\n") +
      R"(thresholds:
  "http_reqs{status:200}": ["max_count(1s) <= 22", "max_count(1h) > 0"]
  "http_reqs{status:429}": ["max_count(1h) > 0"]
  "http_reqs{status:4xx}": ["max_count(1h) > 0"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const json& codes = run.result["status_codes"];
  const double admitted = codes.value("200", 0.0);
  const double refused = codes.value("429", 0.0);
  EXPECT_GT(admitted, 15);
  EXPECT_GT(refused, 30);
  EXPECT_EQ(actual(run.result, "http_reqs{status:200}", "max_count(1h) > 0"), admitted);
  EXPECT_EQ(actual(run.result, "http_reqs{status:429}", "max_count(1h) > 0"), refused);
  EXPECT_EQ(actual(run.result, "http_reqs{status:4xx}", "max_count(1h) > 0"), refused);
  EXPECT_LE(actual(run.result, "http_reqs{status:200}", "max_count(1s) <= 22"), 22);
}

// A quota per provider: a custom counter's value tag selects the provider each answer names.
// The target rotates over four providers; `?ms=0` answers at once.
TEST(WindowedRates, ACustomCountersValueIsAQuotaPerProvider) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{rate: 40, duration: 2s, preAllocatedUsers: 10}",
                        R"(      - post: /api/chat?ms=0
        json: {task: hello}
        metrics:
          - name: provider_requests
            counter: {json: /provider}
)") + R"(thresholds:
  "provider_requests{value:groq}": ["max_rate(1s) <= 30", "max_count(1h) > 0"]
  provider_requests: ["max_count(1h) > 0"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  double groq = 0;
  double all = 0;
  for (const json& value : run.result["custom"][0]["values"]) {
    all += value["count"].get<double>();
    if (value["value"] == "groq") groq = value["count"].get<double>();
  }
  EXPECT_GT(groq, 15);
  EXPECT_EQ(actual(run.result, "provider_requests{value:groq}", "max_count(1h) > 0"), groq);
  EXPECT_EQ(actual(run.result, "provider_requests", "max_count(1h) > 0"), all);
  // A quarter of 40 a second: about 10 in the busiest second.
  const double peak = actual(run.result, "provider_requests{value:groq}", "max_rate(1s) <= 30");
  EXPECT_GE(peak, 9);
  EXPECT_LE(peak, 12);
}

// A plan without a windowed threshold records no window series.
// A per-user quota: each of 3 users sends 5 requests back to back, waits 2 s and does it again.
// The busiest user's busiest second holds its 5; its 3 s hold both bursts; all users' second
// holds 15.
TEST(WindowedRates, PerUserPeaksAreEachUsersOwn) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan = "target: " + target.url() + R"(
load: {users: 3, duration: 3s}
scenarios:
  - name: bursts
    wait: constant(2s)
    steps: [{get: /}, {get: /}, {get: /}, {get: /}, {get: /}]
thresholds:
  http_reqs: ["max_count_per_user(1s) <= 5", "max_count_per_user(3s) <= 10",
              "max_rate_per_user(1s) <= 4", "max_count(1s) <= 15"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 99) << run.describe();  // max_rate_per_user(1s) <= 4 fails
  ASSERT_EQ(run.result["totals"]["requests"], 30) << run.describe();
  EXPECT_EQ(actual(run.result, "http_reqs", "max_count_per_user(1s) <= 5"), 5);
  EXPECT_EQ(actual(run.result, "http_reqs", "max_count_per_user(3s) <= 10"), 10);
  EXPECT_EQ(actual(run.result, "http_reqs", "max_rate_per_user(1s) <= 4"), 5);
  EXPECT_EQ(actual(run.result, "http_reqs", "max_count(1s) <= 15"), 15);
  EXPECT_DOUBLE_EQ(threshold(run.result, "http_reqs", "max_count_per_user(1s) <= 5")["utilization"]
                       .get<double>(),
                   1.0);
  ASSERT_EQ(run.result["userWindows"].size(), 2u) << run.result.dump();
  EXPECT_EQ(run.result["userWindows"][0]["selector"], "http_reqs");
  EXPECT_EQ(run.result["userWindows"][0]["windowSeconds"], 1.0);
  EXPECT_EQ(run.result["userWindows"][0]["maxCount"], 5);
  EXPECT_NE(run.out.find("max_count_per_user(1s) <= 5"), std::string::npos) << run.out;
}

TEST(WindowedRates, OnlyWindowedSelectorsAreRecorded) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{rate: 10, duration: 1s}", "      - get: /\n") +
      "thresholds:\n  http_reqs: [\"count > 0\"]\n";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_FALSE(run.result.contains("windows")) << run.result.dump();
}

}  // namespace
}  // namespace stampede::testing
