// The operator end to end on a real control plane: kube-apiserver and kube-controller-manager
// with Debian's etcd, the CRD applied with kubectl, runner pods run by LocalKubelet as local
// processes, real traffic to the bundled target.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

#include "base/rfc3339.h"
#include "kube/kube_config.h"
#include "support/fixture_plan.h"
#include "support/kube_control_plane.h"
#include "support/local_kubelet.h"
#include "support/nginx.h"
#include "support/operator_setup.h"
#include "support/project_tool.h"
#include "support/stampede_run.h"

namespace stampede::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class Operator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    KubeControlPlaneOptions options;
    options.controller_manager = true;  // garbage collection of children
    plane_ = new KubeControlPlane(options);
    const auto crd = plane_->kubectl(
        {"apply", "-f", std::string(STAMPEDE_SOURCE_DIR) + "/crds/stampede.dev_loadtests.yaml"});
    ASSERT_TRUE(crd.ok()) << crd.describe();
    const auto established = plane_->wait_established({"loadtests.stampede.dev"});
    ASSERT_TRUE(established.ok()) << established.describe();
    std::string error;
    const auto config = kube::load_kubeconfig(plane_->kubeconfig(), &error);
    ASSERT_TRUE(config) << error;
    LocalKubeletOptions kubelet;
    kubelet.binary = STAMPEDE_BIN;
    kubelet.work_dir = plane_->directory() + "/pods";
    kubelet_ = new LocalKubelet(*config, kubelet);
    setup_operator_identity();
    // Created first, so that its scheduled minutes pass while the other cases run; the last
    // case, AScheduleRunsTheTestAtItsTimes, checks what they did.
    scheduled_target_ = new TargetProcess(STAMPEDE_TARGET_BIN);
    const auto scheduled = plane_->apply(
        loadtest("minutely", scheduled_target_->url(), "{users: 1, duration: 1s}", 1) +
        "  schedule: \"* * * * *\"\n  historyLimit: 100\n");
    ASSERT_TRUE(scheduled.ok()) << scheduled.describe();
  }

  // The operator runs as the ServiceAccount and RBAC the Helm chart renders, not as
  // admin: the tests prove them sufficient.
  static void setup_operator_identity() {
    const OperatorIdentity id = install_operator_identity(*plane_);
    operator_kubeconfig_ = id.kubeconfig;
    token_key_file_ = id.token_key_file;
    lease_name_ = id.lease_name;
    service_account_ = id.service_account;
  }

  static void TearDownTestSuite() {
    delete scheduled_target_;
    delete kubelet_;
    delete plane_;
  }

  void SetUp() override { start_operator(); }
  void TearDown() override {
    if (operator_) operator_->terminate();
  }

  void start_operator() { operator_ = launch_operator(true, {}); }

  // A replica of the operator; `env` adds test hooks.
  std::unique_ptr<Subprocess> launch_operator(bool leader_elect, Env env,
                                              const std::string& start_delay = "1") {
    static int replica = 0;
    operator_port_ = free_port();
    env["POD_NAME"] = "operator-" + std::to_string(++replica);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{STAMPEDE_OPERATOR_BIN, "--kubeconfig", operator_kubeconfig_,
                                 std::string("--leader-elect=") + (leader_elect ? "true" : "false"),
                                 "--leader-election-namespace", "stampede-system",
                                 "--leader-election-id", lease_name_, "--token-key-file",
                                 token_key_file_, "--listen",
                                 "127.0.0.1:" + std::to_string(operator_port_), "--start-delay",
                                 start_delay, "--log-level", "debug"},
        env);
  }

  std::string operator_logs() const {
    return operator_ ? operator_->stderr_text().substr(operator_->stderr_text().size() > 6000
                                                           ? operator_->stderr_text().size() - 6000
                                                           : 0)
                     : "";
  }

  std::string phase(const std::string& name) const {
    const nlohmann::json lt = get(name);
    if (!lt.is_object() || !lt.contains("status")) return "";
    return lt["status"].value("phase", "");
  }

  nlohmann::json get(const std::string& name) const {
    const auto r = plane_->kubectl({"get", "loadtest", name, "-o", "json"});
    return r.ok() ? nlohmann::json::parse(r.out) : nlohmann::json();
  }

  // Waits with `kubectl wait --for=jsonpath=...`, as users wait for a run number.
  bool wait_for(const std::string& name, const std::string& jsonpath, int seconds_timeout) const {
    const auto r = plane_->kubectl({"wait", "--for=jsonpath=" + jsonpath, "loadtest/" + name,
                                    "--timeout=" + std::to_string(seconds_timeout) + "s"},
                                   seconds(seconds_timeout + 10));
    return r.ok();
  }

  // Requests the target counted.
  static std::uint64_t target_requests(TargetProcess& target) {
    return nlohmann::json::parse(target.get("/__stats").body)["requests"].get<std::uint64_t>();
  }

  // Requests of the current run and every run in the history.
  static std::uint64_t requests_of_all_runs(const nlohmann::json& status) {
    std::uint64_t total = status["results"].value("requests", std::uint64_t{0});
    for (const auto& h : status.value("history", nlohmann::json::array())) {
      total += h.value("requests", std::uint64_t{0});
    }
    return total;
  }

  // Applies a 14-s test of 2 runners at 40/s with failurePolicy Replace, and waits until it has
  // run for 6 s and the operator has polled its runners' results so far.
  bool run_replaceable(const std::string& name, const TargetProcess& target) const {
    std::string manifest = loadtest(name, target.url(), "{rate: 40, duration: 14s}", 2);
    manifest.replace(manifest.find("    image:"), 0, "    failurePolicy: Replace\n");
    if (!plane_->apply(manifest).ok()) return false;
    for (int i = 0; i < 300 && phase(name) != "Running"; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
    if (phase(name) != "Running") return false;
    // Until the runners have measured 5 s (status.progress comes from the same polls as the live
    // results a replacement keeps). A fixed 7 s after Running once left only a poll at 2 s of
    // data when the sanitizer tree's runners started late.
    const nlohmann::json::json_pointer elapsed("/status/progress/elapsedSeconds");
    for (int i = 0; i < 300; ++i) {
      const nlohmann::json lt = get(name);
      if (lt.is_object() && lt.value(elapsed, 0) >= 5) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  // Waits for condition Completed with kubectl, as users do.
  bool wait_completed(const std::string& name, int seconds_timeout) const {
    const auto r = plane_->kubectl({"wait", "--for=condition=Completed", "loadtest/" + name,
                                    "--timeout=" + std::to_string(seconds_timeout) + "s"},
                                   seconds(seconds_timeout + 10));
    return r.ok();
  }

  static std::string loadtest(const std::string& name, const std::string& target,
                              const std::string& load, int runners,
                              const std::string& thresholds = R"(http_req_failed: ["rate < 0.01"])",
                              const std::string& image = "stampede-runner:test") {
    return "apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\nmetadata:\n  name: " + name +
           "\n  namespace: default\nspec:\n  target:\n    url: " + target + "\n  load: " + load +
           "\n  scenarios:\n    - name: s\n      steps:\n        - get: /\n  thresholds:\n    " +
           thresholds + "\n  runners:\n    count: " + std::to_string(runners) +
           "\n    image: " + image + "\n  startTimeoutSeconds: 30\n";
  }

  static KubeControlPlane* plane_;
  static LocalKubelet* kubelet_;
  static TargetProcess* scheduled_target_;
  static std::string operator_kubeconfig_;
  static std::string token_key_file_;
  static std::string lease_name_;
  static std::string service_account_;
  std::unique_ptr<Subprocess> operator_;
  std::uint16_t operator_port_ = 0;
};

KubeControlPlane* Operator::plane_ = nullptr;
LocalKubelet* Operator::kubelet_ = nullptr;
TargetProcess* Operator::scheduled_target_ = nullptr;
std::string Operator::operator_kubeconfig_;
std::string Operator::token_key_file_;
std::string Operator::lease_name_;
std::string Operator::service_account_;

TEST_F(Operator, RunsATestAcrossRunnersAndCountsExactly) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied =
      plane_->apply(loadtest("exact", target.url(), "{users: 6, duration: 3s}", 3));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  ASSERT_TRUE(wait_completed("exact", 60)) << get("exact").dump(2) << "\n" << operator_logs();
  const nlohmann::json lt = get("exact");
  const auto& status = lt["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["runners"]["desired"], 3);
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  EXPECT_GT(stats["requests"].get<std::uint64_t>(), 100u);
  EXPECT_EQ(status["results"]["requests"], stats["requests"]) << "exactly what the target counted";
  EXPECT_EQ(status["results"]["thresholds"][0]["ok"], true);
  // The merged result JSON is in the result ConfigMap.
  const auto cm = plane_->kubectl({"get", "configmap", "exact-1-result", "-o", "json"});
  ASSERT_TRUE(cm.ok()) << cm.describe();
  const auto result = nlohmann::json::parse(
      nlohmann::json::parse(cm.out)["data"]["result.json"].get<std::string>());
  EXPECT_EQ(result["totals"]["requests"], stats["requests"]);
  // Each transition is an Event on the LoadTest.
  const auto events =
      plane_->kubectl({"get", "events", "--field-selector", "involvedObject.name=exact", "-o",
                       "jsonpath={.items[*].reason}"});
  EXPECT_NE(events.out.find("Launching"), std::string::npos) << events.describe();
  EXPECT_NE(events.out.find("Started"), std::string::npos) << events.describe();
  EXPECT_NE(events.out.find("ThresholdsPassed"), std::string::npos) << events.describe();
  // Three runners ran with segments 0/3, 1/3, 2/3.
  for (int i = 0; i < 3; ++i) {
    const auto pod = plane_->kubectl({"get", "pod", "exact-1-runner-" + std::to_string(i), "-o",
                                      "jsonpath={.spec.containers[0].args}"});
    EXPECT_NE(pod.out.find(std::to_string(i) + "/3"), std::string::npos) << pod.out;
  }
}

TEST_F(Operator, AFailingThresholdFailsTheTest) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied = plane_->apply(loadtest("strict", target.url(), "{users: 2, duration: 2s}", 1,
                                              R"(http_req_duration: ["p(99) < 1us"])"));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  ASSERT_TRUE(wait_completed("strict", 60)) << get("strict").dump(2) << "\n" << operator_logs();
  const nlohmann::json status = get("strict")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["reason"], "ThresholdsFailed");
  bool passed_false = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "ThresholdsPassed") passed_false = c["status"] == "False";
  }
  EXPECT_TRUE(passed_false) << status.dump(2);
}

// A plan's setup and teardown in a cluster (docs/setup-teardown.md): runner 0 runs each once,
// every runner's users read the setup's values, and the values stay out of the API.
std::string fixture_loadtest(const std::string& name, const TargetProcess& target,
                             const std::string& setup_path,
                             const std::string& load = "{users: 4, duration: 3s}",
                             const std::string& runners_extra = "") {
  FixturePlan plan;
  plan.target_url = target.url();
  plan.setup_path = setup_path;
  plan.fixture_name = "fixture-secret-7b1e";
  plan.load = load;
  return "apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\nmetadata:\n  name: " + name +
         "\n  namespace: default\nspec:\n" + fixture_plan_yaml(plan, 2) +
         "  thresholds: {checks: [\"rate == 1\"]}\n"
         "  runners: {count: 2, image: stampede-runner:test" +
         runners_extra + "}\n  startTimeoutSeconds: 30\n";
}

TEST_F(Operator, RunnerZeroRunsTheSetupAndTeardownOnceForEveryRunner) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied = plane_->apply(fixture_loadtest("fixture", target, "/api/plans"));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  ASSERT_TRUE(wait_completed("fixture", 60)) << get("fixture").dump(2) << "\n" << operator_logs();
  const nlohmann::json lt = get("fixture");
  const nlohmann::json& status = lt["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["setup"]["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["setup"]["requests"], 1);
  EXPECT_EQ(status["teardown"]["phase"], "Succeeded") << status.dump(2);
  const nlohmann::json paths = nlohmann::json::parse(target.get("/__stats").body)["by_path"];
  EXPECT_EQ(paths.value("/api/plans", 0), 1) << paths.dump();
  EXPECT_EQ(paths.value("/api/plans/1/approve", 0), 1) << paths.dump();
  EXPECT_EQ(paths.value("/api/plans/1", std::uint64_t{0}), status["results"]["requests"])
      << "both runners' users read runner 0's fixture: " << paths.dump();
  EXPECT_GT(status["results"]["requests"].get<std::uint64_t>(), 100U);
  const auto events = plane_->kubectl(
      {"get", "events", "--field-selector", "involvedObject.name=fixture", "-o", "json"});
  EXPECT_NE(events.out.find("SetupDone"), std::string::npos) << events.describe();
  EXPECT_NE(events.out.find("TeardownDone"), std::string::npos) << events.describe();
  // The values may be secrets: neither the status nor an Event holds them.
  EXPECT_EQ(lt["status"].dump().find("fixture-secret-7b1e"), std::string::npos);
  EXPECT_EQ(events.out.find("fixture-secret-7b1e"), std::string::npos);
  // The merged result has runner 0's setup.
  const auto cm = plane_->kubectl({"get", "configmap", "fixture-1-result", "-o", "json"});
  ASSERT_TRUE(cm.ok()) << cm.describe();
  const auto result = nlohmann::json::parse(
      nlohmann::json::parse(cm.out)["data"]["result.json"].get<std::string>());
  EXPECT_EQ(result["setup"]["ok"], true);
  EXPECT_EQ(result["setup"]["requests"][0]["requests"], 1);
}

// Runner 0, which ran the setup, is killed mid-test: its replacement reads the values from the
// operator's Secret, answers the operator's setup call with them and runs the teardown.
TEST_F(Operator, AReplacedRunnerZeroKeepsTheSetupsValues) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied = plane_->apply(fixture_loadtest(
      "phoenix0", target, "/api/plans", "{rate: 40, duration: 14s}", ", failurePolicy: Replace"));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  for (int i = 0; i < 300 && phase("phoenix0") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(phase("phoenix0"), "Running") << get("phoenix0").dump(2) << operator_logs();
  std::this_thread::sleep_for(seconds(7));
  ASSERT_TRUE(kubelet_->kill("phoenix0-1-runner-0"));
  ASSERT_TRUE(wait_completed("phoenix0", 90)) << get("phoenix0").dump(2) << operator_logs();
  const nlohmann::json status = get("phoenix0")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["runners"]["replacements"].size(), 1u) << status.dump(2);
  EXPECT_EQ(status["teardown"]["phase"], "Succeeded") << status.dump(2);
  const nlohmann::json paths = nlohmann::json::parse(target.get("/__stats").body)["by_path"];
  EXPECT_EQ(paths.value("/api/plans", 0), 1) << "the setup never ran again: " << paths.dump();
  EXPECT_EQ(paths.value("/api/plans/1/approve", 0), 1) << paths.dump();
  EXPECT_GT(paths.value("/api/plans/1", 0), 300) << "both segments read the fixture throughout";
  const auto args = plane_->kubectl(
      {"get", "pod", "phoenix0-1-runner-0-1", "-o", "jsonpath={.spec.containers[0].args}"});
  EXPECT_NE(args.out.find("--setup-values"), std::string::npos) << args.describe();
  EXPECT_TRUE(plane_->kubectl({"get", "secret", "phoenix0-1-setup"}).ok());
}

TEST_F(Operator, AFailedSetupFailsTheTestBeforeAnyLoad) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied = plane_->apply(fixture_loadtest("nofixture", target, "/api/nope"));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  ASSERT_TRUE(wait_completed("nofixture", 60)) << get("nofixture").dump(2) << "\n"
                                               << operator_logs();
  const nlohmann::json status = get("nofixture")["status"];
  EXPECT_EQ(status["phase"], "Failed") << status.dump(2);
  EXPECT_EQ(status["reason"], "SetupFailed");
  EXPECT_EQ(status["message"],
            "the setup failed, so the load did not start: setup.steps[0] (POST create fixture): "
            "unexpected_status (404)");
  EXPECT_EQ(status["setup"]["phase"], "Failed");
  const nlohmann::json paths = nlohmann::json::parse(target.get("/__stats").body)["by_path"];
  EXPECT_EQ(paths, nlohmann::json({{"/api/nope", 1}})) << "no load, no teardown";
}

// What Flux (kstatus, sigs.k8s.io/cli-utils) and Argo CD (examples/gitops/argocd/health.lua in
// gopher-lua) conclude about LoadTests taken from the API server in each phase: a new one and a
// running one are in progress, a passed one healthy, a failed one failed.
TEST_F(Operator, GitOpsToolsReadTheHealthOfEachPhase) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // As stored, before any operator has seen it: the status the CRD defaults says that its
  // generation is not observed yet.
  operator_->terminate();
  ASSERT_TRUE(
      plane_->apply(loadtest("gitops-new", target.url(), "{users: 1, duration: 2s}", 1)).ok());
  const nlohmann::json fresh = get("gitops-new");
  ASSERT_EQ(fresh["status"].value("observedGeneration", -1), 0) << fresh.dump();
  start_operator();
  ASSERT_TRUE(
      plane_->apply(loadtest("gitops-pass", target.url(), "{users: 2, duration: 2s}", 1)).ok());
  ASSERT_TRUE(plane_
                  ->apply(loadtest("gitops-fail", target.url(), "{users: 2, duration: 2s}", 1,
                                   R"(http_req_duration: ["p(99) < 1us"])"))
                  .ok());
  ASSERT_TRUE(
      plane_->apply(loadtest("gitops-long", target.url(), "{users: 1, duration: 30s}", 1)).ok());
  // Scheduled once a year: nothing to wait for until then.
  ASSERT_TRUE(plane_
                  ->apply(loadtest("gitops-yearly", target.url(), "{users: 1, duration: 1s}", 1) +
                          "  schedule: \"0 0 1 1 *\"\n")
                  .ok());
  for (int i = 0; i < 300 && phase("gitops-long") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  const nlohmann::json running = get("gitops-long");
  ASSERT_EQ(running["status"].value("phase", ""), "Running") << operator_logs();
  ASSERT_TRUE(wait_completed("gitops-pass", 60)) << operator_logs();
  ASSERT_TRUE(wait_completed("gitops-fail", 60)) << operator_logs();
  ASSERT_TRUE(wait_for("gitops-yearly", "{.status.nextScheduleTime}", 30)) << operator_logs();

  const nlohmann::json objects = {fresh, running, get("gitops-pass"), get("gitops-fail"),
                                  get("gitops-yearly")};
  const std::string file = write_temp_file(objects.dump(), ".json");
  const RunResult health = run_process(
      {"/bin/sh", "-c", "\"$0\" \"$1\" < \"$2\"", project_tool("STAMPEDE_HEALTH", "build-health"),
       std::string(STAMPEDE_SOURCE_DIR) + "/examples/gitops/argocd/health.lua", file},
      seconds(120));
  ASSERT_EQ(health.status.code, 0) << health.stderr_text;
  std::map<std::string, nlohmann::json> verdicts;
  std::istringstream lines(health.stdout_text);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json v = nlohmann::json::parse(line);
    verdicts[v["name"]] = v;
  }
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"gitops-new", {"InProgress", "Progressing"}},
      {"gitops-long", {"InProgress", "Progressing"}},
      {"gitops-pass", {"Current", "Healthy"}},
      {"gitops-fail", {"Failed", "Degraded"}},
      {"gitops-yearly", {"Current", "Healthy"}}};
  for (const auto& [name, tools] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(verdicts.count(name)) << health.stdout_text;
    EXPECT_EQ(verdicts[name]["kstatus"], tools.first) << verdicts[name].dump();
    EXPECT_EQ(verdicts[name]["argocd"], tools.second) << verdicts[name].dump();
  }
  EXPECT_NE(verdicts["gitops-fail"]["argocd_message"].get<std::string>().find("ThresholdsFailed"),
            std::string::npos);
  // `kubectl wait --for=condition=Ready` as Flux users write it: the passed test is Ready.
  EXPECT_TRUE(
      plane_->kubectl({"wait", "--for=condition=Ready", "loadtest/gitops-pass", "--timeout=5s"})
          .ok());
  plane_->kubectl({"delete", "loadtest", "gitops-new", "gitops-long", "gitops-pass", "gitops-fail",
                   "gitops-yearly"});
}

TEST_F(Operator, RunnersThatNeverBecomeReadyFailWithTheirReason) {
  const auto applied =
      plane_->apply(loadtest("unpullable", "http://127.0.0.1:9", "{users: 1, duration: 2s}", 1,
                             R"(http_req_failed: ["rate < 0.01"])", "unpullable/runner:none") +
                    "  # short start timeout\n");
  ASSERT_TRUE(applied.ok()) << applied.describe();
  const auto patched = plane_->kubectl({"patch", "loadtest", "unpullable", "--type=merge", "-p",
                                        R"({"spec":{"startTimeoutSeconds":3}})"});
  ASSERT_TRUE(patched.ok()) << patched.describe();
  ASSERT_TRUE(wait_completed("unpullable", 40)) << get("unpullable").dump(2) << operator_logs();
  const nlohmann::json status = get("unpullable")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["reason"], "RunnersNotReady");
  EXPECT_NE(status["message"].get<std::string>().find("ImagePullBackOff"), std::string::npos)
      << status.dump(2);
}

TEST_F(Operator, AKilledRunnerDegradesTheTest) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied =
      plane_->apply(loadtest("killed", target.url(), "{users: 2, duration: 30s}", 2));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  // Wait until it runs, then kill one runner.
  for (int i = 0; i < 200 && phase("killed") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(phase("killed"), "Running") << operator_logs();
  std::this_thread::sleep_for(seconds(2));
  ASSERT_TRUE(kubelet_->kill("killed-1-runner-1"));
  ASSERT_TRUE(wait_completed("killed", 40)) << get("killed").dump(2) << operator_logs();
  const nlohmann::json status = get("killed")["status"];
  EXPECT_EQ(status["phase"], "Failed");
  EXPECT_EQ(status["reason"], "RunnerFailed");
  EXPECT_NE(status["message"].get<std::string>().find("killed-1-runner-1"), std::string::npos);
  bool degraded = false;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "Degraded") degraded = c["status"] == "True";
  }
  EXPECT_TRUE(degraded) << status.dump(2);
}

TEST_F(Operator, ARestartedOperatorCarriesOnWithoutDuplicates) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto applied =
      plane_->apply(loadtest("restart", target.url(), "{users: 2, duration: 6s}", 2));
  ASSERT_TRUE(applied.ok()) << applied.describe();
  for (int i = 0; i < 200 && phase("restart") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(phase("restart"), "Running") << operator_logs();
  operator_->terminate();
  start_operator();
  ASSERT_TRUE(wait_completed("restart", 60)) << get("restart").dump(2) << operator_logs();
  const nlohmann::json status = get("restart")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  EXPECT_EQ(status["results"]["requests"], stats["requests"]);
  const auto pods =
      plane_->kubectl({"get", "pods", "-l", "stampede.dev/loadtest=restart", "-o", "name"});
  EXPECT_EQ(std::count(pods.out.begin(), pods.out.end(), '\n'), 2) << pods.out;
}

// The operator dies after fetching the runners' results and before storing them: the runners
// keep serving them (a fetch is no handover), and the next operator stores the full result.
TEST_F(Operator, AResultSurvivesAnOperatorKilledBetweenFetchingAndStoring) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  operator_->terminate();  // releases the Lease
  // Without leader election, so that the next replica need not wait for a Lease to expire.
  auto doomed = launch_operator(false, {{"STAMPEDE_OPERATOR_TEST_EXIT_AFTER_FETCH", "1"}});
  ASSERT_TRUE(
      plane_->apply(loadtest("survivor", target.url(), "{users: 2, duration: 2s}", 2)).ok());
  const auto exit = doomed->wait(seconds(90));
  ASSERT_TRUE(exit.has_value()) << "the operator never fetched the results\n"
                                << doomed->stderr_text() << get("survivor").dump(2);
  ASSERT_EQ(exit->code, 3) << doomed->stderr_text();
  EXPECT_EQ(phase("survivor"), "Running") << "nothing was stored before the operator died";
  // Give runners that take a fetch for a handover the time to leave.
  std::this_thread::sleep_for(seconds(2));
  start_operator();
  ASSERT_TRUE(wait_completed("survivor", 60)) << get("survivor").dump(2) << operator_logs();
  const nlohmann::json status = get("survivor")["status"];
  ASSERT_EQ(status["phase"], "Succeeded") << status.dump(2);
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  EXPECT_EQ(status["results"]["requests"], stats["requests"]) << "the full result";
  const auto cm = plane_->kubectl({"get", "configmap", "survivor-1-result", "-o", "json"});
  ASSERT_TRUE(cm.ok()) << cm.describe();
  const auto result = nlohmann::json::parse(
      nlohmann::json::parse(cm.out)["data"]["result.json"].get<std::string>());
  EXPECT_EQ(result["totals"]["requests"], stats["requests"]);
  // Acknowledged once stored: the runners exit instead of lingering for --linger.
  for (int i = 0; i < 2; ++i) {
    const std::string pod = "survivor-1-runner-" + std::to_string(i);
    std::string pod_phase;
    for (int n = 0; n < 150 && pod_phase != "Succeeded"; ++n) {
      pod_phase = plane_->kubectl({"get", "pod", pod, "-o", "jsonpath={.status.phase}"}).out;
      if (pod_phase != "Succeeded") std::this_thread::sleep_for(milliseconds(100));
    }
    EXPECT_EQ(pod_phase, "Succeeded") << pod << "\n" << kubelet_->logs(pod);
  }
}

// Deleted and created again under the same name, the new LoadTest (generation 1 again) is
// a new object: it runs at once, not at the next resync minutes later.
TEST_F(Operator, ATestRecreatedUnderTheSameNameRunsAtOnce) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string manifest = loadtest("again", target.url(), "{users: 1, duration: 1s}", 1);
  ASSERT_TRUE(plane_->apply(manifest).ok());
  ASSERT_TRUE(wait_completed("again", 60)) << get("again").dump(2) << operator_logs();
  const std::string first_uid = get("again")["metadata"]["uid"];
  ASSERT_TRUE(plane_->kubectl({"delete", "loadtest", "again", "--wait=true"}).ok());
  // The old children go first (garbage collection), so the new test starts from nothing.
  bool clean = false;
  for (int i = 0; i < 300 && !clean; ++i) {
    const auto left = plane_->kubectl(
        {"get", "pods,configmaps,secrets", "-l", "stampede.dev/loadtest=again", "-o", "name"});
    clean = left.ok() && left.out.empty();
    if (!clean) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(clean) << "children left after the LoadTest was deleted";
  ASSERT_TRUE(plane_->apply(manifest).ok());
  const nlohmann::json recreated = get("again");
  ASSERT_NE(recreated["metadata"]["uid"], first_uid);
  ASSERT_EQ(recreated["metadata"]["generation"], 1);
  ASSERT_TRUE(wait_completed("again", 30)) << "the recreated test was not picked up\n"
                                           << get("again").dump(2) << operator_logs();
  EXPECT_EQ(phase("again"), "Succeeded")
      << get("again").dump(2) << kubelet_->logs("again-1-runner-0");
}

// With no start delay every start call arrives after startTime: the runners say how late they
// began, and the LoadTest's status carries the latest (milliseconds: no Degraded condition).
TEST_F(Operator, RunnersThatStartLateSayHowLate) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  operator_->terminate();
  operator_ = launch_operator(true, {}, "0");
  ASSERT_TRUE(plane_->apply(loadtest("tardy", target.url(), "{users: 2, duration: 2s}", 2)).ok());
  ASSERT_TRUE(wait_completed("tardy", 60)) << get("tardy").dump(2) << operator_logs();
  const nlohmann::json status = get("tardy")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  ASSERT_TRUE(status["runners"].contains("startedLateSeconds")) << status.dump(2);
  const double late = status["runners"]["startedLateSeconds"].get<double>();
  EXPECT_GT(late, 0.0);
  EXPECT_LT(late, 1.0) << "the start calls follow startTime within milliseconds";
  for (const auto& c : status["conditions"]) EXPECT_NE(c["type"], "Degraded") << status.dump(2);
  const std::string logs = kubelet_->logs("tardy-1-runner-0") + kubelet_->logs("tardy-1-runner-1");
  EXPECT_NE(logs.find("starting now, late"), std::string::npos) << logs;
}

// Edited in Git, the test runs again as run 2; a new value of the rerun annotation runs it
// again as run 3. History keeps the past runs up to its limit; the result of a run that leaves
// it goes too; the pods of past runs go when the next starts. No request lost or counted twice.
TEST_F(Operator, AnEditOrTheRerunAnnotationRunsTheTestAgain) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(plane_
                  ->apply(loadtest("rerun", target.url(), "{users: 1, duration: 2s}", 1) +
                          "  historyLimit: 1\n")
                  .ok());
  ASSERT_TRUE(wait_completed("rerun", 60)) << get("rerun").dump(2) << operator_logs();
  const nlohmann::json first = get("rerun")["status"];
  ASSERT_EQ(first["run"], 1) << first.dump(2);
  EXPECT_EQ(first["trigger"], "Created");
  const std::uint64_t run1 = first["results"]["requests"].get<std::uint64_t>();

  const auto edited = plane_->kubectl({"patch", "loadtest", "rerun", "--type=merge", "-p",
                                       R"({"spec":{"load":{"duration":"1s"}}})"});
  ASSERT_TRUE(edited.ok()) << edited.describe();
  ASSERT_TRUE(wait_for("rerun", "{.status.run}=2", 30)) << get("rerun").dump(2) << operator_logs();
  // kubectl wait ignores conditions of the older generation: this is run 2's verdict.
  ASSERT_TRUE(wait_completed("rerun", 60)) << get("rerun").dump(2) << operator_logs();
  const nlohmann::json second = get("rerun")["status"];
  EXPECT_EQ(second["trigger"], "SpecChanged");
  EXPECT_EQ(second["runGeneration"], 2);
  ASSERT_EQ(second["history"].size(), 1u) << second.dump(2);
  EXPECT_EQ(second["history"][0]["run"], 1);
  EXPECT_EQ(second["history"][0]["generation"], 1);
  EXPECT_EQ(second["history"][0]["requests"], run1);
  EXPECT_EQ(second["history"][0]["resultConfigMap"], "rerun-1-result");

  ASSERT_TRUE(
      plane_->kubectl({"annotate", "loadtest", "rerun", "stampede.dev/rerun=after-deploy"}).ok());
  ASSERT_TRUE(wait_for("rerun", "{.status.run}=3", 30)) << get("rerun").dump(2) << operator_logs();
  ASSERT_TRUE(wait_completed("rerun", 60)) << get("rerun").dump(2) << operator_logs();
  const nlohmann::json third = get("rerun")["status"];
  EXPECT_EQ(third["phase"], "Succeeded") << third.dump(2);
  EXPECT_EQ(third["trigger"], "Rerun");
  EXPECT_EQ(third["rerun"], "after-deploy");
  EXPECT_EQ(third["runGeneration"], 2) << "the same spec";
  EXPECT_EQ(third["resultConfigMap"], "rerun-3-result");
  ASSERT_EQ(third["history"].size(), 1u) << "historyLimit 1";
  EXPECT_EQ(third["history"][0]["run"], 2);
  EXPECT_EQ(target_requests(target), run1 + requests_of_all_runs(third))
      << "every run's requests, once";

  // Run 1 left the history and took its result along; runs 2 and 3 keep theirs.
  EXPECT_FALSE(plane_->kubectl({"get", "configmap", "rerun-1-result"}).ok());
  EXPECT_TRUE(plane_->kubectl({"get", "configmap", "rerun-2-result"}).ok());
  EXPECT_TRUE(plane_->kubectl({"get", "configmap", "rerun-3-result"}).ok());
  // Only run 3's pod is left.
  const auto pods = plane_->kubectl({"get", "pods", "-l", "stampede.dev/loadtest=rerun", "-o",
                                     "jsonpath={.items[*].metadata.name}"});
  EXPECT_EQ(pods.out, "rerun-3-runner-0") << pods.describe();
  // The printer columns: the run number and the last verdict.
  const auto table = plane_->kubectl({"get", "loadtest", "rerun"});
  EXPECT_NE(table.out.find("RUN"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("LAST"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("rerun   3"), std::string::npos) << table.out;
}

// With onSpecChange: Replace, an edit stops the running test: its partial result is judged and
// kept as superseded, and the new spec runs at once.
TEST_F(Operator, AnEditReplacesARunningTestWhenAskedTo) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(plane_
                  ->apply(loadtest("replaced", target.url(), "{users: 2, duration: 60s}", 1) +
                          "  onSpecChange: Replace\n")
                  .ok());
  for (int i = 0; i < 300 && phase("replaced") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(phase("replaced"), "Running") << operator_logs();
  std::this_thread::sleep_for(seconds(3));
  const auto began = std::chrono::steady_clock::now();
  ASSERT_TRUE(plane_
                  ->kubectl({"patch", "loadtest", "replaced", "--type=merge", "-p",
                             R"({"spec":{"load":{"duration":"1s"}}})"})
                  .ok());
  ASSERT_TRUE(wait_for("replaced", "{.status.run}=2", 40))
      << get("replaced").dump(2) << operator_logs();
  ASSERT_TRUE(wait_completed("replaced", 60)) << get("replaced").dump(2) << operator_logs();
  EXPECT_LT(std::chrono::steady_clock::now() - began, seconds(40)) << "60 s were not waited for";
  const nlohmann::json status = get("replaced")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  ASSERT_EQ(status["history"].size(), 1u) << status.dump(2);
  const nlohmann::json& superseded = status["history"][0];
  EXPECT_EQ(superseded["reason"], "Superseded") << superseded.dump(2);
  EXPECT_GT(superseded["requests"].get<std::uint64_t>(), 0u) << "its partial result was kept";
  EXPECT_EQ(target_requests(target), requests_of_all_runs(status));
}

// failurePolicy Replace: a runner killed mid-test (SIGKILL, as the OOM killer does) is replaced
// on its segment; what it measured up to the last poll is kept, the test goes on to its verdict
// and the result says it is degraded, with the gap.
TEST_F(Operator, AKilledRunnerIsReplacedWhenThePolicySaysSo) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(run_replaceable("phoenix", target)) << operator_logs();
  ASSERT_TRUE(kubelet_->kill("phoenix-1-runner-1"));
  ASSERT_TRUE(wait_completed("phoenix", 90)) << get("phoenix").dump(2) << operator_logs();
  const nlohmann::json status = get("phoenix")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["results"]["degraded"], true) << status.dump(2);
  ASSERT_EQ(status["runners"]["replacements"].size(), 1u) << status.dump(2);
  const nlohmann::json& e = status["runners"]["replacements"][0];
  EXPECT_EQ(e["pod"], "phoenix-1-runner-1");
  EXPECT_EQ(e["source"], "Snapshot") << "killed: its last poll is what is left";
  EXPECT_GE(e["dataSeconds"].get<double>(), 3.0) << "kept from a poll at 3 s or later" << e.dump();
  const double gap = e["gapSeconds"].get<double>();
  EXPECT_GT(gap, 0.0) << e.dump();
  EXPECT_LT(gap, 10.0) << e.dump();
  EXPECT_TRUE(plane_->kubectl({"get", "configmap", e["resultConfigMap"].get<std::string>()}).ok());
  const auto args = plane_->kubectl(
      {"get", "pod", "phoenix-1-runner-1-1", "-o", "jsonpath={.spec.containers[0].args}"});
  EXPECT_NE(args.out.find("--resume"), std::string::npos) << args.describe();
  // What the killed runner did after its last poll (at most 3 s of its 20/s) is all that is
  // missing; nothing is counted twice.
  const auto merged = status["results"]["requests"].get<std::uint64_t>();
  const std::uint64_t served = target_requests(target);
  EXPECT_LE(merged, served);
  EXPECT_LE(served - merged, 90u) << "merged " << merged << ", served " << served;
  EXPECT_GT(merged, 300u) << "both segments' load, before and after the loss";
}

// A runner whose pod is deleted mid-test stops on SIGTERM and serves its final result: kept
// whole, so the merged result counts exactly what the target served.
TEST_F(Operator, ADeletedRunnersFinalResultIsKeptWhole) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(run_replaceable("evicted", target)) << operator_logs();
  ASSERT_TRUE(plane_->kubectl({"delete", "pod", "evicted-1-runner-0", "--wait=false"}).ok());
  ASSERT_TRUE(wait_completed("evicted", 90)) << get("evicted").dump(2) << operator_logs();
  const nlohmann::json status = get("evicted")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  ASSERT_EQ(status["runners"]["replacements"].size(), 1u) << status.dump(2);
  EXPECT_EQ(status["runners"]["replacements"][0]["source"], "Final") << status.dump(2);
  EXPECT_EQ(status["results"]["requests"].get<std::uint64_t>(), target_requests(target))
      << "exactly what the target served";
}

// The control plane fails under a running test: the API server goes down for 3 s and comes back
// with etcd's history compacted, so watches resuming from the versions they had get 410 Gone,
// and the operator lists again. The test goes on: no runner twice, every request counted once.
TEST_F(Operator, ATestSurvivesAnApiServerRestartWithACompactedHistory) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // One replica without a Lease: a leader whose Lease ran out in the outage would exit (and be
  // restarted, as OneReplicaLeadsAndAStandbyTakesOver shows); this one rides the outage out.
  operator_->terminate();
  operator_ = launch_operator(false, {});
  ASSERT_TRUE(plane_->apply(loadtest("outage", target.url(), "{rate: 40, duration: 16s}", 2)).ok());
  for (int i = 0; i < 300 && phase("outage") != "Running"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(phase("outage"), "Running") << operator_logs();
  // Writes the operator does not watch move etcd's revision past the operator's, then the
  // history up to now is compacted away.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(plane_->kubectl({"create", "configmap", "outage-churn-" + std::to_string(i)}).ok());
  }
  const std::int64_t compacted = plane_->compact_etcd();
  EXPECT_GT(compacted, 0);
  plane_->restart_apiserver(seconds(3));
  ASSERT_TRUE(wait_completed("outage", 90)) << get("outage").dump(2) << operator_logs();
  const nlohmann::json status = get("outage")["status"];
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_EQ(status["results"]["requests"].get<std::uint64_t>(), target_requests(target))
      << "every request once";
  const auto pods =
      plane_->kubectl({"get", "pods", "-l", "stampede.dev/loadtest=outage", "-o", "name"});
  EXPECT_EQ(std::count(pods.out.begin(), pods.out.end(), '\n'), 2) << pods.out;
  // A watch resuming from a compacted version gets 410; one that reconnects while the restarted
  // API server's authorizer is still warming up gets 403 (or 429 while its storage
  // initializes) and backs off. Either way it lists again, which may come after the test has
  // finished: the operator's requeue timers carried it meanwhile.
  for (int i = 0; i < 400 && operator_->stderr_text().find("listing again") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_NE(operator_->stderr_text().find("listing again"), std::string::npos)
      << "the watches listed again after the outage\n"
      << operator_logs();
}

TEST_F(Operator, DeletingTheTestTakesItsChildren) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(plane_->apply(loadtest("gone", target.url(), "{users: 1, duration: 1s}", 1)).ok());
  ASSERT_TRUE(wait_completed("gone", 60)) << get("gone").dump(2) << operator_logs();
  ASSERT_TRUE(plane_->kubectl({"delete", "loadtest", "gone", "--wait=true"}).ok());
  bool clean = false;
  for (int i = 0; i < 300 && !clean; ++i) {
    const auto left = plane_->kubectl(
        {"get", "pods,configmaps,secrets", "-l", "stampede.dev/loadtest=gone", "-o", "name"});
    clean = left.ok() && left.out.empty();
    if (!clean) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(clean) << "children left after the LoadTest was deleted";
}

// How often the operator has reconciled one LoadTest so far (its debug log says each time).
std::size_t reconciles_of(const Subprocess& op, const std::string& name) {
  const std::string log = op.stderr_text();
  const std::string needle = "reconciled default/" + name + " ";
  std::size_t count = 0;
  for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST_F(Operator, AFinishedTestCostsNoFurtherReconciles) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(plane_->apply(loadtest("settled", target.url(), "{users: 1, duration: 1s}", 1)).ok());
  ASSERT_TRUE(wait_completed("settled", 60)) << get("settled").dump(2) << operator_logs();
  // The runner exits once its result is fetched; its pod's last change is the final event.
  std::string pod_phase;
  for (int i = 0; i < 300 && pod_phase != "Succeeded" && pod_phase != "Failed"; ++i) {
    pod_phase =
        plane_->kubectl({"get", "pod", "settled-1-runner-0", "-o", "jsonpath={.status.phase}"}).out;
    if (pod_phase != "Succeeded" && pod_phase != "Failed")
      std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(pod_phase, "Succeeded");
  // Requeues the running test asked for (every 3 s) may still fire once; a loop would not stop.
  std::this_thread::sleep_for(seconds(4));
  // Other tests' LoadTests share this control plane; count this one's reconciles only.
  const std::size_t before = reconciles_of(*operator_, "settled");
  EXPECT_GT(before, 0u);
  std::this_thread::sleep_for(seconds(3));
  EXPECT_EQ(reconciles_of(*operator_, "settled"), before)
      << "a finished test is reconciled again and again: the status write loops";
}

bool leads(std::uint16_t port) {
  try {
    // A whole line: the HELP text also starts with "stampede_operator_leader 1".
    return http_get("127.0.0.1", port, "/metrics").body.find("\nstampede_operator_leader 1\n") !=
           std::string::npos;
  } catch (const std::exception&) {
    return false;
  }
}

TEST_F(Operator, OneReplicaLeadsAndAStandbyTakesOver) {
  // SetUp started the first replica; it leads.
  for (int i = 0; i < 100 && !leads(operator_port_); ++i)
    std::this_thread::sleep_for(milliseconds(100));
  ASSERT_TRUE(leads(operator_port_)) << operator_logs();
  const std::uint16_t first_port = operator_port_;
  auto first = std::move(operator_);
  start_operator();  // a second replica, with another identity
  std::this_thread::sleep_for(seconds(3));
  EXPECT_FALSE(leads(operator_port_))
      << "two leaders at once: "
      << plane_->kubectl({"get", "lease", "-n", "stampede-system", "-o", "yaml"}).out;
  EXPECT_TRUE(leads(first_port));
  // The leader stops and releases the Lease: the standby takes over and does the work.
  first->terminate();
  bool took_over = false;
  for (int i = 0; i < 100 && !took_over; ++i) {
    took_over = leads(operator_port_);
    if (!took_over) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(took_over) << operator_logs();
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ASSERT_TRUE(plane_->apply(loadtest("standby", target.url(), "{users: 1, duration: 1s}", 1)).ok());
  ASSERT_TRUE(wait_completed("standby", 60)) << get("standby").dump(2) << operator_logs();
  EXPECT_EQ(phase("standby"), "Succeeded");
}

TEST_F(Operator, ItsPermissionsAreMinimal) {
  const std::string as = "--as=" + service_account_;
  auto can = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "can-i");
    args.insert(args.begin(), "auth");
    args.push_back(as);
    return plane_->kubectl(args).out.rfind("yes", 0) == 0;
  };
  EXPECT_TRUE(can({"create", "pods", "-n", "default"}));
  EXPECT_TRUE(can({"patch", "loadtests.stampede.dev", "--subresource=status", "-n", "default"}));
  EXPECT_FALSE(can({"get", "secrets", "-n", "default"})) << "it never reads a Secret";
  EXPECT_FALSE(can({"list", "secrets", "-n", "kube-system"}));
  EXPECT_FALSE(can({"update", "loadtests.stampede.dev", "-n", "default"})) << "spec is the user's";
  EXPECT_FALSE(can({"create", "deployments.apps", "-n", "default"}));
  EXPECT_FALSE(can({"delete", "nodes"}));
  EXPECT_FALSE(can({"create", "pods", "--subresource=exec", "-n", "default"}));
  EXPECT_FALSE(can({"list", "configmaps", "-n", "default"}));
  // Leader election: its own Lease, in its own namespace, and nothing else.
  EXPECT_TRUE(
      can({"update", "leases.coordination.k8s.io/" + lease_name_, "-n", "stampede-system"}));
  EXPECT_FALSE(can({"update", "leases.coordination.k8s.io/another", "-n", "stampede-system"}));
  EXPECT_FALSE(can({"create", "leases.coordination.k8s.io", "-n", "default"}));
  EXPECT_FALSE(can({"get", "secrets", "-n", "stampede-system"})) << "not even its token key";
  EXPECT_FALSE(can({"create", "clusterrolebindings.rbac.authorization.k8s.io"}));
  EXPECT_FALSE(can({"escalate", "clusterroles.rbac.authorization.k8s.io"}));
}

TEST_F(Operator, ServesHealthAndMetrics) {
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    try {
      ready = http_get("127.0.0.1", operator_port_, "/readyz").status == 200;
    } catch (const std::exception&) {
    }
    if (!ready) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(ready) << operator_logs();
  EXPECT_EQ(http_get("127.0.0.1", operator_port_, "/healthz").status, 200);
  const auto metrics = http_get("127.0.0.1", operator_port_, "/metrics").body;
  EXPECT_NE(metrics.find("stampede_operator_reconciles_total"), std::string::npos);
  EXPECT_NE(metrics.find("\nstampede_operator_leader 1\n"), std::string::npos) << metrics;
}

// The test created with `schedule: "* * * * *"` when the suite began has run at its minutes
// while the other cases ran: each run started by the schedule, on a whole minute, none skipped,
// and the target counted exactly the requests of all runs. Suspended, it has no next time.
TEST_F(Operator, AScheduleRunsTheTestAtItsTimes) {
  ASSERT_TRUE(wait_for("minutely", "{.status.lastResult}=Passed", 90))
      << get("minutely").dump(2) << operator_logs();
  const nlohmann::json before = get("minutely")["status"];
  ASSERT_TRUE(before.contains("nextScheduleTime")) << before.dump(2);
  std::string error;
  const auto last = parse_rfc3339(before["lastScheduleTime"].get<std::string>(), &error);
  const auto next = parse_rfc3339(before["nextScheduleTime"].get<std::string>(), &error);
  ASSERT_TRUE(last && next) << before.dump(2);
  EXPECT_EQ(*next - *last, seconds(60));
  EXPECT_EQ(std::chrono::duration_cast<seconds>(last->time_since_epoch()).count() % 60, 0);

  ASSERT_TRUE(plane_
                  ->kubectl({"patch", "loadtest", "minutely", "--type=merge", "-p",
                             R"({"spec":{"suspend":true}})"})
                  .ok());
  nlohmann::json status;
  for (int i = 0; i < 300; ++i) {
    status = get("minutely")["status"];
    const std::string p = status.value("phase", "");
    if (!status.contains("nextScheduleTime") && (p == "Succeeded" || p == "Failed")) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_FALSE(status.contains("nextScheduleTime")) << status.dump(2);
  EXPECT_EQ(status["phase"], "Succeeded") << status.dump(2);
  EXPECT_GE(status["run"].get<int>(), 1);
  EXPECT_EQ(status["trigger"], "Schedule");
  for (const auto& h : status.value("history", nlohmann::json::array())) {
    EXPECT_EQ(h["trigger"], "Schedule") << h.dump();
  }
  EXPECT_EQ(status.value("skippedScheduleTimes", 0), 0) << status.dump(2);
  EXPECT_EQ(target_requests(*scheduled_target_), requests_of_all_runs(status)) << status.dump(2);
}

}  // namespace
}  // namespace stampede::testing
