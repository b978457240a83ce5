// The scenario language end to end: the real stampede binary runs plans with templates, data,
// chaining, checks and JWT auth against the bundled target, whose /__stats counts must agree
// with the result exactly.

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

nlohmann::json api_stats(const TargetProcess& target) {
  return nlohmann::json::parse(target.get("/__stats").body)["api"];
}

// The JWT tests: a target verifying HS256 with this secret, and the runner given it by env.
const std::string kJwtSecret = "s3cret-for-tests";

TargetProcess jwt_target() {
  return TargetProcess(STAMPEDE_TARGET_BIN, {"--jwt-secret", kJwtSecret});
}

StampedeRun run_with_jwt_secret(const std::string& plan) {
  return run_stampede("run", plan, {}, std::chrono::seconds(60),
                      {{"STAMPEDE_TEST_JWT_SECRET", kJwtSecret}});
}

const nlohmann::json& check(const nlohmann::json& result, const std::string& row,
                            const std::string& name) {
  static const nlohmann::json kNone = nlohmann::json::object();
  // A reference into the result itself: value() would return a temporary copy.
  const nlohmann::json& r = result_row(result, row);
  if (!r.contains("checks")) return kNone;
  for (const auto& c : r["checks"]) {
    if (c["name"] == name) return c;
  }
  return kNone;
}

TEST(ScenarioLanguage, ChainsCreateGetApproveWithExactCounts) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
vars: {prefix: plan}
load: {users: 4, duration: 2s}
scenarios:
  - name: flow
    steps:
      - post: /api/plans
        name: create
        json: {name: "{{ prefix }}-{{ userIndex }}-{{ seq() }}"}
        expect: {status: [201]}
        extract: {plan_id: {json: /id}}
        checks:
          - {json: /status, equals: pending}
          - {name: named after the user, json: /name, matches: '^plan-[0-3]-[0-9]+$'}
      - get: /api/plans/{{ plan_id }}
        name: get
        checks: [{json: /id, equals: "{{ plan_id }}"}]
      - post: /api/plans/{{ plan_id }}/approve
        name: approve
        checks: [{status: 200}]
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto created = row_requests(run.result, "create");
  const auto approved = row_requests(run.result, "approve");
  ASSERT_GT(created, 100U);
  const nlohmann::json api = api_stats(target);
  EXPECT_EQ(api["plans_created"].get<std::uint64_t>(), created);
  EXPECT_EQ(api["plans_approved"].get<std::uint64_t>(), approved);
  EXPECT_EQ(api["approve_conflicts"].get<std::uint64_t>(), 0U) << "every id was fresh";
  EXPECT_EQ(api["not_found"].get<std::uint64_t>(), 0U) << "every GET used a real id";
  // An iteration cut by the end of the load may stop between steps, never skip one.
  EXPECT_LE(created - approved, 4U);
  EXPECT_EQ(check(run.result, "create", "json /status is pending")["passes"], created);
  EXPECT_EQ(check(run.result, "create", "named after the user")["fails"], 0);
  EXPECT_EQ(check(run.result, "get", "json /id is {{ plan_id }}")["fails"], 0);
  EXPECT_EQ(check(run.result, "approve", "status is 200")["passes"], approved);
}

TEST(ScenarioLanguage, AFailedExtractionEndsTheIteration) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 2, duration: 1s}
scenarios:
  - name: s
    wait: constant(5ms)
    steps:
      - get: /health
        name: health
        extract: {missing: {json: /no/such/field}}
      - get: /api/plans/{{ missing }}
        name: never
)");
  ASSERT_NE(run.result, nullptr) << run.describe();
  const auto& health = result_row(run.result, "health");
  EXPECT_GT(health["requests"].get<std::uint64_t>(), 10U);
  EXPECT_EQ(health["failures"], health["requests"]);
  EXPECT_EQ(health["errors"]["extract"], health["requests"]);
  EXPECT_EQ(row_requests(run.result, "never"), 0U);
}

TEST(ScenarioLanguage, SignsJwtsThatTheTargetAccepts) {
  TargetProcess target = jwt_target();
  const std::string plan = R"(
target: )" + target.url() + R"(
data:
  users:
    values: [{name: alice, role: admin}, {name: bob, role: viewer}]
    order: unique
load: {users: 2, duration: 1s}
scenarios:
  - name: s
    wait: constant(2ms)
    auth:
      jwt:
        secret: {env: STAMPEDE_TEST_JWT_SECRET}
        claims: {sub: "{{ users.name }}", role: "{{ users.role }}"}
        expiresIn: 5m
    steps:
      - get: /api/secure
        name: secure
        checks: [{json: /sub, equals: "{{ users.name }}"}]
      - get: /api/secure/admin
        name: admin
        expect: {status: [200, 403]}
        checks: [{name: only admins, status: 200}]
)";
  const auto run = run_with_jwt_secret(plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto secure = row_requests(run.result, "secure");
  const auto admin = row_requests(run.result, "admin");
  const nlohmann::json api = api_stats(target);
  EXPECT_EQ(api["jwt_rejected"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(api["jwt_accepted"].get<std::uint64_t>() + api["jwt_forbidden"].get<std::uint64_t>(),
            secure + admin);
  EXPECT_EQ(check(run.result, "secure", "json /sub is {{ users.name }}")["fails"], 0);
  // One user is alice (admin), the other bob (viewer): about half the admin calls pass.
  const auto passes = check(run.result, "admin", "only admins")["passes"].get<std::uint64_t>();
  const auto fails = check(run.result, "admin", "only admins")["fails"].get<std::uint64_t>();
  EXPECT_EQ(passes + fails, admin);
  EXPECT_EQ(api["jwt_forbidden"].get<std::uint64_t>(), fails);
  EXPECT_GT(passes, 0U);
  EXPECT_GT(fails, 0U);

  // The wrong secret: every request is refused, and counted as a failure.
  const auto wrong = run_stampede("run", plan, {}, std::chrono::seconds(60),
                                  {{"STAMPEDE_TEST_JWT_SECRET", "not-the-secret"}});
  EXPECT_EQ(row_requests(wrong.result, "secure"),
            result_row(wrong.result, "secure")["failures"].get<std::uint64_t>());
  EXPECT_EQ(result_row(wrong.result, "secure")["errors"]["unexpected_status"],
            result_row(wrong.result, "secure")["requests"]);
}

TEST(ScenarioLanguage, NoJwtIsSentAtOrAfterItsExpiry) {
  // iat and exp are whole seconds. Tokens living 3 s, re-signed over more than two lifetimes by
  // 4 users at ~100 requests/s each: a token sent in the last moments of its life (or after)
  // would be refused by the target's verifier.
  TargetProcess target = jwt_target();
  const std::string plan = R"(
target: )" + target.url() + R"(
load: {users: 4, duration: 8s}
scenarios:
  - name: s
    wait: constant(10ms)
    auth:
      jwt:
        secret: {env: STAMPEDE_TEST_JWT_SECRET}
        claims: {sub: tester}
        expiresIn: 3s
    steps:
      - get: /api/secure
        name: secure
)";
  const auto run = run_with_jwt_secret(plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto secure = row_requests(run.result, "secure");
  EXPECT_GT(secure, 1000U);
  const nlohmann::json api = api_stats(target);
  EXPECT_EQ(api["jwt_rejected"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(api["jwt_accepted"].get<std::uint64_t>(), secure);
  EXPECT_EQ(result_row(run.result, "secure")["failures"], 0) << run.result["status_codes"].dump();
}

TEST(ScenarioLanguage, AQueuedArrivalDoesNotSendAnExpiredJwt) {
  // One user at 20 arrivals/s; a 1.5 s stall of the target queues the arrivals, which then start
  // up to 1.5 s after their scheduled instant: the token check must use the time they start.
  TargetProcess target = jwt_target();
  const std::string plan = R"(
target: )" + target.url() + R"(
load: {rate: 20, duration: 7s, maxInFlight: 1, preAllocatedUsers: 1, maxQueued: 1000}
scenarios:
  - name: s
    auth:
      jwt:
        secret: {env: STAMPEDE_TEST_JWT_SECRET}
        claims: {sub: tester}
        expiresIn: 2s
    steps:
      - get: /api/secure
        name: secure
)";
  std::thread stalls([&] {
    for (const int at_ms : {1000, 2000, 2000}) {  // stalls from 1 s, 3 s and 5 s
      std::this_thread::sleep_for(std::chrono::milliseconds(at_ms));
      target.post("/__stall?seconds=1.5");
    }
  });
  const auto run = run_with_jwt_secret(plan);
  stalls.join();
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto secure = row_requests(run.result, "secure");
  EXPECT_EQ(secure, 140U);
  EXPECT_EQ(api_stats(target)["jwt_rejected"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(result_row(run.result, "secure")["failures"], 0) << run.result["status_codes"].dump();
}

TEST(ScenarioLanguage, ARetriedRequestCarriesAFreshJwt) {
  // A retry resends the rendered request after its wait. Retrying every 200 up to 4 times with
  // waits up to 1 s keeps one step going for seconds, longer than the 2 s tokens live.
  TargetProcess target = jwt_target();
  const std::string plan = R"(
target: )" + target.url() + R"(
load: {users: 2, duration: 6s}
scenarios:
  - name: s
    auth:
      jwt:
        secret: {env: STAMPEDE_TEST_JWT_SECRET}
        claims: {sub: tester}
        expiresIn: 2s
    steps:
      - get: /api/secure
        name: secure
        retry: {statuses: [200], max: 4, backoff: {initial: 1s, max: 1s, multiplier: 1}}
)";
  const auto run = run_with_jwt_secret(plan);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& row = result_row(run.result, "secure");
  EXPECT_GT(row["retries"].get<std::uint64_t>(), 8U);
  EXPECT_EQ(api_stats(target)["jwt_rejected"].get<std::uint64_t>(), 0U);
  EXPECT_EQ(row["failures"], 0) << run.result["status_codes"].dump();
}

TEST(ScenarioLanguage, AMissingSecretIsAnInputError) {
  const auto run = run_stampede("validate", R"(
target: http://127.0.0.1:1
load: {users: 1, duration: 1s}
scenarios:
  - name: s
    auth: {jwt: {secret: {env: STAMPEDE_TEST_SURELY_UNSET}}}
    steps: [{get: /}]
)");
  EXPECT_EQ(run.exit_code, 2) << run.describe();
  EXPECT_NE(run.err.find("scenarios[0].auth.jwt.secret.env"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("STAMPEDE_TEST_SURELY_UNSET is not set"), std::string::npos) << run.err;
}

TEST(ScenarioLanguage, BasicAndBearerHeadersAreSent) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 1, duration: 1s}
scenarios:
  - name: s
    wait: constant(10ms)
    steps:
      - get: /headers
        name: basic
        auth: {basic: {username: aladdin, password: opensesame}}
        checks: [{body: true, contains: "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}]
      - get: /headers
        name: bearer
        auth: {bearer: "tok-{{ userIndex }}"}
        checks: [{body: true, contains: "Bearer tok-0"}]
)");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  EXPECT_EQ(check(run.result, "basic", "body contains 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'")["fails"],
            0);
  EXPECT_GT(check(run.result, "bearer", "body contains 'Bearer tok-0'")["passes"], 0);
  EXPECT_EQ(check(run.result, "bearer", "body contains 'Bearer tok-0'")["fails"], 0);
}

TEST(ScenarioLanguage, RetriesHonourRetryAfterAndAreCountedApart) {
  TargetProcess target(STAMPEDE_TARGET_BIN, {"--rate-limit", "20"});
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
load: {users: 5, duration: 3s}
scenarios:
  - name: s
    steps:
      - get: /api/limited
        name: limited
        retry: {statuses: [429], max: 5, backoff: {initial: 50ms, max: 2s}}
)");
  ASSERT_NE(run.result, nullptr) << run.describe();
  const auto& row = result_row(run.result, "limited");
  const nlohmann::json api = api_stats(target);
  const std::uint64_t retries = row["retries"].get<std::uint64_t>();
  std::uint64_t final_429 = 0;
  std::uint64_t ok = 0;
  for (const auto& [status, count] : row["status_codes"].items()) {
    if (status == "429") final_429 = count.get<std::uint64_t>();
    if (status == "200") ok = count.get<std::uint64_t>();
  }
  EXPECT_GT(retries, 0U) << row.dump();
  // Every 429 the server sent was either retried or is the final answer of a request.
  EXPECT_EQ(api["limited_rejected"].get<std::uint64_t>(), retries + final_429) << row.dump();
  EXPECT_EQ(api["limited_accepted"].get<std::uint64_t>(), ok);
  // Honouring Retry-After (1 s) keeps the clients near the allowed 20/s: 3 s plus the burst.
  EXPECT_LE(ok, 20U * 3U + 20U + 5U);
  EXPECT_GE(ok, 20U * 2U);
}

TEST(ScenarioLanguage, CustomMetricsAndStagesMatchTheServer) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"yaml(
target: )yaml" + target.url() + R"yaml(
load:
  stages:
    - {duration: 1s, users: 2, name: warmup}
    - {duration: 1s, users: 4, name: spike}
scenarios:
  - name: chat
    wait: constant(5ms)
    steps:
      - post: /api/chat
        name: chat
        json: {user_id: "user_{{ randomInt(1, 100) }}", agent_id: a, task: t}
        metrics:
          - {name: provider_latency, trend: {header: X-Provider-Latency-Ms}, unit: ms, by: {header: X-Provider}}
          - {name: provider_requests, counter: {json: /provider}}
thresholds:
  "http_req_duration{stage:spike}": ["p(95) < 1000 * stage(warmup).p(95)"]
  "provider_latency{value:groq}": ["p(95) < 200ms", "p(95) > 170ms"]
  "provider_requests{value:gemini}": ["count > 0"]
)yaml");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const nlohmann::json api = api_stats(target);
  std::map<std::string, std::uint64_t> counted;
  std::map<std::string, double> p95;
  for (const auto& metric : run.result["custom"]) {
    for (const auto& v : metric["values"]) {
      if (metric["name"] == "provider_requests") counted[v["value"]] = v["count"];
      if (metric["name"] == "provider_latency") p95[v["value"]] = v["stats"]["p95"];
    }
  }
  for (const char* provider : {"groq", "gemini", "openrouter", "cerebras"}) {
    EXPECT_EQ(counted[provider], api["chat_by_provider"][provider].get<std::uint64_t>())
        << provider;
  }
  EXPECT_NEAR(p95["groq"], 180.0, 0.5) << "the target's fixed per-provider figure, in ms";
  EXPECT_NEAR(p95["openrouter"], 900.0, 1.0);
  std::uint64_t in_stages = 0;
  ASSERT_EQ(run.result["stages"].size(), 2U);
  for (const auto& stage : run.result["stages"]) {
    EXPECT_GT(stage["requests"].get<std::uint64_t>(), 0U) << stage["name"];
    EXPECT_NEAR(stage["duration_seconds"].get<double>(), 1.0, 0.05) << stage["name"];
    in_stages += stage["requests"].get<std::uint64_t>();
  }
  // Requests started after the last stage (during the graceful stop) belong to no stage.
  EXPECT_LE(in_stages, row_requests(run.result, "chat"));
  EXPECT_GE(in_stages + 8, row_requests(run.result, "chat"));
}

TEST(ScenarioLanguage, TagsSelectTasksAsInLocust) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan = R"(
target: )" + target.url() + R"(
load: {users: 2, duration: 1s}
scenarios:
  - name: s
    wait: constant(5ms)
    tasks:
      - {name: health, tags: [smoke], steps: [{get: /health, name: health}]}
      - {name: plans, tags: [write], steps: [{post: /api/plans, name: create, json: {name: x}}]}
)";
  const auto smoke = run_stampede("run", plan, {"--tags", "smoke"});
  ASSERT_EQ(smoke.exit_code, 0) << smoke.describe();
  EXPECT_GT(row_requests(smoke.result, "health"), 0U);
  EXPECT_EQ(row_requests(smoke.result, "create"), 0U);
  EXPECT_EQ(api_stats(target)["plans_created"], 0);
  const auto no_smoke = run_stampede("run", plan, {"--exclude-tags", "smoke"});
  ASSERT_EQ(no_smoke.exit_code, 0) << no_smoke.describe();
  EXPECT_EQ(row_requests(no_smoke.result, "health"), 0U);
  EXPECT_EQ(api_stats(target)["plans_created"].get<std::uint64_t>(),
            row_requests(no_smoke.result, "create"));
  const auto nothing = run_stampede("run", plan, {"--tags", "nope"});
  EXPECT_EQ(nothing.exit_code, 2) << nothing.describe();
  EXPECT_NE(nothing.err.find("--tags: no task left with tags nope"), std::string::npos)
      << nothing.err;
}

TEST(ScenarioLanguage, SequentialDataIsHandedOutInOrder) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", R"(
target: )" + target.url() + R"(
data:
  names: {values: [a, b, c], order: sequential}
load: {users: 1, duration: 1s}
scenarios:
  - name: s
    wait: constant(25ms)
    steps:
      - post: /api/plans
        json: {name: "{{ names.value }}-{{ iteration }}"}
        extract: {name: {json: /name}}
        checks:
          - {name: row follows iteration, json: /name, matches: '^(a-(0|3|6|9|12|15|18|21|24|27|30|33|36|39|42|45|48))|(b-(1|4|7|10|13|16|19|22|25|28|31|34|37|40|43|46|49))|(c-(2|5|8|11|14|17|20|23|26|29|32|35|38|41|44|47))$'}
)",
                                {"--threads", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& c = check(run.result, "/api/plans", "row follows iteration");
  EXPECT_GT(c["passes"].get<std::uint64_t>(), 10U);
  EXPECT_EQ(c["fails"], 0);
}

}  // namespace
}  // namespace stampede::testing
