// A plan's setup and teardown (docs/setup-teardown.md) end to end: the real stampede binary
// against the bundled target, whose /__stats counts each phase's requests apart from the load's.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/agent.h"
#include "support/fixture_plan.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;

// The target's requests per path.
json by_path(const TargetProcess& target) {
  return json::parse(target.get("/__stats").body)["by_path"];
}

std::uint64_t count(const json& paths, const std::string& path) {
  return paths.value(path, std::uint64_t{0});
}

// The fixture plan (support/fixture_plan.h) with these phase paths; `extra` is appended
// (thresholds). The fixture's name has quotes and non-ASCII: the value reaches a JSON check and
// a path, escaped for each.
std::string fixture_plan(const TargetProcess& target, const std::string& setup_path,
                         const std::string& teardown_path, const std::string& extra = "") {
  FixturePlan plan;
  plan.target_url = target.url();
  plan.setup_path = setup_path;
  plan.teardown_path = teardown_path;
  plan.fixture_name = "fixture \\\"one\\\" é";
  return fixture_plan_yaml(plan) + extra;
}

TEST(SetupTeardown, TheSetupsValuesReachEveryUserAndTheTeardownOnce) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run = run_stampede(
      "run", fixture_plan(target, "/api/plans", "/api/plans/{{ setup.plan }}/approve"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const json paths = by_path(target);
  EXPECT_EQ(count(paths, "/api/plans"), 1U) << paths.dump() << ": the setup runs once";
  EXPECT_EQ(count(paths, "/api/plans/1/approve"), 1U) << paths.dump();
  const std::uint64_t reads = row_requests(run.result, "read fixture");
  EXPECT_GT(reads, 30U);
  EXPECT_EQ(count(paths, "/api/plans/1"), reads) << "every user read the setup's fixture";
  const json& read = result_row(run.result, "read fixture");
  EXPECT_EQ(read["checks"][0]["passes"], reads) << read.dump();
  EXPECT_EQ(read["checks"][0]["fails"], 0);

  // The phases' requests are apart from the load's rows and totals.
  EXPECT_EQ(run.result["totals"]["requests"], reads);
  ASSERT_EQ(run.result["requests"].size(), 1U);
  const json& setup = run.result["setup"];
  EXPECT_EQ(setup["ok"], true) << setup.dump();
  ASSERT_EQ(setup["requests"].size(), 1U);
  EXPECT_EQ(setup["requests"][0]["scenario"], "setup");
  EXPECT_EQ(setup["requests"][0]["name"], "create fixture");
  EXPECT_EQ(setup["requests"][0]["requests"], 1);
  EXPECT_EQ(setup["requests"][0]["status_codes"]["201"], 1);
  const json& teardown = run.result["teardown"];
  EXPECT_EQ(teardown["ok"], true) << teardown.dump();
  EXPECT_EQ(teardown["requests"][0]["checks"][0]["passes"], 1);
  // The values may be secrets (tokens): the result holds none of them.
  EXPECT_EQ(run.result.dump().find(R"(fixture \"one)"), std::string::npos) << run.result.dump();
  EXPECT_NE(run.out.find("setup         ok   1 request(s)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("teardown      ok   1 request(s)"), std::string::npos) << run.out;
}

TEST(SetupTeardown, AFailedSetupStartsNoLoadAndNamesTheStep) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run = run_stampede(
      "run", fixture_plan(target, "/api/no-such-route", "/api/plans/{{ setup.plan }}/approve"));
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_NE(run.err.find("the setup failed, so the load did not start: setup.steps[0] (POST "
                         "create fixture): unexpected_status (404)"),
            std::string::npos)
      << run.err;
  const json paths = by_path(target);
  EXPECT_EQ(paths, json({{"/api/no-such-route", 1}})) << "no load and no teardown";
}

TEST(SetupTeardown, AnExtractionThatFindsNothingFailsTheSetup) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  std::string plan = fixture_plan(target, "/api/plans", "/api/plans/{{ setup.plan }}/approve");
  plan.replace(plan.find("{json: /id}"), 11, "{json: /no}");
  const StampedeRun run = run_stampede("run", plan);
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_NE(run.err.find("setup.steps[0] (POST create fixture): extract"), std::string::npos)
      << run.err;
  EXPECT_EQ(count(by_path(target), "/api/plans/1"), 0U);
}

TEST(SetupTeardown, TheTeardownRunsAfterFailedThresholds) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run =
      run_stampede("run", fixture_plan(target, "/api/plans", "/api/plans/{{ setup.plan }}/approve",
                                       "thresholds: {http_reqs: [\"count < 1\"]}\n"));
  EXPECT_EQ(run.exit_code, 99) << run.describe();
  EXPECT_EQ(count(by_path(target), "/api/plans/1/approve"), 1U);
  EXPECT_EQ(run.result["teardown"]["ok"], true);
}

TEST(SetupTeardown, AFailedTeardownIsReportedAndFailsAPassingTest) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run =
      run_stampede("run", fixture_plan(target, "/api/plans", "/api/plans/{{ setup.plan }}/nope"));
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_GT(row_requests(run.result, "read fixture"), 30U) << "the result is still written";
  const json& teardown = run.result["teardown"];
  EXPECT_EQ(teardown["ok"], false);
  EXPECT_EQ(
      teardown["error"],
      "teardown.steps[0] (POST approve fixture): unexpected_status (404), check 'json /status is "
      "approved' failed");
  EXPECT_NE(run.out.find("teardown      FAILED"), std::string::npos) << run.out;
}

// POST `path` until it answers anything but 202 (the phase running); that answer.
HttpResponse await_phase(const AgentProcess& agent, const std::string& path) {
  for (int i = 0; i < 100; ++i) {
    HttpResponse r = agent.post(path);
    if (r.status != 202) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

// What the operator does with two runners: the setup on runner 0, its values to both with the
// start, the teardown on runner 0 once both have finished.
TEST(SetupTeardown, TwoAgentsShareRunnerZerosSetupAndItsTeardownWaitsForTheCall) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan =
      fixture_plan(target, "/api/plans", "/api/plans/{{ setup.plan }}/approve");
  AgentProcess first(plan, {"--segment", "0/2"});
  AgentProcess second(plan, {"--segment", "1/2"});
  ASSERT_TRUE(first.wait_ready()) << first.process().stderr_text();
  ASSERT_TRUE(second.wait_ready()) << second.process().stderr_text();

  EXPECT_EQ(second.post("/v1/start", "{}").status, 409)
      << "a runner of several never runs the setup itself: it needs runner 0's values";
  const HttpResponse setup = await_phase(first, "/v1/setup");
  ASSERT_EQ(setup.status, 200) << setup.body;
  const json answer = json::parse(setup.body);
  EXPECT_EQ(answer["state"], "done");
  EXPECT_EQ(answer["values"], json({{"plan", "1"}, {"plan_name", "fixture \"one\" é"}}));
  EXPECT_EQ(answer["setup"]["requests"][0]["requests"], 1);
  EXPECT_EQ(first.post("/v1/setup").body, setup.body) << "asked again, it answers again";

  const json start = {{"setupValues", answer["values"]}, {"teardownBy", "operator"}};
  ASSERT_EQ(first.post("/v1/start", start.dump()).status, 202);
  ASSERT_EQ(second.post("/v1/start", start.dump()).status, 202);
  ASSERT_TRUE(first.wait_for_state("finished", std::chrono::seconds(15)));
  ASSERT_TRUE(second.wait_for_state("finished", std::chrono::seconds(15)));
  EXPECT_EQ(count(by_path(target), "/api/plans/1/approve"), 0U)
      << "the teardown waits for the operator's call";
  const json first_result = json::parse(first.get("/v1/result").body);
  const json second_result = json::parse(second.get("/v1/result").body);
  EXPECT_EQ(first_result["setup"]["ok"], true) << "runner 0's result holds its setup";
  EXPECT_FALSE(second_result.contains("setup"));
  const HttpResponse not_first = second.post("/v1/teardown");
  EXPECT_EQ(not_first.status, 409) << not_first.body;
  EXPECT_NE(not_first.body.find("runner 0 runs it (this is runner 1 of 2)"), std::string::npos);

  const HttpResponse teardown = await_phase(first, "/v1/teardown");
  ASSERT_EQ(teardown.status, 200) << teardown.body;
  EXPECT_EQ(json::parse(teardown.body)["teardown"]["ok"], true);
  const json paths = by_path(target);
  EXPECT_EQ(count(paths, "/api/plans"), 1U) << paths.dump();
  EXPECT_EQ(count(paths, "/api/plans/1/approve"), 1U) << paths.dump();
  EXPECT_EQ(count(paths, "/api/plans/1"),
            first_result["totals"]["requests"].get<std::uint64_t>() +
                second_result["totals"]["requests"].get<std::uint64_t>())
      << "both runners' users read runner 0's fixture";
  for (AgentProcess* agent : {&first, &second})
    EXPECT_EQ(agent->post("/v1/result/ack").status, 200);
}

TEST(SetupTeardown, AFailedSetupAnswers422WithTheStep) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(fixture_plan(target, "/api/nope", "/api/plans/{{ setup.plan }}/approve"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const HttpResponse setup = await_phase(agent, "/v1/setup");
  EXPECT_EQ(setup.status, 422) << setup.body;
  const json answer = json::parse(setup.body);
  EXPECT_EQ(answer["state"], "failed");
  EXPECT_EQ(answer["error"], "setup.steps[0] (POST create fixture): unexpected_status (404)");
  EXPECT_FALSE(answer.contains("values"));
  const HttpResponse bad = agent.post("/v1/start", R"({"setupValues": {"plan": 1}})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("setupValues.plan must be a string"), std::string::npos) << bad.body;
}

TEST(SetupTeardown, SetupVariablesAreCheckedWhenThePlanLoads) {
  const StampedeRun unknown = run_stampede("validate", R"(
target: http://127.0.0.1:1
load: {users: 1, duration: 1s}
setup:
  steps: [{post: /login, extract: {token: {json: /token}}}]
scenarios:
  - name: s
    steps: [{get: "/items?t={{ setup.tokn }}"}]
)");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.describe();
  EXPECT_NE(unknown.err.find(":8:"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("unknown variable 'setup.tokn' (known: setup.token)"),
            std::string::npos)
      << unknown.err;
  const StampedeRun in_setup = run_stampede("validate", R"(
target: http://127.0.0.1:1
load: {users: 1, duration: 1s}
setup:
  steps:
    - {post: /login, extract: {token: {json: /token}}}
    - {get: "/me?t={{ setup.token }}"}
scenarios: [{name: s, steps: [{get: /}]}]
)");
  EXPECT_EQ(in_setup.exit_code, 2) << "the setup reads its own values as NAME, not setup.NAME";
  EXPECT_NE(in_setup.err.find("unknown variable 'setup.token' (known: token)"), std::string::npos)
      << in_setup.err;
  const StampedeRun keys = run_stampede("validate", R"(
target: http://127.0.0.1:1
load: {users: 1, duration: 1s}
setup: {step: []}
scenarios: [{name: s, steps: [{get: /}]}]
)");
  EXPECT_EQ(keys.exit_code, 2);
  EXPECT_NE(keys.err.find("setup"), std::string::npos) << keys.err;
  EXPECT_NE(keys.err.find("unknown field 'step'"), std::string::npos) << keys.err;
}

}  // namespace
}  // namespace stampede::testing
