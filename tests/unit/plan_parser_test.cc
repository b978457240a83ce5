// Valid plans and manifests parse to the expected values.
#include "plan/plan_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using namespace plan_test;  // NOLINT(google-build-using-namespace): test helpers
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

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
  EXPECT_EQ(open.pre_allocated_users, 40u);
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

// The operator's fields of runs (docs/runs.md) are valid in a manifest, as the API server stores it
// (with the CRD's defaults) and as kubectl get -o yaml reads it back (with the runs' status), so
// that `stampede validate` and `stampede run` take a scheduled LoadTest and the operator's plan
// (the whole spec) parses. The runner has no use for them.
TEST(PlanParserTest, ManifestWithTheFieldsOfRunsParses) {
  const Plan plan = parse_ok(R"yaml(apiVersion: stampede.dev/v1alpha1
kind: LoadTest
metadata: {name: nightly}
spec:
  target: http://shop.perf.svc:8080
  load: {users: 5, duration: 1m}
  scenarios: [{name: a, steps: [{get: /}]}]
  schedule: "30 2 * * 1-5"
  timeZone: Europe/Berlin
  concurrencyPolicy: Replace
  suspend: true
  startingDeadlineSeconds: 600
  historyLimit: 20
  onSpecChange: Replace
status:
  run: 3
  runGeneration: 2
  trigger: Schedule
  lastResult: Passed
  history:
    - {run: 2, generation: 2, trigger: Rerun, phase: Succeeded, result: Passed, rps: 99.5}
    - {run: 1, generation: 1, trigger: Created, phase: Failed, result: Failed, rps: 98.5}
  nextScheduleTime: "2026-01-02T01:30:00Z"
  pendingRun: {trigger: Rerun}
)yaml");
  EXPECT_EQ(plan.name, "nightly");
  EXPECT_EQ(plan.target.url.host, "shop.perf.svc");
  ASSERT_EQ(plan.scenarios.size(), 1u);

  // The defaults the API server writes into every LoadTest, and the @-names of a schedule.
  EXPECT_TRUE(parse(R"yaml(kind: LoadTest
spec:
  target: http://h
  load: {users: 1, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
  schedule: "@daily"
  concurrencyPolicy: Forbid
  suspend: false
  historyLimit: 10
  onSpecChange: Wait
)yaml")
                  .plan);

  // They belong to the LoadTest, not to the plan: a bare plan still refuses them.
  EXPECT_TRUE(has_error(parse(std::string(kMinimal) + "schedule: \"@hourly\"\n"), "", 7,
                        "unknown field 'schedule'"));
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
  EXPECT_EQ(open.pre_allocated_users, 40u);

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
  // Unless given, the queue holds 100 ms of arrivals at the peak rate (at least maxInFlight),
  // and the connections one release needs are opened before the start (1 ms of arrivals, at
  // least 40: a release holds up to 40 arrivals due within 4 ms).
  const auto sized = [](const std::string& load) {
    return std::get<OpenModel>(parse_ok("target: http://h\nload: " + load +
                                        "\nscenarios: [{name: a, steps: [{get: /}]}]\n")
                                   .load.model);
  };
  const OpenModel fast = sized("{rate: 50000, duration: 1m, maxInFlight: 50}");
  EXPECT_EQ(fast.max_queued, 5000u);
  EXPECT_EQ(fast.pre_allocated_users, 50u);
  const OpenModel staged =
      sized("{stages: [{duration: 1m, rate: 20000}, {duration: 1m, rate: 100}], maxInFlight: 300}");
  EXPECT_EQ(staged.max_queued, 2000u);
  EXPECT_EQ(staged.pre_allocated_users, 40u);
  EXPECT_EQ(sized("{rate: 50000, duration: 1m}").pre_allocated_users, 50u);
  EXPECT_EQ(sized("{rate: 10, duration: 1m}").max_queued, 100u);  // maxInFlight's default
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
  EXPECT_TRUE(has_error(result, "load.users", 2, "must be an integer > 0"));
  EXPECT_TRUE(has_error(result, "scenarios", 1, "required"));
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
