// Thresholds on checks, stages and custom metrics: what the plan parser accepts, and the errors
// (with path and line) for names the plan does not have.
#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace stampede {
namespace {

using plan_test::has_error;
using plan_test::parse;
using plan_test::parse_ok;

// Lines 1-22; thresholds follow from line 23.
constexpr const char* kPlan = R"yaml(target: http://localhost:8080
load:
  stages:
    - {duration: 10s, users: 5, name: warmup}
    - {duration: 10s, users: 20, name: spike}
    - {duration: 5s, users: 0}
scenarios:
  - name: api
    steps:
      - post: /api/plans
        checks:
          - status: 201
          - {name: has an id, json: /id}
        metrics:
          - name: provider_latency
            trend: {header: X-Provider-Latency-Ms}
            unit: ms
            by: {header: X-Provider}
          - name: provider_requests
            counter: {json: /provider}
          - {name: score, trend: {json: /score}}
thresholds:
)yaml";

std::string with_thresholds(const std::string& thresholds) {
  return std::string(kPlan) + thresholds;
}

TEST(PlanThresholdTargets, AcceptsChecksStagesAndCustomMetrics) {
  Plan plan = parse_ok(with_thresholds(R"yaml(  checks: ["rate > 0.99"]
  "checks{check:has an id}": ["rate == 1"]
  "http_req_duration{stage:spike}": ["p(95) < 2s", "p(95) < 2 * stage(warmup).p(95)"]
  "http_req_failed{stage:warmup}": ["rate < 1%"]
  "http_req_retries{status:429}": ["count < 100"]
  "provider_latency{value:groq}": ["p(95) < 800ms"]
  provider_requests: ["count > 10", "rate > 1"]
  score: ["avg > 0.5"]
)yaml"));
  ASSERT_EQ(plan.thresholds.size(), 8u);
  EXPECT_EQ(plan.thresholds[2].selector.tags[0].second, "spike");
  ASSERT_EQ(plan.thresholds[2].conditions.size(), 2u);
  const ThresholdCondition& relative = plan.thresholds[2].conditions[1];
  ASSERT_TRUE(relative.reference.has_value());
  EXPECT_EQ(relative.reference->stage, "warmup");
  EXPECT_DOUBLE_EQ(plan.thresholds[5].conditions[0].bound, 0.8);  // seconds
  EXPECT_DOUBLE_EQ(plan.thresholds[7].conditions[0].bound, 0.5);  // a plain number
}

TEST(PlanThresholdTargets, UnknownNamesAreErrors) {
  ParseResult result = parse(with_thresholds(R"yaml(  "checks{check:has a name}": ["rate == 1"]
  "http_req_duration{stage:spyke}": ["p(95) < 2s"]
  "http_req_duration{stage:spike}": ["p(95) < 2s", "p(95) < 2 * stage(warm).p(95)"]
  "provider_latncy{value:groq}": ["p(95) < 800ms"]
  "provider_requests{scenario:api}": ["count > 1"]
  provider_requests: ["p(95) < 1"]
  score: ["p(95) < 800ms"]
  "http_req_duration{stage:spike,scenario:api}": ["p(95) < 2s"]
)yaml"));
  EXPECT_TRUE(has_error(result, "thresholds.checks{check:has a name}", 23,
                        "unknown check 'has a name' (known: status is 201, has an id)"));
  EXPECT_TRUE(has_error(result, "thresholds.http_req_duration{stage:spyke}", 24,
                        "unknown stage 'spyke' (known: warmup, spike)"));
  EXPECT_TRUE(has_error(result, "thresholds.http_req_duration{stage:spike}[1]", 25,
                        "unknown stage 'warm' (known: warmup, spike)"));
  EXPECT_TRUE(has_error(result, "thresholds.provider_latncy{value:groq}", 26,
                        "unknown metric 'provider_latncy'"));
  EXPECT_TRUE(has_error(result, "thresholds.provider_requests{scenario:api}", 27,
                        "tag 'scenario' is not available for provider_requests (use value)"));
  EXPECT_TRUE(has_error(result, "thresholds.provider_requests[0]", 28,
                        "'p(N)' is not available for provider_requests (use count, rate, "
                        "max_count(W), max_rate(W))"));
  EXPECT_TRUE(
      has_error(result, "thresholds.score[0]", 29, "unexpected 'ms': 'p(95)' of score is a plain"));
  EXPECT_TRUE(has_error(result, "thresholds.http_req_duration{stage:spike,scenario:api}", 30,
                        "tag 'stage' cannot be combined with 'scenario'"));
  EXPECT_EQ(result.errors.size(), 8u) << plan_test::describe(result.errors);
}

TEST(PlanThresholdTargets, UnknownMetricListsTheCustomOnes) {
  ParseResult result = parse(with_thresholds(R"yaml(  nope: ["count > 1"]
)yaml"));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("score"), std::string::npos) << result.errors[0].message;
}

TEST(PlanThresholdTargets, StagesWithoutNames) {
  ParseResult result = parse(std::string(plan_test::kMinimal) + R"yaml(thresholds:
  "http_reqs{stage:spike}": ["count > 1"]
)yaml");
  EXPECT_TRUE(has_error(result, "thresholds.http_reqs{stage:spike}", 8,
                        "unknown stage 'spike' (known: none)"));
}

}  // namespace
}  // namespace stampede
