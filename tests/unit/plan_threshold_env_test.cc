// Thresholds whose bounds come from the environment (one plan, several environments): read from
// the process where the plan runs, from the spec's runner env where the operator judges them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "plan_test_support.h"

namespace stampede {
namespace {

using plan_test::has_error;
using plan_test::parse;
using plan_test::parse_ok;

// Lines 1-7; thresholds follow from line 8.
constexpr const char* kEnvPlan = R"yaml(target: http://localhost:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: api
    steps:
      - get: /x
thresholds:
)yaml";

std::string with_env_thresholds(const std::string& thresholds) {
  return std::string(kEnvPlan) + thresholds;
}

TEST(PlanThresholdEnv, BoundsComeFromTheEnvironmentOrTheDefault) {
  ::setenv("STAMPEDE_TEST_P95", "750ms", 1);
  ::unsetenv("STAMPEDE_TEST_UNSET");
  const Plan plan = parse_ok(with_env_thresholds(R"yaml(  http_req_duration:
    - 'p(95) < {{ env("STAMPEDE_TEST_P95", "2s") }}'
    - 'p(99) < {{ env("STAMPEDE_TEST_UNSET", "3s") }}'
    - threshold: 'max < {{ env("STAMPEDE_TEST_UNSET", "10s") }}'
      abortOnFail: true
  http_req_failed: ['rate < {{ env("STAMPEDE_TEST_UNSET", "1%") }}']
)yaml"));
  ASSERT_EQ(plan.thresholds.size(), 3u);
  const std::vector<ThresholdCondition>& latency = plan.thresholds[0].conditions;
  ASSERT_EQ(latency.size(), 2u);
  EXPECT_DOUBLE_EQ(latency[0].bound, 0.75);
  EXPECT_EQ(latency[0].expression, "p(95) < 750ms");  // reports show the bound that was judged
  EXPECT_DOUBLE_EQ(latency[1].bound, 3.0);
  EXPECT_DOUBLE_EQ(plan.thresholds[1].conditions[0].bound, 10.0);
  EXPECT_TRUE(plan.thresholds[1].abort_on_fail);
  EXPECT_DOUBLE_EQ(plan.thresholds[2].conditions[0].bound, 0.01);
}

TEST(PlanThresholdEnv, MistakesNameTheFieldAndLine) {
  ::unsetenv("STAMPEDE_TEST_UNSET");
  ::setenv("STAMPEDE_TEST_WORD", "fast", 1);
  ParseResult r = parse(
      with_env_thresholds("  http_req_duration: ['p(95) < {{ env(\"STAMPEDE_TEST_UNSET\") }}']\n"));
  EXPECT_TRUE(has_error(r, "thresholds.http_req_duration[0]", 8,
                        "environment variable STAMPEDE_TEST_UNSET is not set"));
  r = parse(
      with_env_thresholds("  http_req_duration: ['p(95) < {{ env(\"STAMPEDE_TEST_WORD\") }}']\n"));
  EXPECT_TRUE(has_error(r, "thresholds.http_req_duration[0]", 8, "fast"));
  r = parse(with_env_thresholds("  http_req_duration: ['p(95) < {{ seq() }}']\n"));
  EXPECT_TRUE(has_error(r, "thresholds.http_req_duration[0]", 8, "a threshold is a constant"));
  r = parse(with_env_thresholds("  http_req_duration: ['p(95) < {{ env(\"X\" }}']\n"));
  EXPECT_TRUE(has_error(r, "thresholds.http_req_duration[0]", 8, "at column"));
}

// The operator judges the merged result: it reads the values the spec gives the runners, never
// its own environment, and a name it cannot resolve without a default makes the spec invalid.
TEST(PlanThresholdEnv, AwayFromTheRunnerTheSpecsRunnerEnvIsRead) {
  ::setenv("STAMPEDE_TEST_P95", "1ms", 1);  // the operator's own environment: never read
  ParseOptions operator_side;
  operator_side.runner_side = false;
  operator_side.runner_env = {{"STAMPEDE_TEST_P95", "400ms"}};
  ParseResult r = parse_plan_text(
      with_env_thresholds("  http_req_duration: ['p(95) < {{ env(\"STAMPEDE_TEST_P95\") }}']\n"),
      operator_side);
  ASSERT_TRUE(r.plan) << (r.errors.empty() ? "" : r.errors[0].message);
  EXPECT_DOUBLE_EQ(r.plan->thresholds[0].conditions[0].bound, 0.4);
  operator_side.runner_env.clear();
  r = parse_plan_text(
      with_env_thresholds(
          "  http_req_duration: ['p(95) < {{ env(\"STAMPEDE_TEST_P95\", \"2s\") }}']\n"),
      operator_side);
  ASSERT_TRUE(r.plan);
  EXPECT_DOUBLE_EQ(r.plan->thresholds[0].conditions[0].bound, 2.0);
  r = parse_plan_text(
      with_env_thresholds("  http_req_duration: ['p(95) < {{ env(\"STAMPEDE_TEST_P95\") }}']\n"),
      operator_side);
  EXPECT_TRUE(has_error(r, "thresholds.http_req_duration[0]", 8,
                        "environment variable STAMPEDE_TEST_P95 is not set"));
}

}  // namespace
}  // namespace stampede
