#include "model/plan_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace stampede {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A valid plan to build variations on; each test changes one part.
constexpr const char* kMinimal = R"yaml(target: http://localhost:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - get: /
)yaml";

std::string describe(const SourceErrors& errors) {
  std::string out;
  for (const SourceError& e : errors) out += "\n  " + e.format("plan.yaml");
  return out.empty() ? " (none)" : out;
}

ParseResult parse(std::string_view yaml, const std::string& host = "") {
  ParseOptions options;
  options.host_override = host;
  return parse_plan_text(yaml, options);
}

Plan parse_ok(std::string_view yaml, const std::string& host = "") {
  ParseResult result = parse(yaml, host);
  EXPECT_TRUE(result.errors.empty()) << "errors:" << describe(result.errors);
  EXPECT_TRUE(result.plan.has_value());
  return result.plan.value_or(Plan{});
}

// An error (or warning) with exactly this path and line whose message contains `message`.
testing::AssertionResult Has(const SourceErrors& errors, std::string_view path, int line,
                             std::string_view message) {
  for (const SourceError& e : errors) {
    if (e.path == path && e.line == line && e.message.find(message) != std::string::npos) {
      return testing::AssertionSuccess();
    }
  }
  return testing::AssertionFailure() << "no " << path << " at line " << line << " with \""
                                     << message << "\"; got:" << describe(errors);
}

testing::AssertionResult HasError(const ParseResult& result, std::string_view path, int line,
                                  std::string_view message) {
  if (result.plan) return testing::AssertionFailure() << "a plan was returned despite errors";
  return Has(result.errors, path, line, message);
}

const HttpStep& http(const Step& step) {
  return std::get<HttpStep>(step);
}

constexpr const char* kFullPlan = R"yaml(name: checkout
target:
  url: https://shop.example.com:8443/api/
  headers:
    Accept: application/json
    X-Trace: "1"
  connectTimeout: 2s
  timeout: 500ms
  maxResponseBytes: 512KiB
  tls:
    serverName: shop.internal
load:
  users: 50
  spawnRate: 2.5
  duration: 5m
  gracefulStop: 10s
scenarios:
  - name: browse
    weight: 3
    wait: between(1, 2.5s)
    tasks:
      - name: home
        weight: 2
        tags: [smoke, read]
        steps:
          - get: /products?page=1
          - method: post
            path: /cart
            name: add to cart
            headers: {X-Step: yes}
            json: {sku: "A-1", qty: 2, gift: false, note: null, price: 1.5, code: "007"}
            expect:
              status: [200, 404, "5xx", "300-302"]
      - steps:
          - delete: /cart/1
            body: raw
  - name: admin
    wait: constant(500ms)
    steps:
      - path: /admin
thresholds:
  http_req_duration{scenario:browse}:
    - p(95) < 2s
    - threshold: p(99.9) < 3000
      abortOnFail: true
      delayAbortEval: 10s
  http_req_failed: rate < 1%
  http_reqs{name:add to cart,method:post}: ["count > 10"]
)yaml";

TEST(PlanParserTest, FullPlan) {
  Plan plan = parse_ok(kFullPlan);
  EXPECT_EQ(plan.name, "checkout");
  EXPECT_EQ(plan.target.url.scheme, "https");
  EXPECT_EQ(plan.target.url.host, "shop.example.com");
  EXPECT_EQ(plan.target.url.port, 8443);
  EXPECT_EQ(plan.target.url.base_path, "/api");
  ASSERT_EQ(plan.target.headers.size(), 2u);
  EXPECT_EQ(plan.target.headers[0].name, "Accept");
  EXPECT_EQ(plan.target.headers[0].value, "application/json");
  EXPECT_EQ(plan.target.headers[1].value, "1");
  EXPECT_EQ(plan.target.connect_timeout, seconds(2));
  EXPECT_EQ(plan.target.request_timeout, milliseconds(500));
  EXPECT_EQ(plan.target.max_response_bytes, 512u * 1024);
  EXPECT_TRUE(plan.target.tls.verify);
  EXPECT_EQ(plan.target.tls.server_name, "shop.internal");

  ASSERT_FALSE(plan.load.is_open());
  const auto& closed = std::get<ClosedModel>(plan.load.model);
  EXPECT_EQ(closed.users, 50u);
  EXPECT_DOUBLE_EQ(closed.spawn_rate, 2.5);
  EXPECT_EQ(closed.duration, minutes(5));
  EXPECT_TRUE(closed.stages.empty());
  EXPECT_EQ(plan.load.graceful_stop, seconds(10));
  EXPECT_EQ(plan.load.duration(), minutes(5));

  ASSERT_EQ(plan.scenarios.size(), 2u);
  const Scenario& browse = plan.scenarios[0];
  EXPECT_EQ(browse.name, "browse");
  EXPECT_DOUBLE_EQ(browse.weight, 3);
  EXPECT_EQ(browse.wait.kind, WaitTime::Kind::kBetween);
  EXPECT_EQ(browse.wait.min, seconds(1));
  EXPECT_EQ(browse.wait.max, milliseconds(2500));
  ASSERT_EQ(browse.tasks.size(), 2u);
  EXPECT_EQ(browse.tasks[0].name, "home");
  EXPECT_DOUBLE_EQ(browse.tasks[0].weight, 2);
  EXPECT_EQ(browse.tasks[0].tags, (std::vector<std::string>{"smoke", "read"}));
  EXPECT_EQ(browse.tasks[1].name, "task 2");
  EXPECT_DOUBLE_EQ(browse.tasks[1].weight, 1);

  ASSERT_EQ(browse.tasks[0].steps.size(), 2u);
  const HttpStep& get = http(browse.tasks[0].steps[0]);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.path, "/products?page=1");
  EXPECT_EQ(get.name, "/products?page=1");
  EXPECT_TRUE(get.body.empty());
  EXPECT_EQ(get.expect_status.to_list().size(), 200u);  // 200-399

  const HttpStep& post = http(browse.tasks[0].steps[1]);
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.path, "/cart");
  EXPECT_EQ(post.name, "add to cart");
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0].name, "X-Step");
  EXPECT_EQ(post.headers[0].value, "yes");
  EXPECT_EQ(post.body,
            R"({"sku":"A-1","qty":2,"gift":false,"note":null,"price":1.5,"code":"007"})");
  EXPECT_EQ(post.content_type, "application/json");
  EXPECT_TRUE(post.expect_status.contains(200));
  EXPECT_TRUE(post.expect_status.contains(404));
  EXPECT_TRUE(post.expect_status.contains(503));
  EXPECT_TRUE(post.expect_status.contains(301));
  EXPECT_FALSE(post.expect_status.contains(201));
  EXPECT_FALSE(post.expect_status.contains(303));
  EXPECT_EQ(post.expect_status.to_list().size(), 2u + 100u + 3u);

  const HttpStep& del = http(browse.tasks[1].steps[0]);
  EXPECT_EQ(del.method, "DELETE");
  EXPECT_EQ(del.body, "raw");
  EXPECT_TRUE(del.content_type.empty());

  const Scenario& admin = plan.scenarios[1];
  EXPECT_DOUBLE_EQ(admin.weight, 1);
  EXPECT_EQ(admin.wait.kind, WaitTime::Kind::kConstant);
  EXPECT_EQ(admin.wait.min, milliseconds(500));
  ASSERT_EQ(admin.tasks.size(), 1u);
  EXPECT_EQ(admin.tasks[0].name, "admin");
  EXPECT_EQ(http(admin.tasks[0].steps[0]).method, "GET");
  EXPECT_EQ(http(admin.tasks[0].steps[0]).path, "/admin");
}

TEST(PlanParserTest, FullPlanThresholds) {
  Plan plan = parse_ok(kFullPlan);
  ASSERT_EQ(plan.thresholds.size(), 4u);
  const Threshold& p95 = plan.thresholds[0];
  EXPECT_EQ(p95.key, "http_req_duration{scenario:browse}");
  EXPECT_EQ(p95.selector.to_string(), "http_req_duration{scenario:browse}");
  EXPECT_FALSE(p95.abort_on_fail);
  ASSERT_EQ(p95.conditions.size(), 1u);
  EXPECT_EQ(p95.conditions[0].expression, "p(95) < 2s");
  EXPECT_DOUBLE_EQ(p95.conditions[0].bound, 2);

  const Threshold& abort = plan.thresholds[1];
  EXPECT_EQ(abort.key, "http_req_duration{scenario:browse}");
  EXPECT_TRUE(abort.abort_on_fail);
  EXPECT_DOUBLE_EQ(abort.delay_abort_eval_seconds, 10);
  ASSERT_EQ(abort.conditions.size(), 1u);
  EXPECT_DOUBLE_EQ(abort.conditions[0].aggregation.percentile, 99.9);
  EXPECT_DOUBLE_EQ(abort.conditions[0].bound, 3);

  EXPECT_EQ(plan.thresholds[2].selector.metric, "http_req_failed");
  EXPECT_DOUBLE_EQ(plan.thresholds[2].conditions[0].bound, 0.01);
  // Method tag values are normalised to uppercase.
  EXPECT_EQ(plan.thresholds[3].selector.to_string(), "http_reqs{name:add to cart,method:POST}");
}

constexpr const char* kManifest = R"yaml(apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata:
  name: checkout-soak
  namespace: perf
  labels: {team: shop}
spec:
  runners: 4
  startTimeoutSeconds: 120
  cleanup: post
  ttlSecondsAfterFinished: 3600
  testid: abc
  target: http://shop.perf.svc:8080
  load:
    stages:
      - {duration: 30s, rate: 20, name: warmup}
      - {duration: 1m, rate: 100}
      - {duration: 30s, rate: 0, name: cooldown}
    maxInFlight: 500
  scenarios:
    - name: api
      steps:
        - get: /health
status:
  phase: Finished
  runners: [{name: r0}]
)yaml";

TEST(PlanParserTest, LoadTestManifest) {
  Plan plan = parse_ok(kManifest);
  EXPECT_EQ(plan.name, "checkout-soak");
  EXPECT_EQ(plan.target.url.host, "shop.perf.svc");
  EXPECT_EQ(plan.target.url.port, 8080);
  ASSERT_TRUE(plan.load.is_open());
  const auto& open = std::get<OpenModel>(plan.load.model);
  ASSERT_EQ(open.stages.size(), 3u);
  EXPECT_EQ(open.stages[0].duration, seconds(30));
  EXPECT_DOUBLE_EQ(open.stages[0].target, 20);
  EXPECT_EQ(open.max_in_flight, 500u);
  EXPECT_EQ(open.max_queued, 500u);  // defaults to maxInFlight
  EXPECT_EQ(open.stages[0].name, "warmup");
  EXPECT_DOUBLE_EQ(open.stages[1].target, 100);
  EXPECT_EQ(open.stages[1].name, "");
  EXPECT_DOUBLE_EQ(open.stages[2].target, 0);
  EXPECT_EQ(open.duration, minutes(2));
  EXPECT_EQ(plan.load.duration(), minutes(2));
  EXPECT_DOUBLE_EQ(open.rate, 100);  // the peak
  EXPECT_EQ(open.max_in_flight, 500u);
  EXPECT_EQ(open.pre_allocated_users, 10u);
  EXPECT_EQ(plan.load.graceful_stop, seconds(30));
}

TEST(PlanParserTest, ManifestSpecNameWinsOverMetadata) {
  Plan plan = parse_ok(R"yaml(kind: LoadTest
metadata: {name: from-metadata}
spec:
  name: from-spec
  target: http://h
  load: {users: 1, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_EQ(plan.name, "from-spec");
}

TEST(PlanParserTest, Defaults) {
  Plan plan = parse_ok(kMinimal);
  EXPECT_EQ(plan.name, "");
  EXPECT_EQ(plan.target.connect_timeout, seconds(10));
  EXPECT_EQ(plan.target.request_timeout, seconds(60));
  EXPECT_EQ(plan.target.max_response_bytes, 16u << 20);
  EXPECT_TRUE(plan.target.tls.verify);
  EXPECT_TRUE(plan.target.headers.empty());
  EXPECT_EQ(plan.load.graceful_stop, seconds(30));
  const auto& closed = std::get<ClosedModel>(plan.load.model);
  EXPECT_EQ(closed.users, 1u);
  EXPECT_DOUBLE_EQ(closed.spawn_rate, 0);
  const Scenario& scenario = plan.scenarios.at(0);
  EXPECT_DOUBLE_EQ(scenario.weight, 1);
  EXPECT_EQ(scenario.wait.kind, WaitTime::Kind::kNone);
  EXPECT_EQ(scenario.tasks.at(0).name, "a");
  EXPECT_TRUE(plan.thresholds.empty());
}

TEST(PlanParserTest, OpenModelDefaults) {
  Plan plan = parse_ok(R"yaml(target: http://h
load: {rate: 250.5, duration: 1m}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  const auto& open = std::get<OpenModel>(plan.load.model);
  EXPECT_DOUBLE_EQ(open.rate, 250.5);
  EXPECT_EQ(open.duration, minutes(1));
  EXPECT_EQ(open.max_in_flight, 251u);  // max(100, ceil(peak rate))
  EXPECT_EQ(open.pre_allocated_users, 10u);

  Plan small = parse_ok(R"yaml(target: http://h
load: {rate: 5, duration: 1m, maxInFlight: 4}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_EQ(std::get<OpenModel>(small.load.model).max_in_flight, 4u);
  EXPECT_EQ(std::get<OpenModel>(small.load.model).pre_allocated_users, 4u);
  Plan queued = parse_ok(R"yaml(target: http://h
load: {rate: 5, duration: 1m, maxInFlight: 1, maxQueued: 1000}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_EQ(std::get<OpenModel>(queued.load.model).max_queued, 1000u);
  ParseResult closed_queue = parse(R"yaml(target: http://h
load: {users: 5, duration: 1m, maxQueued: 3}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_FALSE(closed_queue.plan.has_value());
}

TEST(PlanParserTest, ClosedStages) {
  Plan plan = parse_ok(R"yaml(target: http://h
load:
  stages:
    - {duration: 30s, users: 20, name: ramp}
    - {duration: 1m, users: 20}
    - {duration: 10s, users: 0}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  const auto& closed = std::get<ClosedModel>(plan.load.model);
  ASSERT_EQ(closed.stages.size(), 3u);
  EXPECT_EQ(closed.stages[0].name, "ramp");
  EXPECT_DOUBLE_EQ(closed.stages[1].target, 20);
  EXPECT_EQ(closed.users, 20u);
  EXPECT_EQ(plan.load.duration(), seconds(100));
}

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
  EXPECT_TRUE(HasError(result, "load", 3,
                       "unknown field 'usres' (expected one of: users, spawnRate, duration, "
                       "stages, rate, maxInFlight, preAllocatedUsers, maxQueued, gracefulStop)"));
  EXPECT_EQ(result.errors[0].column, 3);
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0]", 5, "unknown field 'methd'"));
  EXPECT_EQ(result.errors.size(), 2u) << describe(result.errors);
}

TEST(PlanParserTest, UnknownTopLevelField) {
  ParseResult result = parse(std::string(kMinimal) + "extra: 1\n");
  EXPECT_TRUE(HasError(result, "", 7, "unknown field 'extra' (expected one of: name, target"));
}

TEST(PlanParserTest, DuplicateField) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s, users: 2}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(result, "load", 2, "duplicate field 'users'"));
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
  EXPECT_TRUE(HasError(result, "target.headers", 3, "must be a map"));
  EXPECT_TRUE(HasError(result, "target.timeout", 4, "must be a duration such as 30s or 5m"));
  EXPECT_TRUE(HasError(result, "target.tls.insecureSkipVerify", 5, "must be true or false"));
  EXPECT_TRUE(HasError(result, "load.users", 7, "must be an integer > 0"));
  EXPECT_TRUE(HasError(result, "load.spawnRate", 8, "must be a number >= 0"));
  EXPECT_TRUE(HasError(result, "scenarios[0].weight", 12, "must be a number > 0"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].body", 15, "must be a string"));
  EXPECT_TRUE(HasError(result, "scenarios[1].name", 16, "must be a string"));
  EXPECT_TRUE(HasError(result, "scenarios[1].steps", 17, "must be a non-empty list"));
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
  EXPECT_TRUE(HasError(result, "target.connectTimeout", 3, "must be a duration > 0"));
  EXPECT_TRUE(HasError(result, "load.duration", 6, "must be a duration > 0"));
  EXPECT_TRUE(HasError(result, "load.gracefulStop", 7, "must be a duration >= 0"));

  ParseResult zero = parse(R"yaml(target: http://h
load: {users: 1, duration: 0}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(zero, "load.duration", 2, "must be a duration > 0"));
  ParseResult stage = parse(R"yaml(target: http://h
load:
  stages: [{duration: 0s, users: 1}]
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(stage, "load.stages[0].duration", 3, "must be a duration > 0"));
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
  EXPECT_TRUE(HasError(both, "load.rate", 4, message));
  ASSERT_EQ(both.errors.size(), 1u) << describe(both.errors);  // no cascade

  ParseResult mixed = parse(R"yaml(target: http://h
load:
  stages:
    - {duration: 1m, users: 10}
    - {duration: 1m, rate: 10}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(mixed, "load.stages[1].rate", 5, message));

  ParseResult stage_both = parse(R"yaml(target: http://h
load:
  stages:
    - {duration: 1m, rate: 10, users: 3}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(stage_both, "load.stages[0].users", 4, message));

  ParseResult max_in_flight = parse(R"yaml(target: http://h
load: {users: 10, duration: 1m, maxInFlight: 50}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(max_in_flight, "load.maxInFlight", 2,
                       "two load models: `users` (closed) and `maxInFlight` (open); choose one"));
}

TEST(PlanParserTest, NoLoadModel) {
  ParseResult none = parse(R"yaml(target: http://h
load:
  duration: 1m
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(none, "load", 3, "one of users, rate or stages is required"));
  ParseResult missing = parse("target: http://h\nscenarios: [{name: a, steps: [{get: /}]}]\n");
  EXPECT_TRUE(HasError(missing, "load", 1, "required"));
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
      HasError(result, "load.users", 3, "not allowed with stages (the stages' durations add up)"));
  EXPECT_TRUE(HasError(result, "load.duration", 4, "not allowed with stages"));
  EXPECT_TRUE(HasError(result, "load.stages[1].name", 7, "duplicate stage name 'up'"));
}

TEST(PlanParserTest, OpenModelSizes) {
  ParseResult result = parse(R"yaml(target: http://h
load: {rate: 10, duration: 1m, maxInFlight: 20, preAllocatedUsers: 30}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(result, "load.preAllocatedUsers", 2, "must be <= maxInFlight (20)"));
  ParseResult zero = parse(R"yaml(target: http://h
load: {rate: 0, duration: 1m, maxInFlight: 0}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(zero, "load.rate", 2, "must be a number > 0"));
  EXPECT_TRUE(HasError(zero, "load.maxInFlight", 2, "must be an integer > 0"));
}

TEST(PlanParserTest, BadThresholdExpression) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_duration:
    - p(95) < 2s
    - p95 < 2s
  http_req_failed: avg < 1
)yaml");
  EXPECT_TRUE(HasError(result, "thresholds.http_req_duration[1]", 10,
                       "unknown aggregation 'p95' (use avg, min, max, med, p(N), rate, count)"));
  EXPECT_TRUE(HasError(result, "thresholds.http_req_failed", 11,
                       "'avg' is not available for http_req_failed"));
}

TEST(PlanParserTest, UnknownThresholdMetric) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_durration: ["p(95) < 2s"]
)yaml");
  EXPECT_TRUE(HasError(result, "thresholds.http_req_durration", 8,
                       "unknown metric 'http_req_durration' (known: http_req_duration, "));
}

TEST(PlanParserTest, ThresholdTagsMustNameThePlan) {
  ParseResult result = parse(std::string(kMinimal) + R"yaml(thresholds:
  http_req_duration{scenario:checkout}: p(95) < 2s
  http_reqs{name:/nope}: count > 1
  iterations{name:/}: count > 1
  http_req_duration{scenario:a,name:/}: p(95) < 2s
)yaml");
  EXPECT_TRUE(HasError(result, "thresholds.http_req_duration{scenario:checkout}", 8,
                       "unknown scenario 'checkout' (known: a)"));
  EXPECT_TRUE(HasError(result, "thresholds.http_reqs{name:/nope}", 9,
                       "unknown step name '/nope' (known: /)"));
  EXPECT_TRUE(HasError(result, "thresholds.iterations{name:/}", 10,
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
  EXPECT_TRUE(HasError(result, "thresholds.http_req_duration", 8, "must not be empty"));
  EXPECT_TRUE(HasError(result, "thresholds.http_reqs[0]", 9,
                       "must be a condition such as \"p(95) < 500ms\" or a map with threshold"));
  EXPECT_TRUE(HasError(result, "thresholds.http_req_failed[0].threshold", 11, "required"));
  EXPECT_TRUE(Has(result.warnings, "thresholds.http_req_failed[1].delayAbortEval", 12,
                  "ignored without abortOnFail: true"));
}

TEST(PlanParserTest, InvalidUrl) {
  ParseResult scheme = parse(R"yaml(target:
  url: ftp://files.example.com
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(scheme, "target.url", 2,
                       "invalid URL: unsupported scheme 'ftp' (use http:// or https://)"));
  ParseResult port = parse(R"yaml(target: http://h:70000
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(port, "target", 1, "invalid URL: invalid port '70000' (must be 1-65535)"));
  ParseResult missing = parse(R"yaml(target: {timeout: 1s}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(missing, "target.url", 1, "required"));
}

TEST(PlanParserTest, TargetOptions) {
  Plan plan = parse_ok(R"yaml(target:
  url: https://h
  maxResponseBytes: 1MB
  tls: {insecureSkipVerify: true}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_EQ(plan.target.max_response_bytes, 1000000u);
  EXPECT_FALSE(plan.target.tls.verify);
  EXPECT_EQ(parse_ok(R"yaml(target: {url: http://h, maxResponseBytes: 2048}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml")
                .target.max_response_bytes,
            2048u);
  ParseResult bad = parse(R"yaml(target:
  url: http://h
  maxResponseBytes: 16 parsecs
  headers: {"Bad Name": x}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(bad, "target.maxResponseBytes", 3,
                       "must be a byte count > 0 or a size such as 16MiB, 512KiB or 1MB"));
  EXPECT_TRUE(HasError(bad, "target.headers.Bad Name", 4, "invalid header name 'Bad Name'"));
}

TEST(PlanParserTest, InsecureSkipVerifyOnHttpWarns) {
  ParseResult result = parse(R"yaml(target:
  url: http://h
  tls:
    insecureSkipVerify: true
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_TRUE(
      Has(result.warnings, "target.tls.insecureSkipVerify", 4, "ignored: the target uses http://"));
}

TEST(PlanParserTest, CaFileMustBeReadable) {
  ParseResult result = parse(R"yaml(target:
  url: https://h
  tls: {caFile: /nonexistent/ca.pem}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(HasError(result, "target.tls.caFile", 3,
                       "cannot read file '/nonexistent/ca.pem': No such file or directory"));
}

TEST(PlanParserTest, MissingOrEmptyScenarios) {
  ParseResult missing = parse("target: http://h\nload: {users: 1, duration: 1s}\n");
  EXPECT_TRUE(HasError(missing, "scenarios", 1, "required"));
  ParseResult empty = parse("target: http://h\nload: {users: 1, duration: 1s}\nscenarios: []\n");
  EXPECT_TRUE(HasError(empty, "scenarios", 3, "must not be empty"));
  ParseResult no_work = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
)yaml");
  EXPECT_TRUE(HasError(no_work, "scenarios[0]", 4, "one of tasks or steps is required"));
  ParseResult both = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    tasks: [{steps: [{get: /}]}]
    steps: [{get: /}]
)yaml");
  EXPECT_TRUE(HasError(both, "scenarios[0].steps", 6, "not allowed with tasks"));
}

TEST(PlanParserTest, DuplicateScenarioNames) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: browse
    steps: [{get: /}]
  - name: browse
    steps: [{get: /}]
  - weight: 1
    steps: [{get: /}]
)yaml");
  EXPECT_TRUE(HasError(result, "scenarios[1].name", 6, "duplicate scenario name 'browse'"));
  EXPECT_TRUE(HasError(result, "scenarios[2].name", 8, "required"));
}

TEST(PlanParserTest, BadWait) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - {name: a, wait: sometimes, steps: [{get: /}]}
  - {name: b, wait: "between(3, 1)", steps: [{get: /}]}
  - {name: c, wait: constant(-1), steps: [{get: /}]}
  - {name: d, wait: "between(1)", steps: [{get: /}]}
  - {name: e, wait: pacing(2s), steps: [{get: /}]}
)yaml");
  EXPECT_TRUE(HasError(result, "scenarios[0].wait", 4,
                       "must be none, constant(X), between(A, B) or pacing(X)"));
  EXPECT_TRUE(HasError(result, "scenarios[1].wait", 5, "between(A, B) needs A <= B"));
  EXPECT_TRUE(HasError(result, "scenarios[2].wait", 6, "must be none"));
  EXPECT_TRUE(HasError(result, "scenarios[3].wait", 7, "must be none"));
  EXPECT_EQ(result.errors.size(), 4u) << describe(result.errors);
}

TEST(PlanParserTest, WaitOnOpenModelWarns) {
  ParseResult result = parse(R"yaml(target: http://h
load: {rate: 10, duration: 1m}
scenarios:
  - name: a
    wait: pacing(1s)
    steps: [{get: /}]
)yaml");
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_TRUE(Has(result.warnings, "scenarios[0].wait", 5,
                  "ignored: the arrival rate paces an open model"));
  EXPECT_EQ(result.plan->scenarios[0].wait.kind, WaitTime::Kind::kPacing);
}

TEST(PlanParserTest, BadMethod) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - method: FETCH
        path: /
      - {method: Get, path: /ok}
)yaml");
  EXPECT_TRUE(
      HasError(result, "scenarios[0].steps[0].method", 6,
               "unknown method 'FETCH' (use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)"));
  EXPECT_EQ(result.errors.size(), 1u) << describe(result.errors);
}

TEST(PlanParserTest, StepForms) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - {get: /a, post: /b}
      - {get: /a, method: GET}
      - {method: GET}
      - {path: no-slash}
      - {path: /a b}
      - {get: /a#frag}
)yaml");
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].post", 6, "only one of get, post"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[1].method", 7,
                       "not allowed with the `get:` shorthand (use one form)"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[2].path", 8,
                       "required (or use a shorthand such as `get: /path`)"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[3].path", 9, "must start with /"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[4].path", 10, "must not contain spaces"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[5].get", 11, "fragment"));
}

TEST(PlanParserTest, ShorthandsForEveryMethod) {
  Plan plan = parse_ok(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - get: /1
      - post: /2
      - put: /3
      - patch: /4
      - delete: /5
      - head: /6
      - options: /7
      - {method: options, path: /8}
)yaml");
  std::vector<std::string> methods;
  for (const Step& step : plan.scenarios[0].tasks[0].steps) methods.push_back(http(step).method);
  EXPECT_EQ(methods, (std::vector<std::string>{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
                                               "OPTIONS", "OPTIONS"}));
}

TEST(PlanParserTest, BodyAndJsonTogether) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - post: /x
        body: "{}"
        json: {a: 1}
)yaml");
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].json", 8, "not allowed with body (use one)"));
}

TEST(PlanParserTest, JsonBodies) {
  Plan plan = parse_ok(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - post: /1
        headers: {content-type: application/vnd.api+json}
        json: [1, -2, 3.5, 1e3, "x", yes, ~, {z: 1, a: [true, "true"]}]
      - post: /2
        json: plain text
)yaml");
  const HttpStep& first = http(plan.scenarios[0].tasks[0].steps[0]);
  EXPECT_EQ(first.body, R"([1,-2,3.5,1000.0,"x","yes",null,{"z":1,"a":[true,"true"]}])");
  EXPECT_TRUE(first.content_type.empty());  // the header gives it
  const HttpStep& second = http(plan.scenarios[0].tasks[0].steps[1]);
  EXPECT_EQ(second.body, R"("plain text")");
  EXPECT_EQ(second.content_type, "application/json");
}

TEST(PlanParserTest, BadExpectStatus) {
  ParseResult result = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    steps:
      - get: /
        expect:
          status: [200, 99, "2xy", "300-200", 1000, "abc"]
      - get: /
        expect: {status: []}
      - get: /
        expect: {code: 200}
)yaml");
  const std::string message =
      "must be a status code 100-999, a class such as 2xx or a range such as 200-299";
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].expect.status[1]", 8, message));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].expect.status[2]", 8, message));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].expect.status[3]", 8, message));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].expect.status[4]", 8, message));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[0].expect.status[5]", 8, message));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[1].expect.status", 10, "must not be empty"));
  EXPECT_TRUE(HasError(result, "scenarios[0].steps[2].expect", 12, "unknown field 'code'"));
  EXPECT_EQ(result.errors.size(), 7u) << describe(result.errors);
}

TEST(PlanParserTest, SingleExpectStatus) {
  Plan plan = parse_ok(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /, expect: {status: 204}}]}]
)yaml");
  EXPECT_EQ(http(plan.scenarios[0].tasks[0].steps[0]).expect_status.to_list(),
            std::vector<int>{204});
}

TEST(PlanParserTest, WrongApiVersionAndKind) {
  ParseResult result = parse(R"yaml(apiVersion: stampede.dev/v2
kind: Deployment
metadata: {name: x}
spec:
  target: http://h
  load: {users: 1, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(
      HasError(result, "apiVersion", 1, "must be stampede.dev/v1alpha1 (got 'stampede.dev/v2')"));
  EXPECT_TRUE(HasError(result, "kind", 2, "must be LoadTest (got 'Deployment')"));
  EXPECT_EQ(result.errors.size(), 2u) << describe(result.errors);

  ParseResult no_spec = parse("apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\n");
  EXPECT_TRUE(HasError(no_spec, "spec", 1, "required"));
}

TEST(PlanParserTest, ManifestPathsArePrefixedWithSpec) {
  ParseResult result = parse(R"yaml(kind: LoadTest
spec:
  target: http://h
  load: {users: 0, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
  replicas: 3
)yaml");
  EXPECT_TRUE(HasError(result, "spec.load.users", 4, "must be an integer > 0"));
  EXPECT_TRUE(HasError(result, "spec", 6, "unknown field 'replicas'"));
}

TEST(PlanParserTest, ProfilesAreNotSupported) {
  ParseResult bare = parse(std::string(kMinimal) + "profile: smoke\n");
  EXPECT_TRUE(HasError(bare, "profile", 7, "profiles are not supported by this version yet"));
  ParseResult manifest = parse(R"yaml(kind: LoadTest
spec:
  profile: {name: soak}
  target: http://h
  load: {users: 1, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(
      HasError(manifest, "spec.profile", 3, "profiles are not supported by this version yet"));
}

constexpr const char* kNoTarget = R"yaml(load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml";

TEST(PlanParserTest, MissingTargetWithoutOverride) {
  ParseResult result = parse(kNoTarget);
  EXPECT_TRUE(HasError(result, "target", 1, "required (or pass -H/--host, or set STAMPEDE_HOST)"));
}

TEST(PlanParserTest, HostOverride) {
  Plan plan = parse_ok(kNoTarget, "https://staging.example.com:9443/v2");
  EXPECT_EQ(plan.target.url.host, "staging.example.com");
  EXPECT_EQ(plan.target.url.port, 9443);
  EXPECT_EQ(plan.target.url.base_path, "/v2");

  // The override replaces the file's URL but keeps its other target settings.
  Plan replaced = parse_ok(R"yaml(target: {url: http://prod, timeout: 3s}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml",
                           "http://localhost:8080");
  EXPECT_EQ(replaced.target.url.host, "localhost");
  EXPECT_EQ(replaced.target.request_timeout, seconds(3));
  EXPECT_TRUE(
      parse_ok("target: {timeout: 3s}\n" + std::string(kNoTarget), "http://h").target.url.host ==
      "h");

  ParseResult bad = parse(kNoTarget, "localhost:8080");
  EXPECT_TRUE(HasError(bad, "--host", 0, "invalid URL: URL must start with http:// or https://"));
}

TEST(PlanParserTest, NeverThrowsOnOddInput) {
  for (std::string_view yaml : {"",
                                "# only a comment\n",
                                "~",
                                "42",
                                "[1, 2]",
                                "\"text\"",
                                "---\n---\n",
                                "{",
                                "a: b: c",
                                "target: *missing",
                                "? [a, b]\n: c\n",
                                "scenarios: [[[[[]]]]]",
                                "load: {stages: [1, 2]}",
                                "load: {stages: []}",
                                "load: {stages: {a: 1}}",
                                "load: {users: 1e99, duration: 1s}",
                                "thresholds: [a]",
                                "thresholds: {'{': x, 'http_reqs{': y}",
                                "\xff\xfe",
                                "kind: 5",
                                "metadata: [1]\nspec: 3",
                                "target: {tls: [], headers: {a: [1]}}",
                                "load: ~",
                                "scenarios: [{name: a, tasks: [1, {steps: [1, {get: 1}]}]}]"}) {
    ParseResult result;
    EXPECT_NO_THROW(result = parse(yaml)) << yaml;
    EXPECT_FALSE(result.plan.has_value()) << yaml;
    EXPECT_FALSE(result.errors.empty()) << yaml;
  }
}

TEST(PlanParserTest, EmptyFileAndMultipleDocuments) {
  ParseResult empty = parse("");
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_NE(empty.errors[0].message.find("empty"), std::string::npos);
  ParseResult two = parse(std::string(kMinimal) + "---\nname: b\n");
  EXPECT_TRUE(HasError(two, "", 7, "only one YAML document is supported"));
}

// yaml-cpp 0.7's own LoadAll never returns on these; the parser must still report them.
TEST(PlanParserTest, MalformedStartDoesNotHang) {
  ParseResult comma = parse(",piVersion: x\nkind: LoadTest\n");
  ASSERT_EQ(comma.errors.size(), 1u) << describe(comma.errors);
  EXPECT_EQ(comma.errors[0].message, "invalid YAML: unexpected ','");
  EXPECT_EQ(comma.errors[0].line, 1);
  EXPECT_EQ(comma.errors[0].column, 1);
  ParseResult later = parse(std::string(kMinimal) + "---\n  ,\n");
  EXPECT_TRUE(HasError(later, "", 7, "only one YAML document is supported"));
  EXPECT_FALSE(parse(",").plan);
}

class PlanFileTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("stampede_plan_test_" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(PlanFileTest, LoadsFromDisk) {
  std::ofstream(path_) << kFullPlan;
  ParseResult result = load_plan_file(path_.string());
  ASSERT_TRUE(result.plan) << describe(result.errors);
  EXPECT_EQ(result.plan->name, "checkout");
  EXPECT_EQ(result.plan->scenarios.size(), 2u);
}

TEST_F(PlanFileTest, ErrorsFromDiskKeepLines) {
  std::ofstream(path_) << "target: http://h\nload: {users: -1, duration: 1s}\n";
  ParseResult result = load_plan_file(path_.string(), ParseOptions{"http://other"});
  EXPECT_TRUE(HasError(result, "load.users", 2, "must be an integer > 0"));
  EXPECT_TRUE(HasError(result, "scenarios", 1, "required"));
}

TEST_F(PlanFileTest, CaFileThatExists) {
  std::ofstream(path_) << "not really a PEM, only readability is checked\n";
  Plan plan = parse_ok("target: {url: 'https://h', tls: {caFile: '" + path_.string() + "'}}\n" +
                       std::string(kNoTarget));
  EXPECT_EQ(plan.target.tls.ca_file, path_.string());
}

TEST(PlanFileMissingTest, MissingFileIsOneError) {
  ParseResult result = load_plan_file("/nonexistent/dir/plan.yaml");
  EXPECT_FALSE(result.plan);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_EQ(result.errors[0].message,
            "cannot read plan file '/nonexistent/dir/plan.yaml': No such file or directory");
  ParseResult dir = load_plan_file(std::filesystem::temp_directory_path().string());
  ASSERT_EQ(dir.errors.size(), 1u);
  EXPECT_NE(dir.errors[0].message.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace stampede
