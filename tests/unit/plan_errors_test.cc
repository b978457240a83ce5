// Invalid plans: syntax, types, load models and thresholds give errors with path and line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plan/plan_parser.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using namespace plan_test;  // NOLINT(google-build-using-namespace): test helpers
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(PlanParserTest, InvalidYamlSyntax) {
  ParseResult result = parse("target: http://h\nload: [1, 2\nscenarios: []\n");
  ASSERT_FALSE(result.plan);
  ASSERT_EQ(result.errors.size(), 1u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].path, "");
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_NE(result.errors[0].message.find("invalid YAML"), std::string::npos);

  ParseResult tab = parse("load:\n  users: 1\n\tduration: 1s\n");
  ASSERT_EQ(tab.errors.size(), 1u) << describe(tab.errors);
  EXPECT_EQ(tab.errors[0].line, 3);
  EXPECT_EQ(tab.errors[0].column, 1);
}

TEST(PlanParserTest, UnknownFieldListsExpectedOnes) {
  ParseResult result = parse(R"yaml(target: http://h
load:
  usres: 5
  duration: 1m
scenarios: [{name: a, steps: [{get: /, methd: GET}]}]
)yaml");
  EXPECT_TRUE(has_error(
      result, "load", 3,
      "unknown field 'usres' (expected one of: users, spawnRate, duration, "
      "stages, rate, maxInFlight, preAllocatedUsers, maxQueued, gracefulStop, adaptive)"));
  EXPECT_EQ(result.errors[0].column, 3);
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0]", 5, "unknown field 'methd'"));
  EXPECT_EQ(result.errors.size(), 2u) << describe(result.errors);
}

TEST(PlanParserTest, UnknownTopLevelField) {
  ParseResult result = parse(std::string(kMinimal) + "extra: 1\n");
  EXPECT_TRUE(has_error(result, "", 7, "unknown field 'extra' (expected one of: name, target"));
}

TEST(PlanParserTest, DuplicateField) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s, users: 2}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(result, "load", 2, "duplicate field 'users'"));
}

TEST(PlanParserTest, WrongTypes) {
  ParseResult result = parse(R"yaml(target:
  url: http://h
  headers: [a, b]
  timeout: [1]
  tls: {insecureSkipVerify: maybe}
load:
  users: many
  spawnRate: -1
  duration: 1m
scenarios:
  - name: a
    weight: heavy
    steps:
      - get: /
        body: {a: 1}
  - name: [b]
    steps: {get: /}
)yaml");
  EXPECT_TRUE(has_error(result, "target.headers", 3, "must be a map"));
  EXPECT_TRUE(has_error(result, "target.timeout", 4, "must be a duration such as 30s or 5m"));
  EXPECT_TRUE(has_error(result, "target.tls.insecureSkipVerify", 5, "must be true or false"));
  EXPECT_TRUE(has_error(result, "load.users", 7, "must be an integer > 0"));
  EXPECT_TRUE(has_error(result, "load.spawnRate", 8, "must be a number >= 0"));
  EXPECT_TRUE(has_error(result, "scenarios[0].weight", 12, "must be a number > 0"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].body", 15, "must be a string"));
  EXPECT_TRUE(has_error(result, "scenarios[1].name", 16, "must be a string"));
  EXPECT_TRUE(has_error(result, "scenarios[1].steps", 17, "must be a non-empty list"));
  EXPECT_EQ(result.errors.size(), 9u) << describe(result.errors);
}

TEST(PlanParserTest, ErrorsAreInFileOrder) {
  ParseResult result = parse(R"yaml(scenarios:
  - name: a
    weight: 0
    steps: [{get: /}]
load: {users: 0, duration: 1s}
target: ftp://h
)yaml");
  ASSERT_EQ(result.errors.size(), 3u) << describe(result.errors);
  EXPECT_EQ(result.errors[0].line, 3);
  EXPECT_EQ(result.errors[1].line, 5);
  EXPECT_EQ(result.errors[2].line, 6);
}

TEST(PlanParserTest, NegativeOrZeroDurations) {
  ParseResult result = parse(R"yaml(target:
  url: http://h
  connectTimeout: 0s
load:
  users: 1
  duration: -5m
  gracefulStop: -1s
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(result, "target.connectTimeout", 3, "must be a duration > 0"));
  EXPECT_TRUE(has_error(result, "load.duration", 6, "must be a duration > 0"));
  EXPECT_TRUE(has_error(result, "load.gracefulStop", 7, "must be a duration >= 0"));

  ParseResult zero = parse(R"yaml(target: http://h
load: {users: 1, duration: 0}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(zero, "load.duration", 2, "must be a duration > 0"));
  ParseResult stage = parse(R"yaml(target: http://h
load:
  stages: [{duration: 0s, users: 1}]
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(stage, "load.stages[0].duration", 3, "must be a duration > 0"));
}

TEST(PlanParserTest, TwoLoadModels) {
  const std::string message = "two load models: `users` (closed) and `rate` (open); choose one";
  ParseResult both = parse(R"yaml(target: http://h
load:
  users: 10
  rate: 5
  duration: 1m
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(both, "load.rate", 4, message));
  ASSERT_EQ(both.errors.size(), 1u) << describe(both.errors);  // no cascade

  ParseResult mixed = parse(R"yaml(target: http://h
load:
  stages:
    - {duration: 1m, users: 10}
    - {duration: 1m, rate: 10}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(mixed, "load.stages[1].rate", 5, message));

  ParseResult stage_both = parse(R"yaml(target: http://h
load:
  stages:
    - {duration: 1m, rate: 10, users: 3}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(stage_both, "load.stages[0].users", 4, message));

  ParseResult max_in_flight = parse(R"yaml(target: http://h
load: {users: 10, duration: 1m, maxInFlight: 50}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(max_in_flight, "load.maxInFlight", 2,
                        "two load models: `users` (closed) and `maxInFlight` (open); choose one"));
}

TEST(PlanParserTest, NoLoadModel) {
  ParseResult none = parse(R"yaml(target: http://h
load:
  duration: 1m
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(none, "load", 3, "one of users, rate or stages is required"));
  ParseResult missing = parse("target: http://h\nscenarios: [{name: a, steps: [{get: /}]}]\n");
  EXPECT_TRUE(has_error(missing, "load", 1, "required"));
}

TEST(PlanParserTest, StagesExcludeUsersAndDuration) {
  ParseResult result = parse(R"yaml(target: http://h
load:
  users: 5
  duration: 1m
  stages:
    - {duration: 1m, users: 10, name: up}
    - {duration: 1m, users: 10, name: up}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(
      has_error(result, "load.users", 3, "not allowed with stages (the stages' durations add up)"));
  EXPECT_TRUE(has_error(result, "load.duration", 4, "not allowed with stages"));
  EXPECT_TRUE(has_error(result, "load.stages[1].name", 7, "duplicate stage name 'up'"));
}

TEST(PlanParserTest, OpenModelSizes) {
  ParseResult result = parse(R"yaml(target: http://h
load: {rate: 10, duration: 1m, maxInFlight: 20, preAllocatedUsers: 30}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(result, "load.preAllocatedUsers", 2, "must be <= maxInFlight (20)"));
  ParseResult zero = parse(R"yaml(target: http://h
load: {rate: 0, duration: 1m, maxInFlight: 0}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(zero, "load.rate", 2, "must be a number > 0"));
  EXPECT_TRUE(has_error(zero, "load.maxInFlight", 2, "must be an integer > 0"));
}

TEST(PlanParserTest, BadThresholdExpression) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_duration:
    - p(95) < 2s
    - p95 < 2s
  http_req_failed: avg < 1
)yaml");
  EXPECT_TRUE(
      has_error(result, "thresholds.http_req_duration[1]", 10,
                "unknown aggregation 'p95' (use avg, stddev, min, max, med, p(N), rate, "
                "count, max_count(W), max_rate(W), max_count_per_user(W), max_rate_per_user(W))"));
  EXPECT_TRUE(has_error(result, "thresholds.http_req_failed", 11,
                        "'avg' is not available for http_req_failed"));
}

TEST(PlanParserTest, UnknownThresholdMetric) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_durration: ["p(95) < 2s"]
)yaml");
  EXPECT_TRUE(has_error(result, "thresholds.http_req_durration", 8,
                        "unknown metric 'http_req_durration' (known: http_req_duration, "));
}

TEST(PlanParserTest, ThresholdTagsMustNameThePlan) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_duration{scenario:checkout}: p(95) < 2s
  http_reqs{name:/nope}: count > 1
  iterations{name:/}: count > 1
  http_req_duration{scenario:a,name:/}: p(95) < 2s
)yaml");
  EXPECT_TRUE(has_error(result, "thresholds.http_req_duration{scenario:checkout}", 8,
                        "unknown scenario 'checkout' (known: a)"));
  EXPECT_TRUE(has_error(result, "thresholds.http_reqs{name:/nope}", 9,
                        "unknown step name '/nope' (known: /)"));
  EXPECT_TRUE(has_error(result, "thresholds.iterations{name:/}", 10,
                        "tag 'name' is not available for iterations (use scenario)"));
  EXPECT_EQ(result.errors.size(), 3u) << describe(result.errors);
}

TEST(PlanParserTest, ThresholdValueForms) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_duration: []
  http_reqs: [[count > 1]]
  http_req_failed:
    - {abortOnFail: true}
    - {threshold: rate < 1%, delayAbortEval: 5s}
)yaml");
  EXPECT_TRUE(has_error(result, "thresholds.http_req_duration", 8, "must not be empty"));
  EXPECT_TRUE(has_error(result, "thresholds.http_reqs[0]", 9,
                        "must be a condition such as \"p(95) < 500ms\" or a map with threshold"));
  EXPECT_TRUE(has_error(result, "thresholds.http_req_failed[0].threshold", 11, "required"));
  EXPECT_TRUE(has(result.warnings, "thresholds.http_req_failed[1].delayAbortEval", 12,
                  "ignored without abortOnFail: true"));
}

}  // namespace
}  // namespace stampede

namespace stampede {
namespace {

using plan_test::describe;
using plan_test::has_error;
using plan_test::parse;

// yaml-cpp says "illegal map value" or "illegal block entry"; the cause is a tab.
TEST(PlanErrorHints, TabsInIndentation) {
  const ParseResult map = parse("target: http://h\nload:\n\tusers: 1\n\tduration: 1s\n");
  ASSERT_EQ(map.errors.size(), 1u) << describe(map.errors);
  EXPECT_TRUE(has_error(map, "", 3, "tabs are not allowed in YAML indentation"));
  EXPECT_EQ(map.errors[0].column, 1);
  const ParseResult list = parse(R"(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
  	- get: /
)");
  ASSERT_EQ(list.errors.size(), 1u) << describe(list.errors);
  EXPECT_TRUE(has_error(list, "", 6, "tabs are not allowed in YAML indentation"));
  EXPECT_EQ(list.errors[0].column, 3);
  // A tab inside a value is not indentation: the ordinary message stays.
  const ParseResult value = parse("target: [a\tb\n");
  ASSERT_EQ(value.errors.size(), 1u) << describe(value.errors);
  EXPECT_EQ(value.errors[0].message.find("tabs"), std::string::npos) << describe(value.errors);
}

// {{ }} unquoted is YAML flow-map syntax: say to quote it.
TEST(PlanErrorHints, UnquotedTemplateInAFlowList) {
  const ParseResult flow = parse(R"(target: http://h
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /users/{{ id }}}]}]
)");
  ASSERT_EQ(flow.errors.size(), 1u) << describe(flow.errors);
  EXPECT_TRUE(has_error(flow, "", 3, "invalid YAML: "));
  EXPECT_TRUE(has_error(flow, "", 3, "a value holding {{ }} must be quoted"));
  const ParseResult block = parse(R"(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - get: {{ path }}
)");
  EXPECT_TRUE(has_error(block, "scenarios[0].steps[0].get", 6,
                        "must be a string (a value holding {{ }} must be quoted)"));
}

TEST(PlanErrorHints, KSixStyleStageTarget) {
  const ParseResult result = parse(R"(target: http://h
load:
  stages: [{duration: 1m, target: 10}]
scenarios: [{name: a, steps: [{get: /}]}]
)");
  EXPECT_TRUE(has_error(result, "load.stages[0].target", 3,
                        "Stampede's key is `users` (closed model) or `rate` (open model), not "
                        "k6's `target`"));
}

}  // namespace
}  // namespace stampede
