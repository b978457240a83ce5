// Target, scenarios, steps and manifests: valid forms and their errors.
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

TEST(PlanParserTest, InvalidUrl) {
  ParseResult scheme = parse(R"yaml(target:
  url: ftp://files.example.com
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(scheme, "target.url", 2,
                        "invalid URL: unsupported scheme 'ftp' (use http:// or https://)"));
  ParseResult port = parse(R"yaml(target: http://h:70000
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(port, "target", 1, "invalid URL: invalid port '70000' (must be 1-65535)"));
  ParseResult missing = parse(R"yaml(target: {timeout: 1s}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(missing, "target.url", 1, "required"));
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
  EXPECT_TRUE(has_error(bad, "target.maxResponseBytes", 3,
                        "must be a byte count > 0 or a size such as 16MiB, 512KiB or 1MB"));
  EXPECT_TRUE(has_error(bad, "target.headers.Bad Name", 4, "invalid header name 'Bad Name'"));
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
      has(result.warnings, "target.tls.insecureSkipVerify", 4, "ignored: the target uses http://"));
}

TEST(PlanParserTest, CaFileMustBeReadable) {
  ParseResult result = parse(R"yaml(target:
  url: https://h
  tls: {caFile: /nonexistent/ca.pem}
load: {users: 1, duration: 1s}
scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(result, "target.tls.caFile", 3,
                        "cannot read CA file '/nonexistent/ca.pem': No such file or directory"));
}

TEST(PlanParserTest, MissingOrEmptyScenarios) {
  ParseResult missing = parse("target: http://h\nload: {users: 1, duration: 1s}\n");
  EXPECT_TRUE(has_error(missing, "scenarios", 1, "required"));
  ParseResult empty = parse("target: http://h\nload: {users: 1, duration: 1s}\nscenarios: []\n");
  EXPECT_TRUE(has_error(empty, "scenarios", 3, "must not be empty"));
  ParseResult no_work = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
)yaml");
  EXPECT_TRUE(has_error(no_work, "scenarios[0]", 4, "one of tasks or steps is required"));
  ParseResult both = parse(R"yaml(target: http://h
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    tasks: [{steps: [{get: /}]}]
    steps: [{get: /}]
)yaml");
  EXPECT_TRUE(has_error(both, "scenarios[0].steps", 6, "not allowed with tasks"));
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
  EXPECT_TRUE(has_error(result, "scenarios[1].name", 6, "duplicate scenario name 'browse'"));
  EXPECT_TRUE(has_error(result, "scenarios[2].name", 8, "required"));
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
  EXPECT_TRUE(has_error(result, "scenarios[0].wait", 4,
                        "must be none, constant(X), between(A, B) or pacing(X)"));
  EXPECT_TRUE(has_error(result, "scenarios[1].wait", 5, "between(A, B) needs A <= B"));
  EXPECT_TRUE(has_error(result, "scenarios[2].wait", 6, "must be none"));
  EXPECT_TRUE(has_error(result, "scenarios[3].wait", 7, "must be none"));
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
  EXPECT_TRUE(has(result.warnings, "scenarios[0].wait", 5,
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
      has_error(result, "scenarios[0].steps[0].method", 6,
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
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].post", 6, "only one of get, post"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[1].method", 7,
                        "not allowed with the `get:` shorthand (use one form)"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[2].path", 8,
                        "required (or use a shorthand such as `get: /path`)"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[3].path", 9, "must start with /"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[4].path", 10, "must not contain spaces"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[5].get", 11, "fragment"));
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
  EXPECT_TRUE(
      has_error(result, "scenarios[0].steps[0].json", 8, "not allowed with body (use one)"));
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
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].expect.status[1]", 8, message));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].expect.status[2]", 8, message));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].expect.status[3]", 8, message));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].expect.status[4]", 8, message));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[0].expect.status[5]", 8, message));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[1].expect.status", 10, "must not be empty"));
  EXPECT_TRUE(has_error(result, "scenarios[0].steps[2].expect", 12, "unknown field 'code'"));
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
      has_error(result, "apiVersion", 1, "must be stampede.dev/v1alpha1 (got 'stampede.dev/v2')"));
  EXPECT_TRUE(has_error(result, "kind", 2, "must be LoadTest (got 'Deployment')"));
  EXPECT_EQ(result.errors.size(), 2u) << describe(result.errors);

  ParseResult no_spec = parse("apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\n");
  EXPECT_TRUE(has_error(no_spec, "spec", 1, "required"));
}

TEST(PlanParserTest, ManifestPathsArePrefixedWithSpec) {
  ParseResult result = parse(R"yaml(kind: LoadTest
spec:
  target: http://h
  load: {users: 0, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
  replicas: 3
)yaml");
  EXPECT_TRUE(has_error(result, "spec.load.users", 4, "must be an integer > 0"));
  EXPECT_TRUE(has_error(result, "spec", 6, "unknown field 'replicas'"));
}

// Profiles themselves are tested in profile_test.cc.
TEST(PlanParserTest, ProfileIsAName) {
  EXPECT_TRUE(parse(std::string(kMinimal) + "profile: smoke\n").plan);
  ParseResult manifest = parse(R"yaml(kind: LoadTest
spec:
  profile: {name: soak}
  target: http://h
  load: {users: 1, duration: 1s}
  scenarios: [{name: a, steps: [{get: /}]}]
)yaml");
  EXPECT_TRUE(has_error(manifest, "spec.profile", 3, "must be a string"));
}

TEST(PlanParserTest, MissingTargetWithoutOverride) {
  ParseResult result = parse(kNoTarget);
  EXPECT_TRUE(has_error(result, "target", 1, "required (or pass -H/--host, or set STAMPEDE_HOST)"));
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
  EXPECT_TRUE(has_error(bad, "--host", 0, "invalid URL: URL must start with http:// or https://"));
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
  EXPECT_TRUE(has_error(two, "", 7, "only one YAML document is supported"));
}

// yaml-cpp 0.7's own LoadAll never returns on these; the parser must still report them.
TEST(PlanParserTest, MalformedStartDoesNotHang) {
  ParseResult comma = parse(",piVersion: x\nkind: LoadTest\n");
  ASSERT_EQ(comma.errors.size(), 1u) << describe(comma.errors);
  EXPECT_EQ(comma.errors[0].message, "invalid YAML: unexpected ','");
  EXPECT_EQ(comma.errors[0].line, 1);
  EXPECT_EQ(comma.errors[0].column, 1);
  ParseResult later = parse(std::string(kMinimal) + "---\n  ,\n");
  EXPECT_TRUE(has_error(later, "", 7, "only one YAML document is supported"));
  EXPECT_FALSE(parse(",").plan);
}

}  // namespace
}  // namespace stampede
