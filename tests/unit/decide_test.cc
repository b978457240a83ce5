// The controller's pure decide function: each phase transition from observed state.
#include "controller/decide.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/rfc3339.h"
#include "controller/children.h"
#include "controller/conditions.h"
#include "controller/saturation.h"
#include "loadtest_fixture.h"

namespace stampede::op {
namespace {

using std::chrono::seconds;

TEST(Decide, ANewTestIsSizedAndLaunched) {
  const Decision d = decide(observed(manifest()));
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_EQ(d.status["runners"]["desired"], 3) << "25 users, at most 10 per runner";
  EXPECT_EQ(d.status["testid"], "demo-0a1b2c");
  EXPECT_EQ(d.status["observedGeneration"], 2);
  EXPECT_EQ(count(d, Action::Kind::kCreateSecret), 1u);
  EXPECT_EQ(count(d, Action::Kind::kCreatePlanConfigMap), 1u);
  ASSERT_EQ(count(d, Action::Kind::kCreatePod), 3u);
  EXPECT_EQ(condition_status(d.status, kRunnersReady), "False");
}

// kstatus's conditions, which Flux reads: in progress while the test runs, ready once it
// passed, stalled once it failed; each following the phase.
TEST(Decide, HealthConditionsFollowThePhase) {
  const Decision starting = decide(observed(manifest()));
  EXPECT_EQ(condition_status(starting.status, kReconciling), "True");
  EXPECT_EQ(condition_status(starting.status, kReady), "False");
  EXPECT_EQ(condition_status(starting.status, kStalled), "False");

  const Decision invalid = decide(observed(manifest({{"load", {{"users", -3}}}})));
  EXPECT_EQ(condition_status(invalid.status, kReconciling), "False");
  EXPECT_EQ(condition_status(invalid.status, kReady), "False");
  EXPECT_EQ(condition_status(invalid.status, kStalled), "True");
  for (const auto& c : invalid.status["conditions"]) {
    if (c["type"] == kStalled) {
      EXPECT_EQ(c["reason"], "InvalidSpec");
    }
  }

  Observed running = observed(manifest({}, status_in(kPhaseRunning, 2)));
  Result merged = result_of(100, 10);
  const nlohmann::json passed = finished_status(running, merged, "demo-result");
  EXPECT_EQ(condition_status(passed, kReconciling), "False");
  EXPECT_EQ(condition_status(passed, kReady), "True");
  EXPECT_EQ(condition_status(passed, kStalled), "False");
  merged.thresholds.push_back({"http_req_failed", "rate < 0.01", 0.05, false, false});
  const nlohmann::json failed = finished_status(running, merged, "demo-result");
  EXPECT_EQ(condition_status(failed, kReady), "False");
  EXPECT_EQ(condition_status(failed, kStalled), "True");
}

TEST(Decide, AnExplicitCountWins) {
  const Decision d = decide(observed(manifest({{"runners", {{"count", 2}}}})));
  EXPECT_EQ(d.status["runners"]["desired"], 2);
}

// The spec names a profile instead of a load: the `load` profile's 50 users size the runners.
TEST(Decide, AProfileSizesTheRunners) {
  const nlohmann::json object = manifest({{"load", nullptr}, {"profile", "load"}});
  ASSERT_FALSE(object["spec"].contains("load"));
  const LoadTest lt = read_loadtest(object, OperatorDefaults{});
  SourceErrors errors;
  const std::optional<Plan> plan = plan_of(lt, &errors);
  ASSERT_TRUE(plan) << (errors.empty() ? "" : errors[0].format("spec"));
  EXPECT_EQ(std::get<ClosedModel>(plan->load.model).users, 50u);
  EXPECT_EQ(plan->load.duration(), std::chrono::minutes(10));
  EXPECT_EQ(plan->thresholds.size(), 1u) << "the spec's own thresholds win over the profile's";

  const Decision d = decide(observed(object));
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_EQ(d.status["runners"]["desired"], 5) << "50 users, at most 10 per runner";
  EXPECT_EQ(count(d, Action::Kind::kCreatePod), 5u);
}

TEST(Decide, AnUnknownProfileFailsWithTheKnownNames) {
  const Decision d = decide(observed(manifest({{"load", nullptr}, {"profile", "heavy"}})));
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  const std::string message = d.status["message"].get<std::string>();
  EXPECT_NE(message.find("spec.profile: unknown profile 'heavy' (known: load,"), std::string::npos)
      << message;
}

TEST(Decide, AnInvalidPlanFailsWithTheFieldPath) {
  const Decision d = decide(observed(manifest({{"load", {{"users", -3}}}})));
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "InvalidSpec");
  EXPECT_NE(d.status["message"].get<std::string>().find("load.users"), std::string::npos)
      << d.status["message"];
  EXPECT_TRUE(d.actions.empty());
}

// A spec that stopped parsing after the start (edited, or the operator's built-in profiles
// changed) is terminal: Failed with InvalidSpec and the field path, no retry, no requeue.
TEST(Decide, ASpecThatNoLongerParsesIsTerminal) {
  for (const char* phase : {kPhaseStarting, kPhaseRunning}) {
    SCOPED_TRACE(phase);
    Observed o = observed(manifest({{"load", {{"users", -3}}}}, status_in(phase, 2)));
    ASSERT_FALSE(o.plan.has_value());
    o.plan_config_map = true;
    o.runners = {pod(0, true), pod(1, true)};
    for (auto& r : o.runners) r.status = nlohmann::json{{"state", "finished"}};
    const Decision d = decide(o);
    EXPECT_EQ(d.status["phase"], kPhaseFailed);
    EXPECT_EQ(d.status["reason"], "InvalidSpec");
    const std::string message = d.status.value("message", "");
    EXPECT_NE(message.find("spec.load.users"), std::string::npos) << message;
    EXPECT_EQ(condition_status(d.status, kCompleted), "True");
    bool reason_in_condition = false;
    for (const auto& c : d.status["conditions"]) {
      if (c["type"] == kCompleted) reason_in_condition = c["reason"] == "InvalidSpec";
    }
    EXPECT_TRUE(reason_in_condition) << d.status.dump(2);
    EXPECT_EQ(count(d, Action::Kind::kCollectResults), 0u) << "it would fail and be retried";
    EXPECT_EQ(count(d, Action::Kind::kCreatePod), 0u);
    EXPECT_EQ(count(d, Action::Kind::kStopRunners), 1u) << "runners still up are stopped";
    EXPECT_FALSE(d.requeue_after.has_value());
    // Once Failed it stays so: the next reconcile (same generation) does nothing more.
    Observed after = observed(manifest({{"load", {{"users", -3}}}}, d.status));
    const Decision again = decide(after);
    EXPECT_EQ(again.status, d.status);
    EXPECT_FALSE(again.requeue_after.has_value());
    EXPECT_TRUE(again.actions.empty());
  }
}

TEST(Decide, StartsEveryRunnerAtOnceWhenAllAreReady) {
  Observed o = observed(manifest({}, status_in(kPhaseStarting, 3)));
  o.plan_config_map = true;
  o.runners = {pod(0, true), pod(1, true), pod(2, false)};
  Decision d = decide(o);
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_EQ(d.status["runners"]["ready"], 2);
  EXPECT_EQ(count(d, Action::Kind::kStartRunners), 0u);
  EXPECT_EQ(count(d, Action::Kind::kCreatePod), 0u);

  o.runners[2] = pod(2, true);
  d = decide(o, {seconds(3), std::chrono::milliseconds(3000)});
  EXPECT_EQ(d.status["phase"], kPhaseRunning);
  ASSERT_EQ(count(d, Action::Kind::kStartRunners), 1u);
  EXPECT_EQ(d.actions[0].start_at, kNow + seconds(3));
  EXPECT_EQ(d.status["startTime"], "2026-11-22T12:00:03.000Z");
  EXPECT_EQ(condition_status(d.status, kRunnersReady), "True");
  EXPECT_EQ(condition_status(d.status, kRunning), "True");
}

TEST(Decide, AMissingRunnerPodIsRecreatedWhileStarting) {
  Observed o = observed(manifest({}, status_in(kPhaseStarting, 3)));
  o.plan_config_map = true;
  o.runners = {pod(0, true), pod(2, true)};
  const Decision d = decide(o);
  ASSERT_EQ(count(d, Action::Kind::kCreatePod), 1u);
  for (const Action& a : d.actions) {
    if (a.kind == Action::Kind::kCreatePod) {
      EXPECT_EQ(a.index, 1u);
    }
  }
}

TEST(Decide, StartingPollsAtTheConfiguredInterval) {
  Observed o = observed(manifest({}, status_in(kPhaseStarting, 2)));
  o.plan_config_map = true;
  o.runners = {pod(0, true), pod(1, false)};
  const Decision d = decide(o, {seconds(3), std::chrono::milliseconds(700)});
  EXPECT_EQ(d.status["phase"], kPhaseStarting) << d.status.dump(2);
  ASSERT_TRUE(d.requeue_after.has_value());
  EXPECT_EQ(*d.requeue_after, std::chrono::milliseconds(700));
}

TEST(Decide, TheTokenSecretIsCreatedAgainOnlyWhenAPodMissesIt) {
  Observed o = observed(manifest({}, status_in(kPhaseStarting, 2)));
  o.plan_config_map = true;
  o.runners = {pod(0, true), pod(1, false, "Pending")};
  EXPECT_EQ(count(decide(o), Action::Kind::kCreateSecret), 0u);
  o.runners[1].problem = "CreateContainerConfigError: secret \"demo-control\" not found";
  EXPECT_EQ(count(decide(o), Action::Kind::kCreateSecret), 1u);
}

TEST(Decide, NotReadyInTimeFailsWithThePodsReasons) {
  nlohmann::json status = status_in(kPhaseStarting, 2);
  status["startingSince"] = "2026-11-22T11:50:00Z";
  Observed o = observed(manifest({{"startTimeoutSeconds", 60}}, status));
  o.runners = {pod(0, true), pod(1, false, "Pending")};
  o.runners[1].problem = "ImagePullBackOff: Back-off pulling image \"nope\"";
  const Decision d = decide(o);
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "RunnersNotReady");
  EXPECT_NE(d.status["message"].get<std::string>().find("demo-runner-1: ImagePullBackOff"),
            std::string::npos)
      << d.status["message"];
  EXPECT_EQ(count(d, Action::Kind::kStopRunners), 1u);
}

TEST(Decide, ARunnerThatDiesWhileRunningDegradesAndFailsTheTest) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  o.runners = {pod(0, true), pod(1, false, "Failed")};
  o.runners[0].status = nlohmann::json{{"state", "running"}, {"users", 5}};
  o.runners[1].terminated = true;
  o.runners[1].exit_code = 137;
  o.runners[1].problem = "OOMKilled: exit code 137";
  const Decision d = decide(o);
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "RunnerFailed");
  EXPECT_EQ(condition_status(d.status, kDegraded), "True");
  EXPECT_NE(d.status["message"].get<std::string>().find("OOMKilled"), std::string::npos);
  EXPECT_EQ(count(d, Action::Kind::kStopRunners), 1u);
}

TEST(Decide, ProgressSumsTheRunnersWhileRunning) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[0].status = nlohmann::json{{"state", "running"},
                                       {"users", 5},
                                       {"rps", 100.0},
                                       {"requests", 1000},
                                       {"failures", 2},
                                       {"elapsed_seconds", 10.0},
                                       {"latency_seconds", {{"p95", 0.020}}}};
  o.runners[1].status = nlohmann::json{{"state", "running"},
                                       {"users", 4},
                                       {"rps", 90.0},
                                       {"requests", 900},
                                       {"failures", 1},
                                       {"elapsed_seconds", 10.0},
                                       {"latency_seconds", {{"p95", 0.030}}}};
  const Decision d = decide(o);
  EXPECT_EQ(d.status["phase"], kPhaseRunning);
  EXPECT_EQ(d.status["progress"]["users"], 9);
  EXPECT_EQ(d.status["progress"]["rps"], 190);
  EXPECT_EQ(d.status["progress"]["requests"], 1900);
  EXPECT_EQ(d.status["progress"]["failures"], 3);
  EXPECT_DOUBLE_EQ(d.status["progress"]["p95Seconds"].get<double>(), 0.030);
  EXPECT_TRUE(d.requeue_after.has_value());
  EXPECT_TRUE(d.actions.empty());
}

// A runner whose own CPU or event loop was saturated measured its queueing along with the
// target's latency: the LoadTest says so in a condition, and an Event when it first happens.
TEST(Decide, ARunnerReportingSaturationSetsTheConditionAndOneEvent) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[0].status = nlohmann::json{
      {"state", "running"}, {"runner", "0/2"}, {"generator", {{"saturated_seconds", 0.0}}}};
  o.runners[1].status = nlohmann::json{{"state", "running"}, {"runner", "1/2"}};
  const Decision calm = decide(o);
  EXPECT_EQ(condition_status(calm.status, kLoadGeneratorSaturated), "False");

  o.runners[1].status = nlohmann::json{
      {"state", "running"},
      {"runner", "1/2"},
      {"generator", {{"saturated", true}, {"saturated_seconds", 4.0}, {"cause", "cpu"}}}};
  o.lt.status = calm.status;
  const Decision hot = decide(o);
  EXPECT_EQ(condition_status(hot.status, kLoadGeneratorSaturated), "True");
  const auto event = std::find_if(hot.events.begin(), hot.events.end(), [](const Event& e) {
    return e.reason == kLoadGeneratorSaturated;
  });
  ASSERT_NE(event, hot.events.end());
  EXPECT_EQ(event->type, "Warning");
  EXPECT_NE(event->message.find("runner 1/2: 4s saturated (cpu)"), std::string::npos)
      << event->message;

  o.lt.status = hot.status;
  const Decision still = decide(o);
  EXPECT_EQ(condition_status(still.status, kLoadGeneratorSaturated), "True");
  EXPECT_TRUE(std::none_of(still.events.begin(), still.events.end(),
                           [](const Event& e) { return e.reason == kLoadGeneratorSaturated; }));
}

TEST(Decide, ARunnerThatStartedLateDegradesTheTestAndSaysHowLate) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[0].status = nlohmann::json{{"state", "running"}, {"started_late_seconds", 0.0}};
  o.runners[1].status = nlohmann::json{{"state", "running"}};
  Decision d = decide(o);
  EXPECT_FALSE(d.status["runners"].contains("startedLateSeconds"));
  EXPECT_EQ(condition_status(d.status, kDegraded), "") << "on time: nothing to say";
  o.runners[1].status = nlohmann::json{{"state", "running"}, {"started_late_seconds", 0.04}};
  d = decide(o);
  EXPECT_DOUBLE_EQ(d.status["runners"]["startedLateSeconds"].get<double>(), 0.04);
  EXPECT_EQ(condition_status(d.status, kDegraded), "") << "40 ms late is within the tolerance";
  o.runners[1].status = nlohmann::json{{"state", "running"}, {"started_late_seconds", 2.25}};
  d = decide(o);
  EXPECT_EQ(d.status["phase"], kPhaseRunning) << "late, not failed";
  EXPECT_DOUBLE_EQ(d.status["runners"]["startedLateSeconds"].get<double>(), 2.25);
  EXPECT_EQ(condition_status(d.status, kDegraded), "True");
  for (const auto& c : d.status["conditions"]) {
    if (c["type"] != kDegraded) continue;
    EXPECT_EQ(c["reason"], "LateStart");
    EXPECT_NE(c["message"].get<std::string>().find("demo-runner-1 started 2.250s"),
              std::string::npos)
        << c["message"];
  }
  // The final status keeps it, also when the last polls no longer reach that runner.
  Observed later = observed(manifest({}, d.status));
  later.runners = {pod(0, true)};
  later.runners[0].status = nlohmann::json{{"state", "finished"}};
  const nlohmann::json final_status = finished_status(later, Result{}, "demo-result");
  EXPECT_DOUBLE_EQ(final_status["runners"]["startedLateSeconds"].get<double>(), 2.25);
  EXPECT_EQ(condition_status(final_status, kDegraded), "True");
}

TEST(Decide, RepeatsTheStartWithTheRecordedInstantForARunnerStillWaiting) {
  nlohmann::json status = status_in(kPhaseRunning, 2);
  status["startTime"] = "2026-11-22T11:59:58.500Z";
  Observed o = observed(manifest({}, status));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[0].status = nlohmann::json{{"state", "running"}};
  o.runners[1].status = nlohmann::json{{"state", "waiting"}};
  const Decision d = decide(o);
  ASSERT_EQ(count(d, Action::Kind::kStartRunners), 1u);
  EXPECT_EQ(format_rfc3339(d.actions[0].start_at), "2026-11-22T11:59:58.500Z");
}

TEST(Decide, CollectsResultsWhenEveryRunnerHasFinished) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[0].status = nlohmann::json{{"state", "finished"}};
  o.runners[1].status = nlohmann::json{{"state", "stopping"}};
  EXPECT_EQ(count(decide(o), Action::Kind::kCollectResults), 0u);
  o.runners[1].status = nlohmann::json{{"state", "finished"}};
  const Decision d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kCollectResults), 1u);
  // The runners are told the result is stored only after the status is written.
  ASSERT_EQ(count(d, Action::Kind::kAcknowledgeResults), 1u);
  EXPECT_EQ(d.actions.back().kind, Action::Kind::kAcknowledgeResults);
}

// A plan with a setup and a teardown (docs/setup-teardown.md).
nlohmann::json with_phases() {
  return {
      {"setup", {{"steps", {{{"post", "/login"}, {"extract", {{"token", {{"json", "/t"}}}}}}}}}},
      {"teardown", {{"steps", {{{"post", "/logout"}}}}}}};
}

TEST(Decide, TheSetupRunsOnRunnerZeroBeforeTheStart) {
  Observed o = observed(manifest(with_phases(), status_in(kPhaseStarting, 3)));
  ASSERT_TRUE(o.plan && o.plan->setup) << plan_errors_text(o);
  o.plan_config_map = true;
  o.runners = {pod(0, true), pod(1, true), pod(2, true)};
  Decision d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kRunSetup), 1u);
  EXPECT_EQ(count(d, Action::Kind::kStartRunners), 0u) << "not before the setup succeeded";
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_EQ(d.requeue_after, std::chrono::milliseconds(500));

  o.lt.status["setup"] = {{"phase", "Running"}};
  EXPECT_EQ(count(decide(o), Action::Kind::kRunSetup), 1u) << "asked again until it is over";
  o.lt.status["setup"] = {{"phase", "Succeeded"}, {"requests", 1}};
  d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kRunSetup), 0u);
  EXPECT_EQ(count(d, Action::Kind::kStartRunners), 1u);
  EXPECT_EQ(d.status["phase"], kPhaseRunning);

  o.lt.status["setup"] = {{"phase", "Failed"}, {"message", "setup.steps[0] (POST /login): reset"}};
  d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kStartRunners), 0u);
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "SetupFailed");
  EXPECT_EQ(d.status["message"],
            "the setup failed, so the load did not start: setup.steps[0] (POST /login): reset");
}

TEST(Decide, TheTeardownRunsBeforeTheResultsAreCollected) {
  Observed o = observed(manifest(with_phases(), status_in(kPhaseRunning, 2)));
  o.lt.status["setup"] = {{"phase", "Succeeded"}};
  o.runners = {pod(0, true), pod(1, true)};
  for (auto& r : o.runners) r.status = nlohmann::json{{"state", "finished"}};
  Decision d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kRunTeardown), 1u);
  EXPECT_EQ(count(d, Action::Kind::kCollectResults), 0u);
  EXPECT_EQ(count(d, Action::Kind::kAcknowledgeResults), 0u) << "runner 0 must not exit yet";
  for (const char* over : {"Succeeded", "Failed"}) {
    o.lt.status["teardown"] = {{"phase", over}};
    d = decide(o);
    EXPECT_EQ(count(d, Action::Kind::kRunTeardown), 0u) << over;
    EXPECT_EQ(count(d, Action::Kind::kCollectResults), 1u) << over;
  }
}

TEST(FinishedStatus, AFailedTeardownFailsAPassingTest) {
  Observed o = observed(manifest(with_phases(), status_in(kPhaseRunning, 1)));
  o.lt.status["teardown"] = {{"phase", "Failed"},
                             {"message",
                              "teardown.steps[0] (POST /logout): "
                              "unexpected_status (500)"}};
  Result merged = result_of(100, 10);
  judge_thresholds(o.plan->thresholds, merged);
  const nlohmann::json status = finished_status(o, merged, "demo-1-result");
  EXPECT_EQ(status["phase"], kPhaseFailed);
  EXPECT_EQ(status["reason"], "TeardownFailed");
  EXPECT_EQ(status["results"]["thresholdsPassed"], true);
  EXPECT_NE(status["message"].get<std::string>().find(
                "; the teardown failed: teardown.steps[0] (POST /logout): unexpected_status (500)"),
            std::string::npos)
      << status["message"];
}

TEST(FinishedStatus, CarriesWhatEachLimitDidOnlyWhenThePlanHasLimits) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  Result merged = result_of(100, 10);
  EXPECT_FALSE(finished_status(o, merged, "demo-result")["results"].contains("limits"));
  LimitStats& limit = merged.limits.emplace_back();
  limit.selector = "http_reqs{scenario:groq}";
  limit.adaptive = true;
  limit.rate = 38.5;
  limit.requests = 400;
  limit.decreases = 3;
  const nlohmann::json status = finished_status(o, merged, "demo-result");
  ASSERT_EQ(status["results"]["limits"].size(), 1u);
  EXPECT_EQ(status["results"]["limits"][0], limit.to_json());
}

TEST(FinishedStatus, CarriesEachRunnersGeneratorAndItsSaturation) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  Result merged = result_of(100, 10);
  GeneratorStats& calm = merged.generators.emplace_back();
  calm.runner = "0/2";
  calm.memory_baseline_bytes = 100;
  calm.memory_final_bytes = 40;
  nlohmann::json status = finished_status(o, merged, "demo-result");
  ASSERT_EQ(status["results"]["generators"].size(), 1u);
  EXPECT_EQ(status["results"]["generators"][0]["memoryGrowthBytes"], -60);
  EXPECT_EQ(condition_status(status, kLoadGeneratorSaturated), "False");

  GeneratorStats& hot = merged.generators.emplace_back();
  hot.runner = "1/2";
  hot.saturated_seconds_total = 2;
  hot.saturated.push_back({3, 5, false, true, 0.4, 0.2});
  status = finished_status(o, merged, "demo-result");
  EXPECT_EQ(condition_status(status, kLoadGeneratorSaturated), "True");
  EXPECT_EQ(status["results"]["generators"][1]["saturatedSeconds"], 2.0);
  for (const auto& c : status["conditions"]) {
    if (c["type"] != kLoadGeneratorSaturated) continue;
    EXPECT_NE(c["message"].get<std::string>().find("runner 1/2: 2s saturated (loop lag)"),
              std::string::npos)
        << c;
  }
  // The verdict is the thresholds': a saturated generator warns, it does not fail the test.
  EXPECT_EQ(status["result"], "Passed");
}

TEST(Children, AReplacementReadsTheSetupsValuesFromTheirSecret) {
  nlohmann::json spec = with_phases();
  spec["runners"] = {{"count", 2}, {"failurePolicy", "Replace"}};
  const LoadTest lt = read_loadtest(manifest(spec), OperatorDefaults{});
  SourceErrors errors;
  const auto plan = plan_of(lt, &errors);
  ASSERT_TRUE(plan && plan->setup);
  const nlohmann::json first = runner_pod(lt, *plan, 3, 0, 2, 0);
  EXPECT_EQ(first["spec"]["volumes"].size(), 1u) << "the first pod runs or is given the setup";
  const nlohmann::json replacement = runner_pod(lt, *plan, 3, 0, 2, 1);
  const auto& c = replacement["spec"]["containers"][0];
  EXPECT_EQ(c["args"], nlohmann::json({"agent", "/etc/stampede/plan.yaml", "--segment", "0/2",
                                       "--testid", "demo-0a1b2c", "--resume", "--setup-values",
                                       "/etc/stampede-setup/values.json"}));
  EXPECT_EQ(c["volumeMounts"][1],
            nlohmann::json(
                {{"name", "setup"}, {"mountPath", "/etc/stampede-setup"}, {"readOnly", true}}));
  EXPECT_EQ(replacement["spec"]["volumes"][1]["secret"]["secretName"], "demo-3-setup");
  const nlohmann::json secret = setup_secret(lt, 3, {{"token", "t0k"}});
  EXPECT_EQ(secret["metadata"]["name"], "demo-3-setup");
  EXPECT_EQ(secret["metadata"]["ownerReferences"][0]["uid"], "0a1b2c3d-eeee");
  EXPECT_EQ(secret["stringData"]["values.json"], R"({"token":"t0k"})");
}

// An operator that stored the results and stopped before acknowledging them: the next one
// acknowledges the runners still serving, and nothing else changes.
TEST(Decide, AFinishedTestAcknowledgesRunnersStillServingItsResult) {
  nlohmann::json status = {{"phase", kPhaseSucceeded},
                           {"completionTime", "2026-11-22T11:59:00Z"},
                           {"results", {{"requests", 10}}}};
  Observed o = observed(manifest({}, status));
  o.runners = {pod(0, true), pod(1, true)};
  o.runners[1].terminated = true;
  o.runners[1].phase = "Succeeded";
  Decision d = decide(o);
  EXPECT_EQ(count(d, Action::Kind::kAcknowledgeResults), 1u);
  o.runners[0].terminated = true;
  o.runners[0].phase = "Succeeded";
  EXPECT_EQ(count(decide(o), Action::Kind::kAcknowledgeResults), 0u) << "every runner is gone";
  // Failed before any result was collected: nothing to acknowledge.
  nlohmann::json failed = {{"phase", kPhaseFailed}, {"reason", "RunnerFailed"}};
  Observed f = observed(manifest({}, failed));
  f.runners = {pod(0, true)};
  EXPECT_EQ(count(decide(f), Action::Kind::kAcknowledgeResults), 0u);
}

TEST(Decide, CleanupFollowsThePolicy) {
  nlohmann::json status = {{"phase", kPhaseSucceeded}, {"completionTime", "2026-11-22T11:59:00Z"}};
  Observed keep = observed(manifest({}, status));
  keep.plan_config_map = true;
  EXPECT_EQ(count(decide(keep), Action::Kind::kDeleteChildren), 0u);
  Observed always = observed(manifest({{"cleanup", "always"}}, status));
  always.plan_config_map = true;
  EXPECT_EQ(count(decide(always), Action::Kind::kDeleteChildren), 1u);
  status["phase"] = kPhaseFailed;
  Observed on_success = observed(manifest({{"cleanup", "onSuccess"}}, status));
  on_success.plan_config_map = true;
  EXPECT_EQ(count(decide(on_success), Action::Kind::kDeleteChildren), 0u)
      << "a failed test keeps its runners for inspection";
}

TEST(Decide, TtlDeletesTheTestOnceExpired) {
  nlohmann::json status = {{"phase", kPhaseSucceeded}, {"completionTime", "2026-11-22T11:59:00Z"}};
  const Decision waiting = decide(observed(manifest({{"ttlSecondsAfterFinished", 120}}, status)));
  EXPECT_EQ(count(waiting, Action::Kind::kDeleteLoadTest), 0u);
  ASSERT_TRUE(waiting.requeue_after.has_value());
  EXPECT_EQ(*waiting.requeue_after, std::chrono::milliseconds(60'000));
  const Decision expired = decide(observed(manifest({{"ttlSecondsAfterFinished", 30}}, status)));
  EXPECT_EQ(count(expired, Action::Kind::kDeleteLoadTest), 1u);
}

TEST(Decide, ADeletedTestIsLeftToGarbageCollection) {
  nlohmann::json object = manifest();
  object["metadata"]["deletionTimestamp"] = "2026-11-22T12:00:00Z";
  const Decision d = decide(observed(object));
  EXPECT_TRUE(d.actions.empty());
}

TEST(FinishedStatus, MergedResultsAndVerdict) {
  Observed o = observed(manifest({}, status_in(kPhaseRunning, 2)));
  Result merged;
  ResultRow row{{"s", "/", "GET"}, {}};
  row.stats.requests = 200;
  row.stats.failures = 10;
  row.stats.statuses.add(200, 190);
  row.stats.statuses.add(500, 10);
  for (int i = 0; i < 200; ++i) row.stats.latency.record(std::chrono::milliseconds(i % 50));
  merged.rows.push_back(row);
  merged.duration_seconds = 10;
  merged.thresholds.push_back({"http_req_failed", "rate < 0.01", 0.05, false, false});
  const nlohmann::json s = finished_status(o, merged, "demo-result");
  EXPECT_EQ(s["phase"], kPhaseFailed);
  EXPECT_EQ(s["reason"], "ThresholdsFailed");
  EXPECT_EQ(s["results"]["requests"], 200);
  EXPECT_EQ(s["results"]["failures"], 10);
  EXPECT_DOUBLE_EQ(s["results"]["errorRate"].get<double>(), 0.05);
  EXPECT_EQ(s["results"]["statusCodes"]["500"], 10);
  EXPECT_EQ(s["results"]["topRequests"][0]["name"], "/");
  EXPECT_EQ(s["results"]["thresholds"][0]["ok"], false);
  EXPECT_EQ(s["resultConfigMap"], "demo-result");
  EXPECT_EQ(condition_status(s, kThresholdsPassed), "False");
  EXPECT_EQ(condition_status(s, kCompleted), "True");
}

TEST(Children, RunnerPodCarriesSegmentTokenLabelsAndOwner) {
  const LoadTest lt = read_loadtest(manifest(), OperatorDefaults{});
  SourceErrors errors;
  const auto plan = plan_of(lt, &errors);
  ASSERT_TRUE(plan);
  const nlohmann::json p = runner_pod(lt, *plan, 4, 1, 3);
  EXPECT_EQ(p["metadata"]["name"], "demo-4-runner-1");
  EXPECT_EQ(p["metadata"]["labels"]["stampede.dev/run"], "4");
  EXPECT_EQ(p["metadata"]["labels"]["app.kubernetes.io/name"], "stampede-runner");
  EXPECT_EQ(p["metadata"]["labels"]["stampede.dev/runner-index"], "1");
  EXPECT_EQ(p["metadata"]["labels"]["stampede.dev/loadtest"], "demo");
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["uid"], "0a1b2c3d-eeee");
  const auto& c = p["spec"]["containers"][0];
  EXPECT_EQ(c["args"], nlohmann::json({"agent", "/etc/stampede/plan.yaml", "--segment", "1/3",
                                       "--testid", "demo-0a1b2c"}));
  EXPECT_EQ(c["env"][0]["valueFrom"]["secretKeyRef"]["name"], "demo-control");
  EXPECT_EQ(c["ports"][0]["name"], "metrics");
  EXPECT_EQ(c["resources"]["requests"]["cpu"], "100m");
  EXPECT_EQ(p["spec"]["restartPolicy"], "Never");
}

// Data files and JWT secrets reach a runner through the user's volumes, mounted beside the
// operator's own plan volume; scheduling fields go to the pod as written.
TEST(Children, RunnerPodCarriesTheUsersVolumesAndSchedulingFields) {
  const nlohmann::json users_csv = {{"name", "data"}, {"configMap", {{"name", "users-csv"}}}};
  const nlohmann::json jwt = {{"name", "jwt"},
                              {"projected", {{"sources", {{{"secret", {{"name", "jwt-key"}}}}}}}}};
  const nlohmann::json spread = {
      {"maxSkew", 1},
      {"topologyKey", "kubernetes.io/hostname"},
      {"whenUnsatisfiable", "DoNotSchedule"},
      {"labelSelector", {{"matchLabels", {{"stampede.dev/loadtest", "demo"}}}}}};
  const LoadTest lt = read_loadtest(
      manifest({{"runners",
                 {{"volumes", {users_csv, jwt}},
                  {"volumeMounts",
                   {{{"name", "data"}, {"mountPath", "/data"}},
                    {{"name", "jwt"}, {"mountPath", "/var/run/jwt"}, {"readOnly", true}}}},
                  {"topologySpreadConstraints", {spread}},
                  {"imagePullSecrets", {{{"name", "registry"}}}}}}}),
      OperatorDefaults{});
  SourceErrors errors;
  const auto plan = plan_of(lt, &errors);
  ASSERT_TRUE(plan);
  const nlohmann::json p = runner_pod(lt, *plan, 2, 0, 3);
  const auto& volumes = p["spec"]["volumes"];
  ASSERT_EQ(volumes.size(), 3u);
  EXPECT_EQ(volumes[0]["name"], "plan");
  EXPECT_EQ(volumes[0]["configMap"]["name"], "demo-2-plan") << "the plan of the pod's own run";
  EXPECT_EQ(volumes[1], users_csv);
  EXPECT_EQ(volumes[2], jwt);
  const auto& mounts = p["spec"]["containers"][0]["volumeMounts"];
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0]["mountPath"], "/etc/stampede");
  EXPECT_EQ(mounts[1]["mountPath"], "/data");
  EXPECT_EQ(mounts[2]["mountPath"], "/var/run/jwt");
  EXPECT_EQ(p["spec"]["topologySpreadConstraints"], nlohmann::json::array({spread}));
  EXPECT_EQ(p["spec"]["imagePullSecrets"][0]["name"], "registry");

  // Without them the pod has only the plan volume and no scheduling fields.
  const LoadTest plain = read_loadtest(manifest(), OperatorDefaults{});
  const nlohmann::json q = runner_pod(plain, *plan_of(plain, &errors), 1, 0, 3);
  EXPECT_EQ(q["spec"]["volumes"].size(), 1u);
  EXPECT_EQ(q["spec"]["containers"][0]["volumeMounts"].size(), 1u);
  EXPECT_FALSE(q["spec"].contains("topologySpreadConstraints"));
  EXPECT_FALSE(q["spec"].contains("imagePullSecrets"));
}

// Sizing follows what the runners' engine runs (plan/load_peak.h): stages ramp from 0 and a
// `users` or `rate` beside them is not used.
TEST(Children, SizingUsesTheEnginesPeaks) {
  Plan open;
  open.load.model = OpenModel{20000, seconds(10), {{seconds(5), 12000, ""}}, 0, 0, 0};
  EXPECT_DOUBLE_EQ(peak_rate(open), 12000);
  RunnerSettings by_rate;
  by_rate.max_rate_per_runner = 5000;
  EXPECT_EQ(runner_count(open, by_rate), 3u);
  Plan closed;
  closed.load.model = ClosedModel{30, 0, seconds(10), {{seconds(10), 12, ""}}, std::nullopt};
  EXPECT_DOUBLE_EQ(peak_users(closed), 12);
  RunnerSettings by_users;
  by_users.max_users_per_runner = 10;
  EXPECT_EQ(runner_count(closed, by_users), 2u);
}

TEST(Children, RunnerCountFromUsersAndRate) {
  Plan plan;
  plan.load.model = OpenModel{4500, seconds(10), {{seconds(5), 12000, ""}}, 0, 0, 0};
  RunnerSettings s;
  s.max_rate_per_runner = 5000;
  EXPECT_EQ(runner_count(plan, s), 3u) << "peak 12000/s at most 5000 per runner";
  s.count = 7;
  EXPECT_EQ(runner_count(plan, s), 7u);
}

}  // namespace
}  // namespace stampede::op
