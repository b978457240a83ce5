// The scenario language in plans: templates, vars, data, extract, checks, auth, retry and
// custom metrics, parsed and validated with the field path and line of each mistake.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "plan/data_file.h"
#include "plan/tag_filter.h"
#include "plan_test_support.h"

namespace stampede::plan_test {
namespace {

std::string plan_with_steps(const std::string& top, const std::string& steps) {
  return "target: http://localhost:8080\n" + top +
         "load: {users: 1, duration: 1s}\n"
         "scenarios:\n"
         "  - name: a\n"
         "    steps:\n" +
         steps;
}

TEST(PlanLanguage, TemplatesInPathHeadersBodyAndJson) {
  const Plan plan = parse_ok(
      plan_with_steps("vars: {tenant: acme}\n", R"(      - post: /t/{{ tenant }}/orders/{{ seq() }}
        headers: {X-Request-Id: "{{ uuid() }}"}
        json: {user: "u-{{ userIndex }}", qty: "{{ randomInt(1, 5) }}", note: "a \"b\""}
)"));
  const HttpStep& s = http(plan.scenarios[0].tasks[0].steps[0]);
  EXPECT_EQ(s.path, "/t/{{ tenant }}/orders/{{ seq() }}") << "the text as written";
  ASSERT_EQ(s.path_template.parts.size(), 2U);
  EXPECT_EQ(s.path_template.parts[0].literal, "/t/acme/orders/") << "vars are inlined";
  EXPECT_EQ(s.path_template.parts[1].escape, TemplateEscape::kPath);
  ASSERT_EQ(s.header_templates.size(), 1U);
  EXPECT_EQ(s.header_templates[0].parts[0].escape, TemplateEscape::kHeader);
  // The JSON body: string templates escaped as JSON strings, a lone numeric expression a number.
  const Template& body = s.body_template;
  ASSERT_EQ(body.parts.size(), 5U);
  EXPECT_EQ(body.parts[0].literal, R"({"user":"u-)");
  EXPECT_EQ(body.parts[1].escape, TemplateEscape::kJsonString);
  EXPECT_EQ(body.parts[2].literal, R"(","qty":)");
  EXPECT_EQ(body.parts[3].escape, TemplateEscape::kNone) << "a number, unquoted";
  EXPECT_EQ(body.parts[4].literal, R"(,"note":"a \"b\""})");
  EXPECT_EQ(s.content_type, "application/json");
}

TEST(PlanLanguage, APlainStepStaysConstant) {
  const Plan plan = parse_ok(kMinimal);
  const HttpStep& s = http(plan.scenarios[0].tasks[0].steps[0]);
  EXPECT_TRUE(s.path_template.constant());
  EXPECT_TRUE(s.body_template.constant());
  EXPECT_FALSE(s.auth);
}

TEST(PlanLanguage, UnknownVariablesAreErrorsWithTheirField) {
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /plans/{{ plan_id }}
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].get", 6, "unknown variable 'plan_id'"));
}

TEST(PlanLanguage, BadTemplatesNameTheColumn) {
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /x
        headers: {X-A: "{{ randomint(1, 2) }}"}
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].headers.X-A", 7, "unknown function 'randomint'"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].headers.X-A", 7, "at column 4"));
}

TEST(PlanLanguage, ExtractedVariablesAreUsableFromTheNextStepOnly) {
  const Plan ok = parse_ok(plan_with_steps("", R"(      - post: /plans
        json: {name: x}
        extract:
          plan_id: {json: /id}
          etag: {header: ETag}
          code: {regex: 'code=(\w+)', default: none}
      - get: /plans/{{ plan_id }}?c={{ code }}
        headers: {If-Match: "{{ etag }}"}
)"));
  const HttpStep& first = http(ok.scenarios[0].tasks[0].steps[0]);
  ASSERT_EQ(first.extract.size(), 3U);
  EXPECT_EQ(first.extract[0].variable, "plan_id");
  EXPECT_EQ(first.extract[0].source.kind, ResponseSource::Kind::kJson);
  EXPECT_EQ(first.extract[1].source.kind, ResponseSource::Kind::kHeader);
  EXPECT_EQ(first.extract[2].fallback, std::optional<std::string>("none"));

  const ParseResult same_step = parse(plan_with_steps("", R"(      - get: /plans/{{ plan_id }}
        extract: {plan_id: {json: /id}}
)"));
  EXPECT_TRUE(has_error(same_step, "scenarios[0].steps[0].get", 6, "unknown variable 'plan_id'"));
}

TEST(PlanLanguage, ExtractMistakes) {
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /x
        extract:
          a: {json: id}
          b: {regex: '(unclosed'}
          c: {json: /a, header: B}
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].extract.a.json", 8, "must be a JSON pointer"));
  EXPECT_TRUE(
      has_error(r, "scenarios[0].steps[0].extract.b.regex", 9, "invalid regular expression"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].extract.c", 10, "exactly one of json"));
}

TEST(PlanLanguage, ChecksGetNamesAndOperators) {
  const Plan plan = parse_ok(plan_with_steps("", R"(      - get: /x
        checks:
          - status: 201
          - {name: has an id, json: /id}
          - {json: /status, equals: pending}
          - {header: Content-Type, matches: json}
          - {body: true, contains: ok}
          - {duration: "< 500ms"}
          - {json: /kind, oneOf: [a, b]}
)"));
  const auto& checks = http(plan.scenarios[0].tasks[0].steps[0]).checks;
  ASSERT_EQ(checks.size(), 7U);
  EXPECT_EQ(checks[0].name, "status is 201");
  EXPECT_TRUE(checks[0].statuses.contains(201));
  EXPECT_EQ(checks[1].name, "has an id");
  EXPECT_EQ(checks[1].op, Check::Op::kExists);
  EXPECT_EQ(checks[2].name, "json /status is pending");
  EXPECT_EQ(checks[2].op, Check::Op::kEquals);
  EXPECT_EQ(checks[3].op, Check::Op::kMatches);
  EXPECT_EQ(checks[4].subject.kind, ResponseSource::Kind::kBody);
  EXPECT_EQ(checks[5].limit, std::chrono::milliseconds(500));
  EXPECT_EQ(checks[5].op, Check::Op::kLess);
  EXPECT_EQ(checks[6].one_of, (std::vector<std::string>{"a", "b"}));
}

TEST(PlanLanguage, CheckMistakes) {
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /x
        checks:
          - {json: /a, equals: x, contains: y}
          - {duration: "about a second"}
          - {status: 20}
          - {equals: x}
          - status: 200
          - status: 200
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].checks[0]", 8, "at most one of equals"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].checks[1].duration", 9, "< DURATION"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].checks[2].status", 10, "status code"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].checks[3]", 11, "exactly one of status"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].checks[5]", 13, "two checks named"));
}

TEST(PlanLanguage, AuthIsInheritedFromTargetScenarioAndTask) {
  ::setenv("STAMPEDE_TEST_JWT", "k3y", 1);
  const Plan plan = parse_ok(R"(target:
  url: http://localhost:8080
  auth: {bearer: "t0k3n"}
load: {users: 1, duration: 1s}
scenarios:
  - name: a
    auth:
      jwt:
        secret: {env: STAMPEDE_TEST_JWT}
        claims: {sub: "user-{{ userIndex }}", role: admin}
        expiresIn: 10m
    tasks:
      - name: t
        steps:
          - get: /jwt
          - get: /basic
            auth: {basic: {username: u, password: p}}
          - get: /none
            auth: none
  - name: b
    steps:
      - get: /bearer
)");
  const auto& steps = plan.scenarios[0].tasks[0].steps;
  ASSERT_TRUE(http(steps[0]).auth);
  EXPECT_EQ(http(steps[0]).auth->kind, Auth::Kind::kJwt);
  EXPECT_EQ(http(steps[0]).auth->jwt.secret, "k3y");
  EXPECT_EQ(http(steps[0]).auth->jwt.expires_in, std::chrono::minutes(10));
  EXPECT_EQ(http(steps[1]).auth->kind, Auth::Kind::kBasic);
  EXPECT_EQ(http(steps[2]).auth->kind, Auth::Kind::kNone);
  EXPECT_EQ(http(plan.scenarios[1].tasks[0].steps[0]).auth->kind, Auth::Kind::kBearer);
}

TEST(PlanLanguage, AMissingSecretIsAnErrorOnlyWhereThePlanRuns) {
  ::unsetenv("STAMPEDE_TEST_MISSING");
  const std::string plan = plan_with_steps("", R"(      - get: /x
        auth: {jwt: {secret: {env: STAMPEDE_TEST_MISSING}}}
)");
  EXPECT_TRUE(has_error(parse(plan), "scenarios[0].steps[0].auth.jwt.secret.env", 7,
                        "STAMPEDE_TEST_MISSING is not set"));
  ParseOptions operator_side;
  operator_side.runner_side = false;
  EXPECT_TRUE(parse_plan_text(plan, operator_side).errors.empty())
      << "the operator cannot see the runner's environment";
}

TEST(PlanLanguage, EnvInTemplatesIsReadAtLoadTime) {
  ::setenv("STAMPEDE_TEST_TOKEN", "abc", 1);
  ::unsetenv("STAMPEDE_TEST_NOPE");
  const Plan plan = parse_ok(plan_with_steps(
      "vars: {token: '{{ env(\"STAMPEDE_TEST_TOKEN\") }}'}\n", "      - get: /x?t={{ token }}\n"));
  EXPECT_EQ(http(plan.scenarios[0].tasks[0].steps[0]).path_template.constant_text(), "/x?t=abc");
  const ParseResult r =
      parse(plan_with_steps("", "      - get: '/x?t={{ env(\"STAMPEDE_TEST_NOPE\") }}'\n"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].get", 6, "STAMPEDE_TEST_NOPE is not set"));
}

TEST(PlanLanguage, RetryPolicies) {
  const Plan plan = parse_ok(plan_with_steps("", R"(      - get: /x
        retry: {statuses: [429, 503], max: 2, backoff: {initial: 50ms, max: 1s}, retryAfter: false}
)"));
  const auto& retry = http(plan.scenarios[0].tasks[0].steps[0]).retry;
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->on.contains(429));
  EXPECT_TRUE(retry->on.contains(503));
  EXPECT_FALSE(retry->on.contains(500));
  EXPECT_EQ(retry->max, 2U);
  EXPECT_EQ(retry->initial, std::chrono::milliseconds(50));
  EXPECT_FALSE(retry->retry_after);
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /x
        retry: {max: 2}
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].retry", 7, "needs `statuses`"));
}

TEST(PlanLanguage, CustomMetricsAreDeclaredOncePerName) {
  const Plan plan = parse_ok(plan_with_steps("", R"(      - post: /chat
        metrics:
          - {name: provider_latency, trend: {header: X-Provider-Latency-Ms}, unit: ms, by: {header: X-Provider}}
          - {name: provider_requests, counter: {json: /provider}}
      - post: /chat2
        metrics:
          - {name: provider_latency, trend: {json: /latency}, unit: ms}
)"));
  ASSERT_EQ(plan.metrics.size(), 2U);
  EXPECT_EQ(plan.metrics[0].name, "provider_latency");
  EXPECT_EQ(plan.metrics[0].kind, CustomMetricDef::Kind::kTrend);
  EXPECT_EQ(plan.metrics[0].unit, "ms");
  EXPECT_EQ(plan.metrics[1].kind, CustomMetricDef::Kind::kCounter);
  EXPECT_EQ(http(plan.scenarios[0].tasks[0].steps[1]).metrics[0].metric, 0U);
  const ParseResult r = parse(plan_with_steps("", R"(      - post: /chat
        metrics:
          - {name: m, trend: {json: /a}, unit: ms}
          - {name: m, trend: {json: /a}, unit: s}
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].metrics[1].name", 9, "another kind or unit"));
}

TEST(PlanLanguage, InlineDataBecomesColumns) {
  const Plan plan =
      parse_ok(plan_with_steps(R"(data:
  prompts: {values: ["What is ROI?", "Plan a trip"], order: random}
  users:
    values: [{name: alice, role: admin}, {name: bob}]
)",
                               "      - get: /x?p={{ prompts.value }}&u={{ users.name }}\n"));
  ASSERT_EQ(plan.data.size(), 2U);
  EXPECT_EQ(plan.data[0].columns, (std::vector<std::string>{"value"}));
  EXPECT_EQ(plan.data[0].order, DataSource::Order::kRandom);
  EXPECT_EQ(plan.data[1].columns, (std::vector<std::string>{"name", "role"}));
  EXPECT_EQ(plan.data[1].rows[1], (std::vector<std::string>{"bob", ""}));
}

TEST(PlanLanguage, DataFilesAreReadRelativeToThePlan) {
  const auto dir = std::filesystem::temp_directory_path() / "stampede-plan-language-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "users.csv")
      << "email,role\n\"a@x.io\",admin\n\"b, \"\"the\"\" second\",viewer\n";
  const std::string text = plan_with_steps(R"(data:
  users: {file: users.csv, order: unique}
)",
                                           "      - get: /x?e={{ users.email }}\n");
  std::ofstream(dir / "plan.yaml") << text;
  const ParseResult r = load_plan_file((dir / "plan.yaml").string());
  ASSERT_TRUE(r.plan) << describe(r.errors);
  ASSERT_EQ(r.plan->data[0].rows.size(), 2U);
  EXPECT_EQ(r.plan->data[0].rows[1][0], "b, \"the\" second");
  EXPECT_EQ(r.plan->data[0].order, DataSource::Order::kUnique);

  const ParseResult missing = parse(plan_with_steps(R"(data:
  users: {file: /nonexistent/users.csv}
)",
                                                    "      - get: /x\n"));
  EXPECT_TRUE(has_error(missing, "data.users.file", 3,
                        "cannot read data file '/nonexistent/users.csv': No such file"));
  ParseOptions operator_side;
  operator_side.runner_side = false;
  EXPECT_TRUE(parse_plan_text(plan_with_steps(R"(data:
  users: {file: /nonexistent/users.csv}
)",
                                              "      - get: /x?e={{ users.email }}\n"),
                              operator_side)
                  .errors.empty());
}

TEST(DataFile, CsvAndJsonRows) {
  DataSource csv;
  std::string error;
  ASSERT_TRUE(parse_csv("a,b\r\n1,2\r\n\r\n\"x\ny\",\"\"\n", &csv, &error)) << error;
  EXPECT_EQ(csv.rows.size(), 2U);
  EXPECT_EQ(csv.rows[1][0], "x\ny");
  DataSource bad;
  EXPECT_FALSE(parse_csv("a,b\n1,2,3\n", &bad, &error));
  EXPECT_EQ(error, "line 2: 3 fields, the header has 2");
  DataSource unterminated;
  EXPECT_FALSE(parse_csv("a\n\"open\n", &unterminated, &error));
  EXPECT_NE(error.find("line 2: unterminated"), std::string::npos) << error;
  DataSource json;
  ASSERT_TRUE(
      parse_json_rows(R"([{"id": 1, "name": "a"}, {"name": "b", "tags": ["x"]}])", &json, &error));
  EXPECT_EQ(json.columns, (std::vector<std::string>{"id", "name", "tags"}));
  EXPECT_EQ(json.rows[0], (std::vector<std::string>{"1", "a", ""}));
  EXPECT_EQ(json.rows[1], (std::vector<std::string>{"", "b", "[\"x\"]"}));
}

TEST(PlanLanguage, RequestNamesCannotChangePerRequest) {
  const ParseResult r = parse(plan_with_steps("", R"(      - get: /x
        name: "/x/{{ seq() }}"
)"));
  EXPECT_TRUE(has_error(r, "scenarios[0].steps[0].name", 7, "cannot change per request"));
}

}  // namespace
}  // namespace stampede::plan_test

namespace stampede::plan_test {
namespace {

constexpr const char* kTagged = R"(target: http://localhost:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: web
    tasks:
      - {name: browse, tags: [smoke, web], steps: [{get: /}]}
      - {name: buy, tags: [checkout], steps: [{post: /orders}]}
  - name: api
    tasks:
      - {name: health, tags: [smoke], steps: [{get: /health}]}
      - {name: report, tags: [slow], steps: [{get: /report}]}
)";

std::vector<std::string> task_names(const Plan& plan) {
  std::vector<std::string> names;
  for (const auto& s : plan.scenarios) {
    for (const auto& t : s.tasks) names.push_back(s.name + "/" + t.name);
  }
  return names;
}

TEST(TagFilter, TagsAndExcludeTagsSelectTasks) {
  EXPECT_EQ(split_tags(" smoke, web ,,x"), (std::vector<std::string>{"smoke", "web", "x"}));
  Plan only_smoke = parse_ok(kTagged);
  EXPECT_TRUE(filter_tasks({{"smoke"}, {}}, only_smoke).empty());
  EXPECT_EQ(task_names(only_smoke), (std::vector<std::string>{"web/browse", "api/health"}));

  Plan not_slow = parse_ok(kTagged);
  EXPECT_TRUE(filter_tasks({{}, {"slow", "checkout"}}, not_slow).empty());
  EXPECT_EQ(task_names(not_slow), (std::vector<std::string>{"web/browse", "api/health"}));

  Plan checkout = parse_ok(kTagged);
  EXPECT_TRUE(filter_tasks({{"checkout"}, {}}, checkout).empty());
  EXPECT_EQ(task_names(checkout), (std::vector<std::string>{"web/buy"}))
      << "a scenario left without tasks is dropped";

  Plan none = parse_ok(kTagged);
  const SourceErrors errors = filter_tasks({{"smoke"}, {"smoke"}}, none);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].path, "--tags");
  EXPECT_NE(errors[0].message.find("no task left with tags smoke and without smoke"),
            std::string::npos)
      << errors[0].message;
}

}  // namespace
}  // namespace stampede::plan_test
