// Runs of a LoadTest (docs/runs.md), as decide() takes them: what starts a run, what a run in
// progress does with a trigger, the schedule's bookkeeping and the history.
#include "controller/runs.h"

#include <gtest/gtest.h>

#include "base/rfc3339.h"
#include "controller/conditions.h"
#include "loadtest_fixture.h"

namespace stampede::op {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Run `run` of generation `generation` ended with `phase`, its result stored.
nlohmann::json finished_run(std::uint32_t run, std::int64_t generation,
                            const char* phase = kPhaseSucceeded) {
  return {{"phase", phase},
          {"result", phase == std::string(kPhaseSucceeded) ? "Passed" : "Failed"},
          {"reason", "ThresholdsPassed"},
          {"run", run},
          {"runGeneration", generation},
          {"trigger", "Created"},
          {"testid", "demo-0a1b2c"},
          {"startTime", "2026-11-22T11:00:00.000Z"},
          {"completionTime", "2026-11-22T11:30:00.000Z"},
          {"resultConfigMap", "demo-" + std::to_string(run) + "-result"},
          {"runners", {{"desired", 3}, {"ready", 3}}},
          {"results",
           {{"requests", 12000},
            {"rps", 400.0},
            {"errorRate", 0.001},
            {"latencySeconds", {{"p95", 0.012}, {"p99", 0.031}}}}}};
}

nlohmann::json running_run(std::uint32_t run, std::int64_t generation) {
  nlohmann::json s = status_in(kPhaseRunning, 2);
  s["run"] = run;
  s["runGeneration"] = generation;
  s["startTime"] = "2026-11-22T11:59:00.000Z";
  return s;
}

Observed with_runners(Observed o, std::uint32_t run) {
  for (std::uint32_t i = 0; i < 2; ++i) {
    RunnerObservation r = pod(i, true);
    r.run = run;
    o.runners.push_back(r);
  }
  return o;
}

nlohmann::json with_annotation(nlohmann::json object, const std::string& value) {
  object["metadata"]["annotations"] = {{"stampede.dev/rerun", value}};
  return object;
}

nlohmann::json created_at(nlohmann::json object, const std::string& when) {
  object["metadata"]["creationTimestamp"] = when;
  return object;
}

const nlohmann::json* condition(const nlohmann::json& status, const std::string& type) {
  for (const auto& c : status["conditions"]) {
    if (c["type"] == type) return &c;
  }
  return nullptr;
}

TEST(Runs, ANewTestStartsRunOne) {
  const Decision d = decide(observed(manifest()));
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_EQ(d.status["runGeneration"], 2);
  EXPECT_EQ(d.status["trigger"], "Created");
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_EQ(d.status["resultConfigMap"], "demo-1-result");
  EXPECT_FALSE(d.status.contains("history"));
  EXPECT_EQ(count(d, Action::Kind::kDeletePastRuns), 0u) << "nothing before run 1";
  // Conditions are the run's: its generation, and its number in the message.
  const nlohmann::json* ready = condition(d.status, kRunnersReady);
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ((*ready)["observedGeneration"], 2);
  EXPECT_EQ((*ready)["message"].get<std::string>().rfind("run 1: ", 0), 0u) << *ready;
}

TEST(Runs, AnEditedSpecStartsTheNextRunAndKeepsTheLastInHistory) {
  const Decision d = decide(observed(manifest({}, finished_run(1, 1))));
  EXPECT_EQ(d.status["run"], 2);
  EXPECT_EQ(d.status["runGeneration"], 2);
  EXPECT_EQ(d.status["trigger"], "SpecChanged");
  EXPECT_EQ(d.status["phase"], kPhaseStarting) << "accepted in the same reconcile";
  EXPECT_EQ(d.status["resultConfigMap"], "demo-2-result");
  EXPECT_FALSE(d.status.contains("results")) << "the new run has none yet";
  ASSERT_EQ(d.status["history"].size(), 1u);
  const nlohmann::json& past = d.status["history"][0];
  EXPECT_EQ(past["run"], 1);
  EXPECT_EQ(past["generation"], 1);
  EXPECT_EQ(past["phase"], kPhaseSucceeded);
  EXPECT_EQ(past["result"], "Passed");
  EXPECT_EQ(past["requests"], 12000);
  EXPECT_EQ(past["rps"], 400.0);
  EXPECT_EQ(past["errorRate"], 0.001);
  EXPECT_EQ(past["p95Seconds"], 0.012);
  EXPECT_EQ(past["p99Seconds"], 0.031);
  EXPECT_EQ(past["resultConfigMap"], "demo-1-result");
  EXPECT_EQ(past["completionTime"], "2026-11-22T11:30:00.000Z");
  // The last verdict stays in the printer column while run 2 runs.
  EXPECT_EQ(d.status["lastResult"], "Passed");
  ASSERT_EQ(count(d, Action::Kind::kDeletePastRuns), 1u);
  for (const Action& a : d.actions) {
    if (a.kind == Action::Kind::kDeletePastRuns) {
      EXPECT_EQ(a.index, 2u);
    }
  }
  EXPECT_EQ(count(d, Action::Kind::kCreatePod), 3u) << "run 1's pods are not run 2's";
  EXPECT_EQ(count(d, Action::Kind::kDeleteResult), 0u) << "within the history limit";
  bool announced = false;
  for (const Event& e : d.events) announced = announced || e.reason == "RunStarted";
  EXPECT_TRUE(announced);
}

TEST(Runs, AnUnchangedFinishedTestStaysFinished) {
  nlohmann::json status = finished_run(1, 2);
  const Decision d = decide(observed(manifest({}, status)));
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_EQ(d.status["phase"], kPhaseSucceeded);
  EXPECT_TRUE(d.actions.empty());
}

TEST(Runs, AnEditDuringARunWaitsForItByDefault) {
  const Decision d = decide(with_runners(observed(manifest({}, running_run(1, 1))), 1));
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_EQ(d.status["phase"], kPhaseRunning);
  EXPECT_FALSE(d.status.contains("pendingRun"));
  EXPECT_EQ(count(d, Action::Kind::kStopRunners), 0u);
}

TEST(Runs, ReplaceStopsTheRunAndItsSuccessorStartsOnceItIsStored) {
  const nlohmann::json spec = {{"onSpecChange", "Replace"}};
  const Decision d = decide(with_runners(observed(manifest(spec, running_run(1, 1))), 1));
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_EQ(d.status["pendingRun"]["trigger"], "SpecChanged");
  EXPECT_EQ(count(d, Action::Kind::kStopRunners), 1u);

  // The stopped runners' result is judged and marked as superseded.
  Observed stopped = observed(manifest(spec, d.status));
  Result merged = result_of(50, 5);
  const nlohmann::json judged = finished_status(stopped, merged, "demo-1-result");
  EXPECT_EQ(judged["phase"], kPhaseSucceeded);
  EXPECT_EQ(judged["reason"], "Superseded");
  EXPECT_NE(judged["message"].get<std::string>().find("SpecChanged"), std::string::npos);

  const Decision next = decide(observed(manifest(spec, judged)));
  EXPECT_EQ(next.status["run"], 2);
  EXPECT_EQ(next.status["trigger"], "SpecChanged");
  EXPECT_FALSE(next.status.contains("pendingRun"));
  EXPECT_EQ(next.status["history"][0]["reason"], "Superseded");
  EXPECT_EQ(next.status["history"][0]["requests"], 50);
}

// The reconcile after a run's end starts the waiting one at once: the status write that ends it
// queues no reconcile of its own.
TEST(Runs, TheEndOfARunWithASuccessorWaitingAsksForTheNextReconcileAtOnce) {
  const Decision waiting = decide(with_runners(observed(manifest({}, running_run(1, 1))), 1));
  EXPECT_NE(waiting.requeue_after, std::chrono::milliseconds(0)) << "still running";
  Observed done = with_runners(observed(manifest({}, running_run(1, 1))), 1);
  for (auto& r : done.runners) r.status = nlohmann::json{{"state", "finished"}};
  const Decision collecting = decide(done);
  ASSERT_EQ(count(collecting, Action::Kind::kCollectResults), 1u);
  EXPECT_EQ(collecting.requeue_after, std::chrono::milliseconds(0));

  Observed unchanged = with_runners(observed(manifest({}, running_run(1, 2))), 1);
  for (auto& r : unchanged.runners) r.status = nlohmann::json{{"state", "finished"}};
  EXPECT_FALSE(decide(unchanged).requeue_after) << "nothing waits";
}

TEST(Runs, ARunSupersededBeforeItsLoadBeganEndsAtOnce) {
  nlohmann::json starting = status_in(kPhaseStarting, 2);
  starting["run"] = 1;
  starting["runGeneration"] = 1;
  const Decision d = decide(observed(manifest({{"onSpecChange", "Replace"}}, starting)));
  EXPECT_EQ(d.status["run"], 2);
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  ASSERT_EQ(d.status["history"].size(), 1u);
  EXPECT_EQ(d.status["history"][0]["reason"], "Superseded");
  EXPECT_FALSE(d.status["history"][0].contains("resultConfigMap")) << "it stored none";
}

TEST(Runs, TheRerunAnnotationRunsAgainOncePerValue) {
  const nlohmann::json object =
      with_annotation(manifest({}, finished_run(1, 2)), "after-deploy-42");
  const Decision d = decide(observed(object));
  EXPECT_EQ(d.status["run"], 2);
  EXPECT_EQ(d.status["trigger"], "Rerun");
  EXPECT_EQ(d.status["rerun"], "after-deploy-42");
  EXPECT_EQ(d.status["runGeneration"], 2) << "a rerun does not change the generation";

  nlohmann::json done = finished_run(2, 2);
  done["rerun"] = "after-deploy-42";
  const Decision again = decide(observed(with_annotation(manifest({}, done), "after-deploy-42")));
  EXPECT_EQ(again.status["run"], 2) << "the same value is not a new request";
}

TEST(Runs, HistoryBeyondItsLimitTakesItsResultsAlong) {
  nlohmann::json status = finished_run(4, 1);
  status["history"] = nlohmann::json::array();
  for (std::uint32_t run = 3; run >= 1; --run) {
    status["history"].push_back(history_entry(finished_run(run, 1)));
  }
  const Decision d = decide(observed(manifest({{"historyLimit", 3}}, status)));
  EXPECT_EQ(d.status["run"], 5);
  ASSERT_EQ(d.status["history"].size(), 3u);
  EXPECT_EQ(d.status["history"][0]["run"], 4);
  EXPECT_EQ(d.status["history"][2]["run"], 2);
  ASSERT_EQ(count(d, Action::Kind::kDeleteResult), 1u);
  for (const Action& a : d.actions) {
    if (a.kind == Action::Kind::kDeleteResult) {
      EXPECT_EQ(a.name, "demo-1-result");
    }
  }

  const Decision none = decide(observed(manifest({{"historyLimit", 0}}, finished_run(1, 1))));
  EXPECT_FALSE(none.status.contains("history"));
  EXPECT_EQ(count(none, Action::Kind::kDeleteResult), 1u) << "no history: no past results";
}

// The lost runners' kept results were merged into the run's own: they go when the next run
// starts, the run's result stays with its history entry.
TEST(Runs, TheKeptResultsOfLostRunnersGoWhenTheNextRunStarts) {
  nlohmann::json status = finished_run(1, 1);
  status["runners"]["replacements"] = {
      {{"index", 1}, {"attempt", 0}, {"resultConfigMap", "demo-1-runner-1-result"}}};
  const Decision d = decide(observed(manifest({}, status)));
  ASSERT_EQ(d.status["run"], 2);
  std::vector<std::string> deleted;
  for (const Action& a : d.actions) {
    if (a.kind == Action::Kind::kDeleteResult) deleted.push_back(a.name);
  }
  EXPECT_EQ(deleted, std::vector<std::string>{"demo-1-runner-1-result"});
  EXPECT_EQ(d.status["history"][0]["resultConfigMap"], "demo-1-result");
}

// kNow is 12:00:00 UTC.
TEST(Runs, AScheduledTestWaitsForItsFirstTime) {
  const nlohmann::json object =
      created_at(manifest({{"schedule", "*/5 * * * *"}}), "2026-11-22T12:00:30Z");
  Observed o = observed(object);
  o.now = kNow + seconds(45);
  const Decision d = decide(o);
  EXPECT_FALSE(d.status.contains("phase"));
  EXPECT_EQ(d.status.value("run", 0), 0);
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.status["nextScheduleTime"], "2026-11-22T12:05:00.000Z");
  ASSERT_TRUE(d.requeue_after);
  EXPECT_NEAR(std::chrono::duration<double>(*d.requeue_after).count(), 255.2, 0.01);
  // Nothing to wait for: GitOps tools see it healthy.
  EXPECT_EQ(condition_status(d.status, kReady), "True");
  EXPECT_EQ(condition_status(d.status, kReconciling), "False");
  EXPECT_EQ(condition_status(d.status, kStalled), "False");
}

TEST(Runs, AScheduledTimeStartsARun) {
  const nlohmann::json object =
      created_at(manifest({{"schedule", "0 7 * * *"}, {"timeZone", "America/New_York"}}),
                 "2026-11-22T08:00:00Z");
  const Decision d = decide(observed(object));  // 12:00 UTC is 07:00 in New York in November
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_EQ(d.status["trigger"], "Schedule");
  EXPECT_EQ(d.status["lastScheduleTime"], "2026-11-22T12:00:00.000Z");
  EXPECT_EQ(d.status["nextScheduleTime"], "2026-11-23T12:00:00.000Z");
  EXPECT_EQ(d.status["phase"], kPhaseStarting);
  EXPECT_FALSE(d.status.contains("skippedScheduleTimes"));
}

TEST(Runs, TimesMissedBeyondTheDeadlineAreCountedNotRun) {
  nlohmann::json status = finished_run(1, 2);
  status["lastScheduleTime"] = "2026-11-22T11:00:00.000Z";
  const nlohmann::json spec = {{"schedule", "*/5 * * * *"}, {"startingDeadlineSeconds", 60}};
  Observed o = observed(manifest(spec, status));
  o.now = kNow + minutes(2);  // 12:00 was missed by two minutes
  const Decision d = decide(o);
  EXPECT_EQ(d.status["run"], 1) << "never run late";
  EXPECT_EQ(d.status["skippedScheduleTimes"], 12) << "11:05 to 12:00";
  EXPECT_EQ(d.status["lastScheduleTime"], "2026-11-22T12:00:00.000Z");

  // Within the deadline the latest runs; the older ones are counted.
  const Decision late = decide(observed(manifest({{"schedule", "*/5 * * * *"}}, status)));
  EXPECT_EQ(late.status["run"], 2);
  EXPECT_EQ(late.status["skippedScheduleTimes"], 11);
}

TEST(Runs, ScheduledTimesDuringARunAreSkippedOrReplaceIt) {
  nlohmann::json status = running_run(1, 2);
  status["lastScheduleTime"] = "2026-11-22T11:55:00.000Z";
  const Decision forbid =
      decide(with_runners(observed(manifest({{"schedule", "*/5 * * * *"}}, status)), 1));
  EXPECT_EQ(forbid.status["run"], 1);
  EXPECT_EQ(forbid.status["skippedScheduleTimes"], 1);
  EXPECT_EQ(forbid.status["lastScheduleTime"], "2026-11-22T12:00:00.000Z");
  EXPECT_EQ(count(forbid, Action::Kind::kStopRunners), 0u);

  const Decision replace = decide(with_runners(
      observed(manifest({{"schedule", "*/5 * * * *"}, {"concurrencyPolicy", "Replace"}}, status)),
      1));
  EXPECT_EQ(replace.status["pendingRun"]["trigger"], "Schedule");
  EXPECT_EQ(replace.status["pendingRun"]["scheduledTime"], "2026-11-22T12:00:00.000Z");
  EXPECT_EQ(count(replace, Action::Kind::kStopRunners), 1u);
}

TEST(Runs, ASuspendedScheduleRunsNothing) {
  nlohmann::json status = finished_run(1, 2);
  status["lastScheduleTime"] = "2026-11-22T11:55:00.000Z";
  status["nextScheduleTime"] = "2026-11-22T12:00:00.000Z";
  const Decision d =
      decide(observed(manifest({{"schedule", "*/5 * * * *"}, {"suspend", true}}, status)));
  EXPECT_EQ(d.status["run"], 1);
  EXPECT_FALSE(d.status.contains("nextScheduleTime"));
  EXPECT_FALSE(d.requeue_after);
}

TEST(Runs, AnEditedScheduledTestRunsTheNewSpecAtTheNextTime) {
  nlohmann::json status = finished_run(1, 1);
  status["lastScheduleTime"] = "2026-11-22T11:55:00.000Z";
  Observed o = observed(manifest({{"schedule", "*/5 * * * *"}}, status));
  o.now = kNow - minutes(1);
  const Decision d = decide(o);
  EXPECT_EQ(d.status["run"], 1) << "no run outside the schedule";
  EXPECT_EQ(d.status["observedGeneration"], 2);
  // The last run's conditions stay those of generation 1: `kubectl wait` waits for the next.
  EXPECT_EQ((*condition(d.status, kReady))["observedGeneration"], 1);
}

TEST(Runs, AnInvalidScheduleFailsTheTestOnce) {
  const Decision d = decide(observed(manifest({{"schedule", "61 * * * *"}})));
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "InvalidSpec");
  EXPECT_EQ(d.status["message"].get<std::string>().rfind("spec.schedule: ", 0), 0u)
      << d.status["message"];
  const Decision again = decide(observed(manifest({{"schedule", "61 * * * *"}}, d.status)));
  EXPECT_TRUE(again.events.empty()) << "said once";
}

}  // namespace
}  // namespace stampede::op
