// Every number of a plan has a range: a value outside it is an error with the field path and
// line, never a wrapped count, a negative duration or an allocation that aborts the run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plan/limits.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using plan_test::has_error;
using plan_test::parse;
using plan_test::parse_ok;

constexpr const char* kTarget = "target: http://h\n";
constexpr const char* kLoad = "load: {users: 1, duration: 1s}\n";
constexpr const char* kScenarios = "scenarios: [{name: a, steps: [{get: /}]}]\n";

// A plan of three lines (target, load, scenarios) plus optional thresholds on line 4; each case
// replaces one of them.
struct Parts {
  std::string target = kTarget;
  std::string load = kLoad;
  std::string scenarios = kScenarios;
  std::string thresholds = "";
  std::string text() const { return target + load + scenarios + thresholds; }
};

Parts with_target(const std::string& line) {
  Parts p;
  p.target = line + "\n";
  return p;
}
Parts with_load(const std::string& line) {
  Parts p;
  p.load = line + "\n";
  return p;
}
Parts with_scenarios(const std::string& line) {
  Parts p;
  p.scenarios = line + "\n";
  return p;
}
Parts with_thresholds(const std::string& line) {
  Parts p;
  p.thresholds = line + "\n";
  return p;
}

struct RangeCase {
  const char* name;
  Parts plan;
  std::string path;
  int line;
  std::string message;
};

std::vector<RangeCase> out_of_range() {
  const std::string big_stages =
      "load: {stages: [{duration: 20d, users: 5}, {duration: 10d, "
      "users: 5}, {duration: 1s, users: 0}]}";
  return {
      {"users", with_load("load: {users: 1000001, duration: 1s}"), "load.users", 2,
       "must be at most 1000000"},
      {"users past 2^32", with_load("load: {users: 4294967296, duration: 1s}"), "load.users", 2,
       "must be at most 1000000"},
      {"spawnRate", with_load("load: {users: 1, spawnRate: 1000001, duration: 1s}"),
       "load.spawnRate", 2, "must be at most 1000000"},
      {"duration", with_load("load: {users: 1, duration: 31d}"), "load.duration", 2,
       "must be at most 30d"},
      {"duration past int64", with_load("load: {users: 1, duration: 200000d}"), "load.duration", 2,
       "must be at most 30d"},
      {"stage duration", with_load("load: {stages: [{duration: 60000d, users: 1}]}"),
       "load.stages[0].duration", 2, "must be at most 30d"},
      {"stages that wrap",
       with_load("load: {stages: [{duration: 30d, users: 1}, {duration: 30d, "
                 "users: 1}]}"),
       "load.stages", 2, "the stages add up to 60d, more than the limit of 30d"},
      {"stages past the sum", with_load(big_stages), "load.stages", 2,
       "the stages add up to 30d1s, more than the limit of 30d"},
      {"stage users", with_load("load: {stages: [{duration: 1s, users: 1000001}]}"),
       "load.stages[0].users", 2, "must be at most 1000000"},
      {"rate", with_load("load: {rate: 1e18, duration: 1s}"), "load.rate", 2,
       "must be at most 10000000"},
      {"stage rate", with_load("load: {stages: [{duration: 1s, rate: 10000001}]}"),
       "load.stages[0].rate", 2, "must be at most 10000000"},
      {"maxInFlight", with_load("load: {rate: 1, duration: 1s, maxInFlight: 1000001}"),
       "load.maxInFlight", 2, "must be at most 1000000"},
      {"maxQueued", with_load("load: {rate: 1, duration: 1s, maxQueued: 1000001}"),
       "load.maxQueued", 2, "must be at most 1000000"},
      {"gracefulStop", with_load("load: {users: 1, duration: 1s, gracefulStop: 61m}"),
       "load.gracefulStop", 2, "must be at most 1h"},
      {"connectTimeout", with_target("target: {url: http://h, connectTimeout: 2h}"),
       "target.connectTimeout", 1, "must be at most 1h"},
      {"timeout", with_target("target: {url: http://h, timeout: 3601s}"), "target.timeout", 1,
       "must be at most 1h"},
      {"maxResponseBytes", with_target("target: {url: http://h, maxResponseBytes: 2GiB}"),
       "target.maxResponseBytes", 1, "must be at most 1GiB"},
      {"retry max", with_target("target: {url: http://h, retry: {statuses: [503], max: 101}}"),
       "target.retry.max", 1, "must be at most 100"},
      {"backoff initial",
       with_target("target: {url: http://h, retry: {statuses: [503], backoff: {initial: 2h}}}"),
       "target.retry.backoff.initial", 1, "must be at most 1h"},
      {"backoff max",
       with_target("target: {url: http://h, retry: {statuses: [503], backoff: {max: 2h}}}"),
       "target.retry.backoff.max", 1, "must be at most 1h"},
      {"backoff multiplier",
       with_target("target: {url: http://h, retry: {statuses: [503], backoff: {multiplier: 101}}}"),
       "target.retry.backoff.multiplier", 1, "must be at most 100"},
      {"jwt expiresIn",
       with_target("target: {url: http://h, auth: {jwt: {secret: {env: HOME}, expiresIn: 31d}}}"),
       "target.auth.jwt.expiresIn", 1, "must be at most 30d"},
      {"scenario weight", with_scenarios("scenarios: [{name: a, weight: 1e7, steps: [{get: /}]}]"),
       "scenarios[0].weight", 3, "must be at most 1000000"},
      {"task weight",
       with_scenarios("scenarios: [{name: a, tasks: [{name: t, weight: 1e7, steps: [{get: /}]}]}]"),
       "scenarios[0].tasks[0].weight", 3, "must be at most 1000000"},
      {"wait constant",
       with_scenarios("scenarios: [{name: a, wait: constant(2h), steps: [{get: /}]}]"),
       "scenarios[0].wait", 3, "must be at most 1h"},
      {"wait between",
       with_scenarios("scenarios: [{name: a, wait: 'between(1s, 2h)', steps: [{get: /}]}]"),
       "scenarios[0].wait", 3, "must be at most 1h"},
      {"wait pacing",
       with_scenarios("scenarios: [{name: a, wait: pacing(3601), steps: [{get: /}]}]"),
       "scenarios[0].wait", 3, "must be at most 1h"},
      {"delayAbortEval",
       with_thresholds("thresholds: {http_reqs: [{threshold: 'count > 1', abortOnFail: true, "
                       "delayAbortEval: 31d}]}"),
       "thresholds.http_reqs[0].delayAbortEval", 4, "must be at most 30d"},
  };
}

TEST(PlanRanges, EachFieldOutsideItsRangeIsAnError) {
  for (const RangeCase& c : out_of_range()) {
    SCOPED_TRACE(c.name);
    const ParseResult result = parse(c.plan.text());
    EXPECT_TRUE(has_error(result, c.path, c.line, c.message)) << c.plan.text();
  }
}

// The largest value of each range is accepted.
TEST(PlanRanges, TheLimitsThemselvesAreAccepted) {
  const std::vector<Parts> plans = {
      with_load("load: {users: 1000000, spawnRate: 1000000, duration: 30d, gracefulStop: 1h}"),
      with_load("load: {stages: [{duration: 15d, users: 1000000}, {duration: 15d, users: 0}]}"),
      with_load("load: {rate: 10000000, duration: 30d, maxInFlight: 1000000, maxQueued: 1000000, "
                "preAllocatedUsers: 1000000}"),
      with_target("target: {url: http://h, connectTimeout: 1h, timeout: 1h, maxResponseBytes: "
                  "1GiB, retry: {statuses: [503], max: 100, backoff: {initial: 1h, max: 1h, "
                  "multiplier: 100}}}"),
      with_scenarios("scenarios: [{name: a, weight: 1000000, wait: 'between(1h, 1h)', tasks: "
                     "[{name: t, weight: 1000000, steps: [{get: /}]}]}]"),
  };
  for (const Parts& p : plans) parse_ok(p.text());
}

// The open model's default maxInFlight follows the peak rate, within its own range.
TEST(PlanRanges, DefaultMaxInFlightStaysInRange) {
  const Plan plan = parse_ok(with_load("load: {rate: 10000000, duration: 1s}").text());
  EXPECT_EQ(std::get<OpenModel>(plan.load.model).max_in_flight, limits::kMaxInFlight);
}

}  // namespace
}  // namespace stampede
