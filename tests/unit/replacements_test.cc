// runners.failurePolicy Replace, as decide() takes it: a lost runner is replaced and what it
// measured kept, a stopping one is waited for, and the policy's limits fail the test.
#include "controller/replacements.h"

#include <gtest/gtest.h>

#include "controller/children.h"
#include "controller/conditions.h"
#include "loadtest_fixture.h"

namespace stampede::op {
namespace {

const nlohmann::json kReplace = {{"runners", {{"failurePolicy", "Replace"}}}};

nlohmann::json running_status() {
  nlohmann::json s = status_in(kPhaseRunning, 2);
  s["run"] = 1;
  s["runGeneration"] = 2;
  s["startTime"] = "2026-11-22T11:59:00.000Z";
  return s;
}

// Two runners of run 1; runner 1 as `change` leaves it.
template <class Change>
Observed two_runners(const nlohmann::json& spec, const nlohmann::json& status, Change change) {
  Observed o = observed(manifest(spec, status));
  for (std::uint32_t i = 0; i < 2; ++i) {
    RunnerObservation r = pod(i, true);
    r.run = 1;
    r.pod_name = "demo-1-runner-" + std::to_string(i);
    r.status = nlohmann::json{{"state", "running"}};
    if (i == 1) change(r);
    o.runners.push_back(r);
  }
  return o;
}

void oom_killed(RunnerObservation& r) {
  r.terminated = true;
  r.phase = "Failed";
  r.exit_code = 137;
  r.problem = "OOMKilled: exit code 137";
  r.status.reset();
}

const Action* find(const Decision& d, Action::Kind kind) {
  for (const Action& a : d.actions) {
    if (a.kind == kind) return &a;
  }
  return nullptr;
}

TEST(Replacements, WithoutThePolicyALostRunnerFailsTheTest) {
  const Decision d = decide(two_runners(nlohmann::json::object(), running_status(), oom_killed));
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_EQ(d.status["reason"], "RunnerFailed");
}

TEST(Replacements, ALostRunnerIsReplacedAndWhatItMeasuredKept) {
  const Decision d = decide(two_runners(kReplace, running_status(), oom_killed));
  EXPECT_EQ(d.status["phase"], kPhaseRunning) << "the test goes on";
  const Action* keep = find(d, Action::Kind::kKeepRunnerResult);
  ASSERT_NE(keep, nullptr);
  EXPECT_EQ(keep->index, 1u);
  EXPECT_EQ(keep->attempt, 0u);
  const Action* create = find(d, Action::Kind::kCreatePod);
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->index, 1u);
  EXPECT_EQ(create->attempt, 1u);
  EXPECT_EQ(create->count, 2u);
  const nlohmann::json& e = d.status["runners"]["replacements"][0];
  EXPECT_EQ(e["index"], 1);
  EXPECT_EQ(e["attempt"], 0);
  EXPECT_EQ(e["pod"], "demo-1-runner-1");
  EXPECT_EQ(e["reason"], "OOMKilled: exit code 137");
  EXPECT_EQ(condition_status(d.status, kDegraded), "True");
  bool warned = false;
  for (const Event& ev : d.events) warned = warned || ev.reason == "RunnerReplaced";
  EXPECT_TRUE(warned);

  // Decided once: the next reconcile, before the replacement is in the cache, creates it
  // again (AlreadyExists is harmless) and records nothing more.
  const Decision again = decide(two_runners(kReplace, d.status, oom_killed));
  EXPECT_EQ(again.status["runners"]["replacements"].size(), 1u);
  EXPECT_EQ(find(again, Action::Kind::kKeepRunnerResult), nullptr);
  ASSERT_NE(find(again, Action::Kind::kCreatePod), nullptr);
  EXPECT_EQ(find(again, Action::Kind::kCreatePod)->attempt, 1u);
}

TEST(Replacements, ARunnerStoppingOnItsPodsDeletionIsWaitedFor) {
  auto deleting = [](RunnerObservation& r) { r.deleting = true; };
  const Decision d = decide(two_runners(kReplace, running_status(), deleting));
  EXPECT_EQ(find(d, Action::Kind::kKeepRunnerResult), nullptr) << "its final result is coming";
  EXPECT_EQ(d.status["phase"], kPhaseRunning);

  auto stopped = [](RunnerObservation& r) {
    r.deleting = true;
    r.status = nlohmann::json{{"state", "finished"}};
  };
  const Decision kept = decide(two_runners(kReplace, running_status(), stopped));
  ASSERT_NE(find(kept, Action::Kind::kKeepRunnerResult), nullptr);
  EXPECT_EQ(kept.status["runners"]["replacements"][0]["reason"], "pod deleted");
}

TEST(Replacements, BeyondMaxReplacementsTheTestFails) {
  nlohmann::json spec = kReplace;
  spec["runners"]["maxReplacements"] = 1;
  nlohmann::json status = running_status();
  status["runners"]["replacements"] = {{{"index", 1}, {"attempt", 0}, {"pod", "demo-1-runner-1"}}};
  auto lost_again = [](RunnerObservation& r) {
    oom_killed(r);
    r.attempt = 1;
    r.pod_name = "demo-1-runner-1-1";
  };
  const Decision d = decide(two_runners(spec, status, lost_again));
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_NE(d.status["message"].get<std::string>().find("demo-1-runner-1-1"), std::string::npos);
}

TEST(Replacements, AReplacementNeverReadyFailsTheTestAfterTheStartTimeout) {
  nlohmann::json status = running_status();
  status["runners"]["replacements"] = {{{"index", 1},
                                        {"attempt", 0},
                                        {"pod", "demo-1-runner-1"},
                                        {"lostAt", "2026-11-22T11:50:00.000Z"}}};
  auto pending = [](RunnerObservation& r) {
    r = RunnerObservation{};
    r.run = 1;
    r.index = 1;
    r.attempt = 1;
    r.pod_exists = true;
    r.pod_name = "demo-1-runner-1-1";
    r.phase = "Pending";
    r.problem = "Unschedulable: 0/1 nodes are available";
  };
  const nlohmann::json spec = {{"runners", {{"failurePolicy", "Replace"}}},
                               {"startTimeoutSeconds", 300}};
  const Decision d = decide(two_runners(spec, status, pending));  // 10 min after the loss
  EXPECT_EQ(d.status["phase"], kPhaseFailed);
  EXPECT_NE(d.status["message"].get<std::string>().find("Unschedulable"), std::string::npos)
      << d.status["message"];
}

TEST(Replacements, TheGapIsFromTheKeptResultsEndToTheReplacementsStart) {
  nlohmann::json status = running_status();
  status["runners"]["replacements"] = {
      {{"index", 1}, {"attempt", 0}, {"pod", "demo-1-runner-1"}, {"dataSeconds", 10.0}}};
  auto joined = [](RunnerObservation& r) {
    r.attempt = 1;
    r.pod_name = "demo-1-runner-1-1";
    r.status = nlohmann::json{{"state", "running"}, {"started_late_seconds", 12.5}};
  };
  const Decision d = decide(two_runners(kReplace, status, joined));
  const nlohmann::json& e = d.status["runners"]["replacements"][0];
  EXPECT_EQ(e["resumedAtSeconds"], 12.5);
  EXPECT_EQ(e["gapSeconds"], 2.5);
  EXPECT_FALSE(d.status["runners"].contains("startedLateSeconds"))
      << "a replacement joins late by design: no LateStart";

  Observed done = observed(manifest(kReplace, d.status));
  const nlohmann::json final_status = finished_status(done, result_of(1000, 30), "demo-1-result");
  EXPECT_EQ(final_status["results"]["degraded"], true);
  EXPECT_EQ(final_status["results"]["gapSeconds"], 2.5);
  EXPECT_NE(final_status["message"].get<std::string>().find("degraded: 1 lost runner(s) replaced"),
            std::string::npos)
      << final_status["message"];
}

TEST(Replacements, AReplacementPodJoinsItsSegmentWhereTheScheduleIs) {
  const LoadTest lt = read_loadtest(manifest(kReplace), OperatorDefaults{});
  SourceErrors errors;
  const auto plan = plan_of(lt, &errors);
  ASSERT_TRUE(plan);
  const nlohmann::json p = runner_pod(lt, *plan, 1, 0, 3, 2);
  EXPECT_EQ(p["metadata"]["name"], "demo-1-runner-0-2");
  EXPECT_EQ(p["metadata"]["labels"]["stampede.dev/attempt"], "2");
  const nlohmann::json args = p["spec"]["containers"][0]["args"];
  EXPECT_EQ(args.back(), "--resume");
  EXPECT_NE(std::find(args.begin(), args.end(), "0/3"), args.end()) << "the same segment";
}

}  // namespace
}  // namespace stampede::op
