// Client-side limits (`limits:`, docs/rate-limits.md) end to end: the real stampede binary
// against the bundled target (its per-key token bucket, /api/quota) and nginx's limit_req.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>

#include "support/nginx.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const json& limit_entry(const json& result, const std::string& selector) {
  if (result.contains("limits")) {
    for (const json& l : result["limits"]) {
      if (l["selector"] == selector) return l;
    }
  }
  static const json kNone = json::object();
  ADD_FAILURE() << "no limit " << selector << " in " << result.value("limits", json()).dump();
  return kNone;
}

std::uint64_t count(const json& j, const char* key) {
  return j.value(key, std::uint64_t{0});
}

// Five users without think time would send thousands a second; the limit lets 20 a second
// through (2 at once after a quiet spell), in every 1-s window, and the time they wait for it
// is not the target's latency.
TEST(Limits, AFixedLimitHoldsItsRateInEveryWindow) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{users: 5, duration: 3s}", "      - get: /\n") +
      R"(limits:
  http_reqs: {rate: 20/s, burst: 2}
thresholds:
  http_reqs: ["max_count(1s) <= 22"]                  # 20 a second plus the burst
  http_req_duration: ["p(99) < 100ms"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const std::uint64_t requests = run.result["totals"]["requests"].get<std::uint64_t>();
  // 3 s at 20 a second plus the burst, and the slots the five users had reserved when the load
  // ended (up to 250 ms ahead): a wait for a limit belongs to its iteration, which the graceful
  // stop lets finish.
  EXPECT_GE(requests, 60u) << run.describe();
  EXPECT_LE(requests, 68u) << run.describe();
  const json& limit = limit_entry(run.result, "http_reqs");
  EXPECT_EQ(limit["adaptive"], false);
  EXPECT_DOUBLE_EQ(limit["configuredRate"].get<double>(), 20);
  EXPECT_EQ(count(limit, "requests"), requests);
  EXPECT_GE(count(limit, "delayed"), requests - 7);  // all but the first burst waited
  EXPECT_EQ(count(limit, "skipped"), 0u);
  EXPECT_GT(limit["throttledSeconds"].get<double>(), 2.5);
  EXPECT_GT(limit["delaySeconds"].get<double>(), limit["throttledSeconds"].get<double>());
  // The target saw exactly what the result counts.
  const json stats = json::parse(target.get("/__stats").body);
  EXPECT_EQ(stats["requests"].get<std::uint64_t>(), requests);
  EXPECT_NE(run.out.find("http_reqs"), std::string::npos) << run.out;
}

// `per: user`: three users without think time, each held to 5 a second on its own requests,
// send about three times what one shared limit of 5 would let through; no user's second holds
// more than its 5 (one more when a send's timer fires late and the next does not).
TEST(Limits, APerUserLimitHoldsEachUserToItsOwnRate) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{users: 3, duration: 2s}", "      - get: /\n") +
      R"(limits:
  http_reqs: {rate: 5/s, per: user}
thresholds:
  http_reqs: ["max_count_per_user(1s) <= 6"]
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const std::uint64_t requests = run.result["totals"]["requests"].get<std::uint64_t>();
  // 2 s at 5 a second for each of 3 users, plus each one's first at once and the slots reserved
  // when the load ended.
  EXPECT_GE(requests, 27u) << run.describe();
  EXPECT_LE(requests, 39u) << run.describe();
  const json& limit = limit_entry(run.result, "http_reqs");
  EXPECT_EQ(limit["perUser"], true);
  EXPECT_DOUBLE_EQ(limit["configuredRate"].get<double>(), 5);
  EXPECT_EQ(count(limit, "requests"), requests);
  EXPECT_GE(count(limit, "delayed"), requests - 3);  // all but each user's first waited
  EXPECT_NE(run.out.find("http_reqs per user"), std::string::npos) << run.out;
}

// 50 arrivals a second above a limit of 20: the arrivals that would wait past maxDelay are not
// sent (skipped), none is dropped, and every arrival is accounted for.
TEST(Limits, AnOpenModelSkipsArrivalsAboveTheLimit) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      one_scenario_plan(target.url(), "{rate: 50, duration: 2s, preAllocatedUsers: 10}",
                        "      - get: /\n") +
      R"(limits:
  "http_reqs{scenario:s}": {rate: 20/s, maxDelay: 100ms}
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const std::uint64_t requests = run.result["totals"]["requests"].get<std::uint64_t>();
  const json& limit = limit_entry(run.result, "http_reqs{scenario:s}");
  EXPECT_GE(requests, 38u);
  EXPECT_LE(requests, 44u);
  const std::uint64_t iterations = run.result["iterations"]["s"]["iterations"].get<std::uint64_t>();
  EXPECT_EQ(run.result["iterations"]["s"]["dropped"], 0);
  EXPECT_EQ(count(limit, "requests") + count(limit, "skipped"), iterations);
  EXPECT_GE(iterations, 99u);
  EXPECT_LE(iterations, 101u);
}

// What a target let through and refused in a window of a run, from its own counts.
struct Outcomes {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
};

// Two keys, each its own adaptive limit, each offered twice the per-key limit of the target's
// token bucket (/api/quota: 40 a second, burst 8). After 10 s the rate has settled: over the
// next 10 s each key's accepted rate is within 10 % below the limit, and under 1 % of its
// requests are refused. The target's Retry-After is whole seconds (1 s for a 25-ms wait), so
// these limits do not pause on it (retryAfter: false; docs/rate-limits.md).
TEST(Limits, AnAdaptiveRateSettlesJustUnderEachKeysLimit) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--key-rate-limit", "40", "--key-burst", "8"});
  const std::string scenario = R"(  - name: KEY
    steps:
      - get: /api/quota
        headers: {X-Api-Key: KEY}
        expect: {status: [200, 429]}
)";
  auto for_key = [&](const std::string& key) {
    std::string s = scenario;
    for (std::size_t at; (at = s.find("KEY")) != std::string::npos;) s.replace(at, 3, key);
    return s;
  };
  const std::string plan = "target: " + target.url() +
                           "\nload: {rate: 160, duration: 20s, maxInFlight: 100}\nscenarios:\n" +
                           for_key("a") + for_key("b") + R"(limits:
  "http_reqs{scenario:a}": {adaptive: {retryAfter: false}}
  "http_reqs{scenario:b}": {adaptive: {retryAfter: false}}
)";
  const std::string json_file = write_temp_file("", ".json");
  Subprocess run({STAMPEDE_BIN, "run", write_temp_file(plan), "--quiet", "--json", json_file});
  auto counts = [&](const std::string& key) {
    const json quota = json::parse(target.get("/__stats").body).value("quota", json::object());
    const json entry = quota.value(key, json::object());
    return Outcomes{entry.value("accepted", std::uint64_t{0}),
                    entry.value("rejected", std::uint64_t{0})};
  };
  // The run's first request starts the clock.
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (counts("a").accepted == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  const auto started = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(started + seconds(10));
  const Outcomes a0 = counts("a");
  const Outcomes b0 = counts("b");
  std::this_thread::sleep_until(started + seconds(20));
  const Outcomes a1 = counts("a");
  const Outcomes b1 = counts("b");
  const std::optional<ExitStatus> status = run.wait(seconds(60));
  ASSERT_TRUE(status && status->code == 0) << run.stderr_text();
  for (const auto& [key, before, after] : {std::tuple{"a", a0, a1}, std::tuple{"b", b0, b1}}) {
    const double accepted = static_cast<double>(after.accepted - before.accepted) / 10;
    const double refused = static_cast<double>(after.refused - before.refused);
    const double share = refused / static_cast<double>(after.accepted - before.accepted + refused);
    std::cout << "key " << key << ": " << accepted << " accepted a second, " << share * 100
              << " % refused, over the 10 s after the first 10\n";
    EXPECT_GE(accepted, 36) << key;
    // 40 a second and the burst once; the window is the test's own sleep, a little long at times.
    EXPECT_LE(accepted, 42) << key;
    EXPECT_LT(share, 0.01) << key << ": " << refused << " refused";
  }
  std::ifstream in(json_file);
  const json result = json::parse(in);
  for (const char* selector : {"http_reqs{scenario:a}", "http_reqs{scenario:b}"}) {
    const json& limit = limit_entry(result, selector);
    EXPECT_EQ(limit["adaptive"], true);
    EXPECT_GE(count(limit, "decreases"), 1u);
    EXPECT_GT(limit["rate"].get<double>(), 30) << limit.dump();
    EXPECT_LT(limit["rate"].get<double>(), 50) << limit.dump();
    EXPECT_GT(count(limit, "skipped"), 0u);  // twice the limit was offered
  }
}

// nginx's limit_req (a leaky bucket with a burst, 429 past it, no Retry-After): the default
// adaptive settings settle under it the same way.
TEST(Limits, AnAdaptiveRateSettlesJustUnderNginxLimitReq) {
  ASSERT_TRUE(nginx_available()) << "nginx is required (scripts/install-deps test)";
  NginxProcess nginx({.limit_rate = "40r/s", .limit_burst = 8});
  const std::string plan =
      one_scenario_plan(nginx.url(), "{rate: 80, duration: 20s, maxInFlight: 100}",
                        "      - get: /limited\n        expect: {status: [200, 429]}\n") +
      R"(limits:
  http_reqs: {adaptive: {}}
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const std::vector<NginxLogEntry> log = nginx.log();
  ASSERT_FALSE(log.empty());
  const double start = log.front().at;
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  for (const NginxLogEntry& entry : log) {
    if (entry.at < start + 10 || entry.at >= start + 20) continue;
    ++(entry.status == 200 ? accepted : refused);
  }
  const double share = static_cast<double>(refused) / static_cast<double>(accepted + refused);
  std::cout << "nginx: " << accepted / 10.0 << " accepted a second, " << share * 100
            << " % refused, over the 10 s after the first 10\n";
  EXPECT_GE(accepted / 10.0, 36);
  EXPECT_LE(accepted / 10.0, 41);
  EXPECT_LT(share, 0.01) << refused << " refused";
  const json& limit = limit_entry(run.result, "http_reqs");
  EXPECT_GE(count(limit, "decreases"), 1u);
  EXPECT_EQ(count(limit, "pauses"), 0u);  // nginx sends no Retry-After
}

// A closed model's `load.adaptive` against nginx's limit_req (40 a second, burst 8): 30 users with
// 200 ms of think time offer about 150 requests a second. The users back off on the 429s to the
// few the limit lets through: after 4 s of settling, most of what they send is accepted, and
// the accepted rate stays near the limit (one user more or less is 5 requests a second).
TEST(Limits, AdaptiveUsersBackOffToWhatNginxLimitReqLetsThrough) {
  ASSERT_TRUE(nginx_available()) << "nginx is required (scripts/install-deps test)";
  NginxProcess nginx({.limit_rate = "40r/s", .limit_burst = 8});
  const std::string plan = "target: " + nginx.url() + R"(
load:
  users: 30
  spawnRate: 100
  duration: 14s
  adaptive: {statuses: [429]}
scenarios:
  - name: s
    wait: constant(200ms)
    steps:
      - get: /limited
        expect: {status: [200, 429]}
)";
  const StampedeRun run = run_stampede("run", plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const std::vector<NginxLogEntry> log = nginx.log();
  ASSERT_FALSE(log.empty());
  const double start = log.front().at;
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
  for (const NginxLogEntry& entry : log) {
    if (entry.at < start + 4 || entry.at >= start + 14) continue;
    ++(entry.status == 200 ? accepted : refused);
  }
  const double share = static_cast<double>(refused) / static_cast<double>(accepted + refused);
  const json& users = run.result["adaptiveUsers"];
  std::cout << "nginx, adaptive users: " << accepted / 10.0 << " accepted a second, " << share * 100
            << " % refused, over the 10 s after the first 4; " << users.dump() << "\n";
  EXPECT_GE(accepted / 10.0, 24);
  EXPECT_LE(accepted / 10.0, 41);
  // Without backing off, about three quarters would be refused.
  EXPECT_LT(share, 0.1) << refused << " refused";
  EXPECT_GE(count(users, "decreases"), 1u) << users;
  EXPECT_EQ(users["plannedUsers"], 30) << users;
  EXPECT_LT(users["users"].get<double>(), 20) << users;
  EXPECT_GE(users["lowestUsers"].get<double>(), 1) << users;
  EXPECT_LE(users["lowestUsers"].get<double>(), users["users"].get<double>()) << users;
  EXPECT_GT(users["throttledSeconds"].get<double>(), 5) << users;
  EXPECT_NE(run.out.find("adaptive users  30 planned"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace stampede::testing
