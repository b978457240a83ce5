// `limits:` (docs/rate-limits.md): the client's own limit on the requests a selector picks.
#include <gtest/gtest.h>

#include "plan_test_support.h"

namespace stampede {
namespace {

using plan_test::has_error;
using plan_test::parse;
using plan_test::parse_ok;

// Lines 1-9; limits follow from line 10.
constexpr const char* kLimitsPlan = R"yaml(target: http://localhost:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: groq
    steps:
      - post: /chat
        name: chat
      - get: /models
limits:
)yaml";

std::string with_limits(const std::string& limits) {
  return std::string(kLimitsPlan) + limits;
}

TEST(PlanLimits, RatesTakeAPeriodAndTheSelectorItsTags) {
  const Plan plan = parse_ok(with_limits(R"yaml(  "http_reqs{scenario:groq}": {rate: 30/m, burst: 5}
  "http_reqs{name:chat,method:POST}": {rate: 20/10s, maxDelay: 1s}
  "http_reqs{name:/models}": {rate: 2.5}
  http_reqs: {rate: 1800/h}
)yaml"));
  ASSERT_EQ(plan.limits.size(), 4u);
  const RequestLimit& groq = plan.limits[0];
  EXPECT_EQ(groq.selector, "http_reqs{scenario:groq}");
  EXPECT_EQ(groq.scenario, "groq");
  EXPECT_FALSE(groq.name);
  EXPECT_DOUBLE_EQ(groq.rate, 0.5);
  EXPECT_DOUBLE_EQ(groq.burst, 5);
  EXPECT_FALSE(groq.adaptive);
  EXPECT_EQ(groq.max_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(plan.limits[1].name, "chat");
  EXPECT_EQ(plan.limits[1].method, "POST");
  EXPECT_DOUBLE_EQ(plan.limits[1].rate, 2);
  EXPECT_EQ(plan.limits[1].max_delay, std::chrono::seconds(1));
  EXPECT_DOUBLE_EQ(plan.limits[2].rate, 2.5);
  EXPECT_DOUBLE_EQ(plan.limits[3].rate, 0.5);
  EXPECT_EQ(plan.limits[3].selector, "http_reqs");
}

TEST(PlanLimits, AdaptiveTakesItsSignalsAndBounds) {
  const Plan plan = parse_ok(with_limits(R"yaml(  "http_reqs{name:chat}":
    rate: 10/s
    adaptive: {statuses: [429, 5xx], latency: 2s, decrease: 0.7, increase: 5%, min: 1/s, max: 50/s,
               retryAfter: false}
  "http_reqs{scenario:groq}": {adaptive: {}}
)yaml"));
  ASSERT_EQ(plan.limits.size(), 2u);
  const AdaptiveLimit& a = *plan.limits[0].adaptive;
  EXPECT_TRUE(a.on.contains(429));
  EXPECT_TRUE(a.on.contains(502));
  EXPECT_FALSE(a.on.contains(200));
  EXPECT_EQ(a.latency, std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(a.decrease, 0.7);
  EXPECT_DOUBLE_EQ(a.increase, 0.05);
  EXPECT_DOUBLE_EQ(a.min_rate, 1);
  EXPECT_DOUBLE_EQ(a.max_rate, 50);
  EXPECT_FALSE(a.retry_after);
  EXPECT_DOUBLE_EQ(plan.limits[0].rate, 10);
  // The defaults: 429 and 503, no latency bound, 0.9, 1 %, 1 a minute, no ceiling, Retry-After.
  const RequestLimit& plain = plan.limits[1];
  EXPECT_DOUBLE_EQ(plain.rate, 0);  // unlimited until the first signal
  EXPECT_TRUE(plain.adaptive->on.contains(429));
  EXPECT_TRUE(plain.adaptive->on.contains(503));
  EXPECT_FALSE(plain.adaptive->on.contains(500));
  EXPECT_FALSE(plain.adaptive->latency);
  EXPECT_DOUBLE_EQ(plain.adaptive->decrease, 0.9);
  EXPECT_DOUBLE_EQ(plain.adaptive->increase, 0.01);
  EXPECT_DOUBLE_EQ(plain.adaptive->min_rate, 1.0 / 60);
  EXPECT_DOUBLE_EQ(plain.adaptive->max_rate, 0);
  EXPECT_TRUE(plain.adaptive->retry_after);
}

TEST(PlanLimits, MistakesNameTheFieldAndLine) {
  struct Case {
    const char* yaml;
    const char* path;
    const char* message;
  };
  const Case cases[] = {
      {"  \"http_reqs{scenario:grok}\": {rate: 1/s}\n", "limits.http_reqs{scenario:grok}",
       "unknown scenario 'grok'"},
      {"  \"http_req_duration\": {rate: 1/s}\n", "limits.http_req_duration",
       "the selector's metric must be http_reqs"},
      {"  \"http_reqs{status:429}\": {rate: 1/s}\n", "limits.http_reqs{status:429}",
       "by scenario, name or method"},
      {"  http_reqs: {rate: fast}\n", "limits.http_reqs.rate", "must be a rate such as 30/m"},
      {"  http_reqs: {rate: 5/fortnight}\n", "limits.http_reqs.rate",
       "after '/' must be a duration"},
      {"  http_reqs: {rate: 0}\n", "limits.http_reqs.rate", "must be above 0"},
      {"  http_reqs: {burst: 5}\n", "limits.http_reqs.rate", "required"},
      {"  http_reqs: {rate: 5, burst: 0.5}\n", "limits.http_reqs.burst", "at least 1"},
      {"  http_reqs: {rate: 5, every: 1s}\n", "limits.http_reqs", "unknown field 'every'"},
      {"  http_reqs: {adaptive: {decrease: 1.5}}\n", "limits.http_reqs.adaptive.decrease", ""},
      {"  http_reqs: {adaptive: {decrease: 1}}\n", "limits.http_reqs.adaptive.decrease", "below 1"},
      {"  http_reqs: {adaptive: {increase: 150%}}\n", "limits.http_reqs.adaptive.increase",
       "at most 100%"},
      {"  http_reqs: {adaptive: {min: 5/s, max: 1/s}}\n", "limits.http_reqs.adaptive.max",
       "not be below min"},
      {"  http_reqs: {rate: 100/s, adaptive: {max: 10/s}}\n", "limits.http_reqs.rate",
       "between min and max"},
      {"  http_reqs: {adaptive: {statuses: [4711]}}\n", "limits.http_reqs.adaptive.statuses[0]",
       "must be a status code"},
      {"  http_reqs: {rate: 1/s, per: account}\n", "limits.http_reqs.per", "must be user"},
      {"  http_reqs: {per: user, adaptive: {}}\n", "limits.http_reqs.per", "is fixed"},
  };
  for (const Case& c : cases) {
    const ParseResult r = parse(with_limits(c.yaml));
    EXPECT_TRUE(has_error(r, c.path, 10, c.message)) << c.yaml;
  }
}

TEST(PlanLimits, APerUserLimitIsEachUsersOwn) {
  const Plan plan = parse_ok(with_limits("  http_reqs: {rate: 60/m, burst: 5, per: user}\n"));
  ASSERT_EQ(plan.limits.size(), 1u);
  EXPECT_TRUE(plan.limits[0].per_user);
  EXPECT_DOUBLE_EQ(plan.limits[0].rate, 1);
  EXPECT_FALSE(parse_ok(with_limits("  http_reqs: {rate: 1/s, per: test}\n")).limits[0].per_user);
}

TEST(PlanLimits, ASelectorHasOneLimit) {
  const ParseResult r = parse(with_limits(R"yaml(  "http_reqs{name:chat,scenario:groq}": {rate: 1/s}
  "http_reqs{scenario:groq,name:chat}": {rate: 2/s}
)yaml"));
  EXPECT_TRUE(has_error(r, "limits.http_reqs{scenario:groq,name:chat}", 11, "a second limit"));
}

// `load.adaptive`: a closed model's users back off on the same signals.
std::string adaptive_load(const std::string& load) {
  return "target: http://localhost:8080\nload: " + load +
         "\nscenarios:\n  - name: s\n    steps: [{get: /}]\n";
}

TEST(PlanLimits, AClosedModelsUsersCanAdapt) {
  const Plan defaults = parse_ok(adaptive_load("{users: 40, duration: 1m, adaptive: {}}"));
  const auto& closed = std::get<ClosedModel>(defaults.load.model);
  ASSERT_TRUE(closed.adaptive);
  EXPECT_TRUE(closed.adaptive->on.contains(429));
  EXPECT_TRUE(closed.adaptive->on.contains(503));
  EXPECT_FALSE(closed.adaptive->latency);
  EXPECT_DOUBLE_EQ(closed.adaptive->decrease, 0.75);
  EXPECT_DOUBLE_EQ(closed.adaptive->increase, 1);
  EXPECT_EQ(closed.adaptive->min_users, 1u);
  const Plan set = parse_ok(adaptive_load(
      "{stages: [{duration: 1m, users: 40}], adaptive: {statuses: [429], latency: 2s, "
      "decrease: 0.5, increase: 2.5, min: 4}}"));
  const AdaptiveUsers& a = *std::get<ClosedModel>(set.load.model).adaptive;
  EXPECT_FALSE(a.on.contains(503));
  EXPECT_EQ(a.latency, std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(a.decrease, 0.5);
  EXPECT_DOUBLE_EQ(a.increase, 2.5);
  EXPECT_EQ(a.min_users, 4u);
  EXPECT_FALSE(std::get<ClosedModel>(parse_ok(adaptive_load("{users: 1, duration: 1s}")).load.model)
                   .adaptive);
}

TEST(PlanLimits, AdaptiveUsersMistakesNameTheField) {
  struct Case {
    const char* load;
    const char* path;
    const char* message;
  };
  const Case cases[] = {
      {"{users: 4, duration: 1s, adaptive: {decrease: 1}}", "load.adaptive.decrease", "below 1"},
      {"{users: 4, duration: 1s, adaptive: {increase: 0}}", "load.adaptive.increase", ""},
      {"{users: 4, duration: 1s, adaptive: {min: 0}}", "load.adaptive.min", ""},
      {"{users: 4, duration: 1s, adaptive: {on: [429]}}", "load.adaptive", "unknown field 'on'"},
      {"{rate: 4, duration: 1s, adaptive: {}}", "load.adaptive", "an open model adapts its rate"},
  };
  for (const Case& c : cases) {
    const ParseResult r = parse(adaptive_load(c.load));
    EXPECT_TRUE(has_error(r, c.path, 2, c.message)) << c.load;
  }
}

}  // namespace
}  // namespace stampede
