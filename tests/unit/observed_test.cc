#include "controller/observed.h"

#include <gtest/gtest.h>

#include <string>

namespace stampede::op {
namespace {

nlohmann::json pod_with(const nlohmann::json& container_state,
                        const std::string& phase = "Failed") {
  return {
      {"metadata", {{"name", "demo-runner-1"}, {"labels", {{"stampede.dev/runner-index", "1"}}}}},
      {"status",
       {{"phase", phase},
        {"containerStatuses", {{{"name", "runner"}, {"state", container_state}}}}}}};
}

TEST(ObservePod, ReadsIndexAndPhase) {
  const RunnerObservation o =
      observe_pod(pod_with({{"running", nlohmann::json::object()}}, "Running"));
  EXPECT_TRUE(o.pod_exists);
  EXPECT_EQ(o.index, 1u);
  EXPECT_EQ(o.pod_name, "demo-runner-1");
  EXPECT_FALSE(o.terminated);
}

// With FallbackToLogsOnError the kubelet puts the end of the runner's log in the termination
// message: the problem carries it on one line, so the status says which file was missing.
TEST(ObservePod, AFailedRunnerSaysWhyInOneLine) {
  const RunnerObservation o = observe_pod(pod_with(
      {{"terminated",
        {{"exitCode", 2},
         {"reason", "Error"},
         {"message",
          "stampede: /etc/stampede/plan.yaml:9: spec.data.ids.file: cannot open /data/ids.csv\n"
          "  \n(exit code 2)\n"}}}}));
  EXPECT_TRUE(o.terminated);
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(o.problem,
            "Error: exit code 2: stampede: /etc/stampede/plan.yaml:9: spec.data.ids.file: cannot "
            "open /data/ids.csv; (exit code 2)");
}

TEST(ObservePod, ALongTerminationMessageKeepsItsEndAndStaysUtf8) {
  std::string log;
  for (int i = 0; i < 200; ++i) log += "ré ";  // two-byte characters throughout
  log += "the last words";
  const RunnerObservation o = observe_pod(
      pod_with({{"terminated", {{"exitCode", 1}, {"reason", "Error"}, {"message", log}}}}));
  EXPECT_LT(o.problem.size(), 460u);
  EXPECT_NE(o.problem.find("the last words"), std::string::npos);
  EXPECT_NE(o.problem.find(": ..."), std::string::npos) << o.problem;
  EXPECT_NO_THROW((void)nlohmann::json(o.problem).dump());  // throws on a cut character
}

// A runner that exited 0 or 99 (stopped) has no problem to report, whatever its log says.
TEST(ObservePod, AGoodExitIsNoProblem) {
  const RunnerObservation o = observe_pod(
      pod_with({{"terminated", {{"exitCode", 0}, {"reason", "Completed"}, {"message", "done"}}}},
               "Succeeded"));
  EXPECT_TRUE(o.terminated);
  EXPECT_EQ(o.problem, "");
}

TEST(ObservePod, OomKilledKeepsTheKubeletsReason) {
  const RunnerObservation o =
      observe_pod(pod_with({{"terminated", {{"exitCode", 137}, {"reason", "OOMKilled"}}}}));
  EXPECT_EQ(o.problem, "OOMKilled: exit code 137");
}

}  // namespace
}  // namespace stampede::op
