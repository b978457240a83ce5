// The whole product on a real node (scripts/cluster: kubelet, containerd, runc, CNI bridge,
// kube-proxy): the Helm chart installed as the README says, the operator as 2 replicas of its
// image, the demo target as a pod behind a Service, runner pods from the runner image, and the
// failures a user meets with the kubelet's own reasons. Run by scripts/test between
// `scripts/cluster up` and `scripts/cluster down`; by hand the same way (README, "A real node").
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/dashboard_queries.h"
#include "support/http_client.h"
#include "support/project_tool.h"
#include "support/prometheus.h"
#include "support/real_cluster.h"

namespace stampede::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kNamespace = "e2e";
constexpr const char* kRunnerImage = "localhost/stampede/stampede-runner:0.1.0";

std::string source(const std::string& path) {
  return std::string(STAMPEDE_SOURCE_DIR) + "/" + path;
}

// `text` with every line indented by `spaces` (a plan's keys under a LoadTest's spec).
std::string indented(const std::string& text, int spaces) {
  std::istringstream lines(text);
  std::string out;
  for (std::string line; std::getline(lines, line);) {
    out += std::string(static_cast<std::size_t>(spaces), ' ') + line + "\n";
  }
  return out;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class Node : public ::testing::Test {
 public:
  // Once for the whole binary (NodeEnvironment): the chart and the target, shared by every suite.
  static void set_up_cluster() {
    try {
      cluster_ = new RealCluster();
      install_chart();
      deploy_target();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }

  static void tear_down_cluster() {
    delete cluster_;
    cluster_ = nullptr;
  }

 protected:
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "the cluster's setup failed"; }

  // The README's `helm install`, with the image repositories at their defaults (the images are
  // imported into containerd as localhost/stampede/...) and two replicas for leader election.
  static void install_chart() {
    cluster_->helm({"uninstall", "stampede", "--namespace", "stampede", "--wait"});
    const std::vector<std::string> args{"install",
                                        "stampede",
                                        source("charts/stampede"),
                                        "--namespace",
                                        "stampede",
                                        "--create-namespace",
                                        "--set",
                                        "replicaCount=2",
                                        "--wait",
                                        "--timeout",
                                        "100s"};
    const RunResult r = cluster_->helm(args);
    if (r.status.code != 0) {
      throw std::runtime_error("helm install: " + r.stderr_text + r.stdout_text + "\nkubelet:\n" +
                               cluster_->log_tail("kubelet"));
    }
  }

  static void deploy_target() {
    cluster_->kubectl({"create", "namespace", kNamespace});
    const KubectlResult applied = cluster_->kubectl(
        {"apply", "-n", kNamespace, "-f", source("examples/kubernetes/demo-target.yaml")});
    if (!applied.ok()) throw std::runtime_error(applied.describe());
    const KubectlResult ready = cluster_->kubectl(
        {"-n", kNamespace, "rollout", "status", "deployment/demo-target", "--timeout=90s"},
        seconds(100));
    if (!ready.ok()) throw std::runtime_error(ready.describe());
    target_ip_ = cluster_
                     ->kubectl({"-n", kNamespace, "get", "service", "demo-target", "-o",
                                "jsonpath={.spec.clusterIP}"})
                     .out;
    // Through kube-proxy's rules: the Service routes before any test relies on it.
    const bool answers = RealCluster::eventually(
        [] {
          try {
            return http_get(target_ip_, 8080, "/health").status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        seconds(30));
    if (!answers) throw std::runtime_error("the demo-target Service does not answer");
  }

  static std::string target_url() { return "http://" + target_ip_ + ":8080"; }

  // The target's own counters (GET /__stats) through its Service.
  static nlohmann::json target_stats() {
    return nlohmann::json::parse(http_get(target_ip_, 8080, "/__stats").body);
  }
  static void reset_target() { http_post(target_ip_, 8080, "/__reset", ""); }

  static nlohmann::json loadtest(const std::string& name) {
    return cluster_->get_json({"-n", kNamespace, "loadtest", name});
  }
  static std::string phase(const std::string& name) {
    const nlohmann::json lt = loadtest(name);
    return lt.is_object() ? lt.value("/status/phase"_json_pointer, "") : "";
  }

  // `kubectl wait --for=condition=Completed`, as users wait.
  static KubectlResult wait_completed(const std::string& name, int timeout_seconds) {
    return cluster_->kubectl(
        {"-n", kNamespace, "wait", "--for=condition=Completed", "loadtest/" + name,
         "--timeout=" + std::to_string(timeout_seconds) + "s"},
        seconds(timeout_seconds + 10));
  }

  static bool wait_phase(const std::string& name, const std::string& wanted, int timeout_seconds) {
    return RealCluster::eventually([&] { return phase(name) == wanted; }, seconds(timeout_seconds));
  }

  static nlohmann::json runner_pods(const std::string& name) {
    const nlohmann::json pods =
        cluster_->get_json({"-n", kNamespace, "pods", "-l", "stampede.dev/loadtest=" + name});
    return pods.is_object() ? pods["items"] : nlohmann::json::array();
  }

  // Deletes a LoadTest; its pods go with it (owner references). No test counts what a stopped
  // runner still sends, so the pods' termination is not waited for.
  static void remove(const std::string& name) {
    cluster_->kubectl({"-n", kNamespace, "delete", "loadtest", name, "--wait=true"}, seconds(60));
  }

  // A LoadTest in the e2e namespace against the demo target.
  static std::string manifest(const std::string& name, const std::string& spec) {
    return "apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\nmetadata:\n  name: " + name +
           "\n  namespace: " + std::string(kNamespace) +
           "\nspec:\n  target:\n    url: " + target_url() + "\n" + spec;
  }

  static std::string describe(const std::string& name) {
    return cluster_->kubectl({"-n", kNamespace, "describe", "loadtest", name}).out + "\npods:\n" +
           cluster_->kubectl({"-n", kNamespace, "get", "pods", "-o", "wide"}).out + "\nkubelet:\n" +
           cluster_->log_tail("kubelet", 2000);
  }

  static std::string leader() {
    return cluster_
        ->kubectl({"-n", "stampede", "get", "lease", "stampede-operator", "-o",
                   "jsonpath={.spec.holderIdentity}"})
        .out;
  }

  static std::vector<std::string> operator_pods() {
    const nlohmann::json pods = cluster_->get_json(
        {"-n", "stampede", "pods", "-l", "app.kubernetes.io/name=stampede-operator"});
    std::vector<std::string> names;
    if (!pods.is_object()) return names;
    for (const auto& p : pods["items"]) {
      if (!p.contains("/metadata/deletionTimestamp"_json_pointer)) {
        names.push_back(p["metadata"]["name"]);
      }
    }
    return names;
  }

  static RealCluster* cluster_;
  static std::string setup_error_;
  static std::string target_ip_;
};

RealCluster* Node::cluster_ = nullptr;
std::string Node::setup_error_;
std::string Node::target_ip_;

class NodeEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { Node::set_up_cluster(); }
  void TearDown() override { Node::tear_down_cluster(); }
};

[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new NodeEnvironment);

// The chart as installed: the Deployment ready as the chart's ServiceAccount, one leader of two,
// the metrics Service answering through kube-proxy.
TEST_F(Node, TheChartInstallsAndOneOfTwoReplicasLeads) {
  const nlohmann::json deployment =
      cluster_->get_json({"-n", "stampede", "deployment", "stampede-operator"});
  ASSERT_TRUE(deployment.is_object());
  EXPECT_EQ(deployment["status"].value("readyReplicas", 0), 2) << deployment["status"].dump();
  EXPECT_EQ(deployment["spec"]["template"]["spec"].value("serviceAccountName", ""),
            "stampede-operator");
  const std::vector<std::string> pods = operator_pods();
  ASSERT_EQ(pods.size(), 2u);
  // One of these two holds the Lease (after a reinstall by hand, once the last install's
  // holder has let it expire).
  EXPECT_TRUE(RealCluster::eventually(
      [&] {
        const std::string holder = leader();
        return holder == pods[0] || holder == pods[1];
      },
      seconds(60)))
      << "the Lease is held by \"" << leader() << "\"";

  const std::string ip =
      cluster_
          ->kubectl({"-n", "stampede", "get", "service", "stampede-operator-metrics", "-o",
                     "jsonpath={.spec.clusterIP}"})
          .out;
  ASSERT_FALSE(ip.empty());
  const HttpResponse metrics = http_get(ip, 8080, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("stampede_operator_leader"), std::string::npos) << metrics.body;
}

// The README's example, pointed at the demo target's Service as the README says to point it at
// a service of yours: real runner pods, the result exact against the target's counters, the
// result ConfigMap turned into a report.
TEST_F(Node, TheReadmeExampleRunsOnRealRunnerPodsWithExactCounts) {
  reset_target();
  std::string example = read_file(source("examples/loadtest.yaml"));
  const std::string url = "http://checkout.shop.svc:8080";
  ASSERT_NE(example.find(url), std::string::npos);
  example.replace(example.find(url), url.size(), target_url());
  const std::string name = "checkout-smoke";
  cluster_->kubectl({"-n", kNamespace, "delete", "loadtest", name, "--ignore-not-found"});
  const std::string file = cluster_->directory() + "/checkout-smoke.yaml";
  std::ofstream(file) << example;
  const KubectlResult applied = cluster_->kubectl({"-n", kNamespace, "apply", "-f", file});
  ASSERT_TRUE(applied.ok()) << applied.describe();

  ASSERT_TRUE(wait_phase(name, "Running", 120)) << describe(name);
  const nlohmann::json pods = runner_pods(name);
  ASSERT_EQ(pods.size(), 1u) << describe(name);
  const nlohmann::json& pod = pods[0];
  const nlohmann::json& container = pod["spec"]["containers"][0];
  EXPECT_EQ(container.value("image", ""), kRunnerImage);
  EXPECT_EQ(pod["spec"]["securityContext"].value("runAsNonRoot", false), true);
  EXPECT_EQ(pod["spec"]["securityContext"]["seccompProfile"].value("type", ""), "RuntimeDefault");
  EXPECT_EQ(container["securityContext"].value("readOnlyRootFilesystem", false), true);
  EXPECT_EQ(container["securityContext"].value("allowPrivilegeEscalation", true), false);
  EXPECT_EQ(container["securityContext"]["capabilities"]["drop"], nlohmann::json({"ALL"}));
  EXPECT_EQ(container["readinessProbe"]["httpGet"].value("path", ""), "/readyz");
  // Derived from the plan's peak (50/s, 100 in flight on one runner): 0.1 core (the floor) and
  // 64 MiB + 32 KiB per user.
  EXPECT_EQ(container["resources"]["requests"],
            nlohmann::json({{"cpu", "100m"}, {"memory", "68Mi"}}))
      << container["resources"].dump();
  EXPECT_EQ(pod["status"].value("phase", ""), "Running");

  const KubectlResult done = wait_completed(name, 120);
  ASSERT_TRUE(done.ok()) << done.describe() << describe(name);
  const nlohmann::json lt = loadtest(name);
  EXPECT_EQ(lt["status"].value("phase", ""), "Succeeded") << lt["status"].dump();
  const nlohmann::json results = lt["status"]["results"];
  const nlohmann::json stats = target_stats();
  // Every request the runner counted reached the target, and nothing else did but the probes.
  const nlohmann::json& by_path = stats["by_path"];
  const std::uint64_t home = by_path.value("/", 0), product = by_path.value("/bytes/2048", 0),
                      orders = by_path.value("/echo", 0);
  EXPECT_EQ(results.value("requests", 0ull), home + product + orders) << stats.dump();
  EXPECT_EQ(results.value("failures", 1ull), 0u);
  // Arrival-rate stages ramp (as k6's): 0 to 20/s over 5 s and 20 to 50/s over 10 s.
  EXPECT_EQ(results.value("iterations", 0ull), 400u) << results.dump();

  const std::string result_json =
      cluster_
          ->kubectl({"-n", kNamespace, "get", "configmap", name + "-1-result", "-o",
                     "jsonpath={.data.result\\.json}"})
          .out;
  const nlohmann::json result = nlohmann::json::parse(result_json, nullptr, false);
  ASSERT_TRUE(result.is_object()) << result_json.substr(0, 400);
  EXPECT_EQ(result["totals"].value("requests", 0ull), home + product + orders);
  for (const auto& row : result["requests"]) {
    const std::string row_name = row.value("name", "");
    const std::uint64_t expected = row_name == "/"               ? home
                                   : row_name == "/product/{id}" ? product
                                                                 : orders;
    EXPECT_EQ(row.value("requests", 0ull), expected) << row_name;
  }
  // `stampede report -` of the ConfigMap, as the README shows.
  const std::string html = cluster_->directory() + "/checkout-smoke.html";
  const std::string pipeline =
      R"("$0" --kubeconfig="$1" -n e2e get configmap checkout-smoke-1-result )"
      R"(-o jsonpath='{.data.result\.json}' | "$2" report - --html "$3")";
  const RunResult report = run_process({"sh", "-c", pipeline, kube_bin_dir() + "/kubectl",
                                        cluster_->kubeconfig(), STAMPEDE_BIN, html},
                                       seconds(60));
  ASSERT_EQ(report.status.code, 0) << report.stderr_text;
  EXPECT_NE(read_file(html).find("checkout-smoke"), std::string::npos);
  remove(name);
}

// A plan's data file from a ConfigMap and its JWT secret from a Secret, through
// spec.runners.volumes: the runner pods read them as `stampede run` reads local files, and the
// target accepts every token signed with the mounted secret.
TEST_F(Node, DataFilesAndJwtSecretsReachTheRunnersThroughVolumes) {
  reset_target();
  const std::string name = "mounted";
  cluster_->kubectl(
      {"-n", kNamespace, "delete", "configmap,secret", "sizes", "--ignore-not-found"});
  ASSERT_TRUE(cluster_
                  ->kubectl({"-n", kNamespace, "create", "configmap", "sizes",
                             "--from-literal=sizes.csv=n\n16\n32\n64\n"})
                  .ok());
  // The target's default HS256 secret (stampede-target --jwt-secret).
  ASSERT_TRUE(cluster_
                  ->kubectl({"-n", kNamespace, "create", "secret", "generic", "sizes",
                             "--from-literal=secret=stampede-demo-secret"})
                  .ok());
  const std::string spec = R"(    auth:
      jwt:
        secret: {file: /var/run/secrets/jwt/secret}
        claims: {sub: "user-{{ userIndex }}"}
  load: {rate: 20, duration: 5s, maxInFlight: 20}
  data:
    sizes: {file: /data/sizes.csv}
  scenarios:
    - name: mounted
      steps:
        - {get: "/bytes/{{ sizes.n }}", name: sized}
        - {get: /api/secure, name: secure}
  runners:
    count: 2
    volumes:
      - {name: data, configMap: {name: sizes}}
      - {name: jwt, secret: {secretName: sizes}}
    volumeMounts:
      - {name: data, mountPath: /data, readOnly: true}
      - {name: jwt, mountPath: /var/run/secrets/jwt, readOnly: true}
)";
  const std::string file = cluster_->directory() + "/mounted.yaml";
  std::ofstream(file) << manifest(name, spec);
  const KubectlResult applied = cluster_->kubectl({"-n", kNamespace, "apply", "-f", file});
  ASSERT_TRUE(applied.ok()) << applied.describe();
  const KubectlResult done = wait_completed(name, 120);
  ASSERT_TRUE(done.ok()) << done.describe() << describe(name);
  const nlohmann::json status = loadtest(name)["status"];
  ASSERT_EQ(status.value("phase", ""), "Succeeded") << status.dump() << describe(name);

  const nlohmann::json stats = target_stats();
  const nlohmann::json& by_path = stats["by_path"];
  std::uint64_t sized = 0;
  for (const char* path : {"/bytes/16", "/bytes/32", "/bytes/64"}) {
    EXPECT_GT(by_path.value(path, 0ull), 0u) << path << " in " << by_path.dump();
    sized += by_path.value(path, 0ull);
  }
  // 20 arrivals a second for 5 s, each one request of each step.
  EXPECT_EQ(sized, 100u) << stats.dump();
  EXPECT_EQ(stats["api"].value("jwt_accepted", 0ull), 100u) << stats.dump();
  EXPECT_EQ(stats["api"].value("jwt_rejected", 1ull), 0u) << stats.dump();
  EXPECT_EQ(status["results"].value("requests", 0ull), 200u) << status["results"].dump();
  EXPECT_EQ(status["results"].value("failures", 1ull), 0u) << status["results"].dump();
  remove(name);
}

// The failures a user meets, each in the LoadTest's status with the kubelet's own reason.
class NodeFailures : public Node {
 protected:
  // The start failures are applied together (each waits for its own outcome), so their
  // start timeouts pass side by side.
  static void SetUpTestSuite() {
    if (cluster_ == nullptr || !setup_error_.empty()) return;
    for (const auto& [name, runners] : std::vector<std::pair<std::string, std::string>>{
             {"no-image", "    image: localhost/stampede/no-such-runner:0.1.0\n"},
             {"too-big", "    resources:\n      requests: {cpu: \"64\"}\n"},
             {"tiny-memory",
              "    resources:\n      requests: {memory: 24Mi}\n      limits: {memory: 24Mi}\n"}}) {
      // 4,000 users need far more than 24 MiB; the others would run 20 s at 10/s.
      const std::string load = name == "tiny-memory"
                                   ? "{users: 4000, spawnRate: 4000, duration: 20s}"
                                   : "{rate: 10, duration: 20s}";
      applied_[name] = cluster_->apply(failing(name, "    count: 1\n" + runners, load));
    }
    // A data file the runner pods do not have (no volume holds it).
    applied_["unmounted"] = cluster_->apply(manifest(
        "unmounted",
        "  load: {rate: 10, duration: 20s}\n  data:\n    ids: {file: /data/ids.csv}\n"
        "  scenarios:\n    - name: s\n      steps:\n        - get: \"/items/{{ ids.id }}\"\n"
        "  startTimeoutSeconds: 10\n  runners:\n    count: 1\n"));
  }

  // A short test; `runners` is the operator's part of the spec.
  static std::string failing(const std::string& name, const std::string& runners,
                             const std::string& load = "{rate: 10, duration: 20s}",
                             int start_timeout_seconds = 10) {
    return manifest(name, "  load: " + load +
                              "\n  scenarios:\n    - name: s\n      steps:\n        - get: /\n"
                              "  startTimeoutSeconds: " +
                              std::to_string(start_timeout_seconds) + "\n  runners:\n" + runners);
  }

  // Waits for the test applied in SetUpTestSuite to fail; status.reason + ": " + status.message.
  static std::string failure(const std::string& name) {
    const KubectlResult& applied = applied_[name];
    if (!applied.ok()) return "apply failed: " + applied.describe();
    if (!wait_phase(name, "Failed", 90)) return "not Failed: " + describe(name);
    const nlohmann::json status = loadtest(name)["status"];
    remove(name);
    return status.value("reason", "") + ": " + status.value("message", "");
  }

  static std::map<std::string, KubectlResult> applied_;
};

std::map<std::string, KubectlResult> NodeFailures::applied_;

// containerd tries the image's registry, localhost, which refuses on loopback: the kubelet's
// ErrImagePull / ImagePullBackOff names the problem once the start timeout passes.
TEST_F(NodeFailures, AnImageThatDoesNotExist) {
  const std::string why = failure("no-image");
  EXPECT_NE(why.find("RunnersNotReady"), std::string::npos) << why;
  EXPECT_TRUE(why.find("ImagePullBackOff") != std::string::npos ||
              why.find("ErrImagePull") != std::string::npos)
      << why;
}

// More CPU than the node has: the scheduler's Unschedulable with its message.
TEST_F(NodeFailures, RequestsNoNodeCanSatisfy) {
  const std::string why = failure("too-big");
  EXPECT_NE(why.find("RunnersNotReady"), std::string::npos) << why;
  EXPECT_NE(why.find("Unschedulable"), std::string::npos) << why;
  EXPECT_NE(why.find("Insufficient cpu"), std::string::npos) << why;
}

// A memory limit below what the users need: the kernel kills the runner, the kubelet says
// OOMKilled, the operator fails the test at once with it.
TEST_F(NodeFailures, ARunnerMemoryLimitTooSmall) {
  const std::string why = failure("tiny-memory");
  EXPECT_NE(why.find("OOMKilled"), std::string::npos) << why;
}

// The runner exits at once, naming the file; the kubelet keeps the end of its log as the
// container's termination message, and the status carries it.
TEST_F(NodeFailures, ADataFileThatNoVolumeHolds) {
  const std::string why = failure("unmounted");
  EXPECT_NE(why.find("RunnerFailed"), std::string::npos) << why;
  EXPECT_NE(why.find("exit code 2"), std::string::npos) << why;
  EXPECT_NE(why.find("/data/ids.csv"), std::string::npos) << why;
}

// A runner pod deleted while the test runs: RunnerFailed naming the pod, the other runner
// stopped.
TEST_F(NodeFailures, ARunnerPodDeletedMidTest) {
  const std::string name = "lose-a-runner";
  ASSERT_TRUE(
      cluster_->apply(failing(name, "    count: 2\n", "{rate: 10, duration: 20s}", 120)).ok());
  ASSERT_TRUE(wait_phase(name, "Running", 120)) << describe(name);
  const KubectlResult deleted =
      cluster_->kubectl({"-n", kNamespace, "delete", "pod", name + "-1-runner-1", "--wait=false"});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  ASSERT_TRUE(wait_phase(name, "Failed", 60)) << describe(name);
  const nlohmann::json status = loadtest(name)["status"];
  EXPECT_EQ(status.value("reason", ""), "RunnerFailed") << status.dump();
  EXPECT_NE(status.value("message", "").find(name + "-1-runner-1"), std::string::npos)
      << status.dump();
  remove(name);
}

// The leading operator's pod deleted mid-test: the standby takes the Lease and carries the test
// to its end with the same runner pods (none created twice), and the counts stay exact.
TEST_F(Node, TheStandbyOperatorTakesOverMidTest) {
  reset_target();
  const std::string name = "survive-the-operator";
  const std::string yaml =
      manifest(name,
               "  load: {rate: 40, duration: 20s}\n  scenarios:\n    - name: s\n      steps:\n"
               "        - get: /\n          name: home\n  runners:\n    count: 2\n");
  ASSERT_TRUE(cluster_->apply(yaml).ok());
  ASSERT_TRUE(wait_phase(name, "Running", 120)) << describe(name);
  std::set<std::string> uids;
  for (const auto& pod : runner_pods(name)) uids.insert(pod["metadata"]["uid"]);
  ASSERT_EQ(uids.size(), 2u);

  const std::string old_leader = leader();
  ASSERT_FALSE(old_leader.empty());
  const KubectlResult deleted =
      cluster_->kubectl({"-n", "stampede", "delete", "pod", old_leader, "--wait=false"});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  EXPECT_TRUE(RealCluster::eventually(
      [&] {
        const std::string now = leader();
        return !now.empty() && now != old_leader;
      },
      seconds(60)))
      << "the Lease is still held by " << leader();

  const KubectlResult done = wait_completed(name, 120);
  ASSERT_TRUE(done.ok()) << done.describe() << describe(name);
  const nlohmann::json lt = loadtest(name);
  EXPECT_EQ(lt["status"].value("phase", ""), "Succeeded") << lt["status"].dump();
  std::set<std::string> after;
  for (const auto& pod : runner_pods(name)) after.insert(pod["metadata"]["uid"]);
  EXPECT_EQ(after, uids) << "runner pods were created again";
  const std::uint64_t requests = lt["status"]["results"].value("requests", 0ull);
  EXPECT_EQ(requests, 800u) << "20 s at 40/s";
  EXPECT_EQ(target_stats()["by_path"].value("/", 0ull), requests);
  remove(name);
  // The Deployment has replaced the deleted replica: two again, for the tests after this one.
  EXPECT_TRUE(RealCluster::eventually([] { return operator_pods().size() == 2; }, seconds(60)));
}

// failurePolicy Replace on a real kubelet: a runner pod deleted mid-test gets SIGTERM, stops and
// serves its final result during its grace period; the operator keeps it, a replacement pod takes
// over the segment where the schedule is, and the merged result counts exactly what the target
// served, marked degraded with the gap.
TEST_F(Node, ADeletedRunnerPodIsReplacedAndItsResultKept) {
  reset_target();
  const std::string name = "replace-a-runner";
  const std::string yaml =
      manifest(name,
               "  load: {rate: 40, duration: 30s}\n  scenarios:\n    - name: s\n      steps:\n"
               "        - get: /\n          name: home\n  runners:\n    count: 2\n"
               "    failurePolicy: Replace\n");
  ASSERT_TRUE(cluster_->apply(yaml).ok());
  ASSERT_TRUE(wait_phase(name, "Running", 120)) << describe(name);
  std::this_thread::sleep_for(seconds(8));
  const KubectlResult deleted =
      cluster_->kubectl({"-n", kNamespace, "delete", "pod", name + "-1-runner-1", "--wait=false"});
  ASSERT_TRUE(deleted.ok()) << deleted.describe();
  const KubectlResult done = wait_completed(name, 180);
  ASSERT_TRUE(done.ok()) << done.describe() << describe(name);
  const nlohmann::json status = loadtest(name)["status"];
  EXPECT_EQ(status.value("phase", ""), "Succeeded") << status.dump();
  ASSERT_EQ(status["runners"]["replacements"].size(), 1u) << status.dump();
  const nlohmann::json& e = status["runners"]["replacements"][0];
  EXPECT_EQ(e.value("source", ""), "Final") << e.dump();
  EXPECT_GT(e.value("gapSeconds", -1.0), 0.0) << e.dump();
  EXPECT_EQ(status["results"].value("degraded", false), true);
  const std::uint64_t requests = status["results"].value("requests", 0ull);
  EXPECT_EQ(target_stats()["by_path"].value("/", 0ull), requests) << "exactly what was served";
  EXPECT_LT(requests, 1200u) << "the gap's arrivals were not made up";
  remove(name);
}

// The shipped scrape configuration (dashboards/prometheus/scrape-config.yaml) with Kubernetes
// service discovery, in Prometheus 3 on the host: it finds the runner pods by their labels,
// scrapes them on their pod IPs, every dashboard query returns data, and the sums equal the
// result's (each agent waits for a last scrape before it exits).
class NodePrometheus : public Node {
 protected:
  // The shipped configuration, told where the API server is: Prometheus runs on the host here,
  // not in a pod with a ServiceAccount.
  static std::string scrape_config() {
    YAML::Node config = YAML::LoadFile(source("dashboards/prometheus/scrape-config.yaml"));
    for (YAML::Node job : config["scrape_configs"]) {
      for (YAML::Node sd : job["kubernetes_sd_configs"])
        sd["kubeconfig_file"] = cluster_->kubeconfig();
    }
    YAML::Emitter out;
    out << config;
    return out.c_str();
  }

  static double sum_of(const PrometheusProcess& prometheus, const std::string& expr) {
    const nlohmann::json result = prometheus.query(expr)["data"]["result"];
    return result.empty() ? -1 : std::stod(result[0]["value"][1].get<std::string>());
  }
};

TEST_F(NodePrometheus, ScrapesTheRunnerPodsForEveryDashboardQuery) {
  PrometheusConfig config{scrape_config()};
  config.binary = project_tool("STAMPEDE_PROMETHEUS", "build-prometheus") + "/prometheus";
  PrometheusProcess prometheus(config);
  const std::string name = "scraped";
  // Every panel of the dashboard has something to show (every_panel_scenarios()).
  const std::string yaml =
      manifest(name, "  load: {rate: 60, duration: 25s, preAllocatedUsers: 10}\n" +
                         indented(every_panel_scenarios(), 2) + "  runners:\n    count: 2\n");
  ASSERT_TRUE(cluster_->apply(yaml).ok());
  ASSERT_TRUE(wait_phase(name, "Running", 120)) << describe(name);
  const std::string testid = loadtest(name)["status"].value("testid", "");
  ASSERT_FALSE(testid.empty());
  const std::string selector = "{testid=\"" + testid + "\"}";
  EXPECT_TRUE(RealCluster::eventually(
      [&] { return sum_of(prometheus, "count(stampede_runner_info" + selector + ")") == 2; },
      seconds(30)))
      << "both runner pods are discovered and scraped\n"
      << prometheus.log();

  // Every dashboard query, evaluated while the test runs, returns data from the pods.
  const double late = unix_now() + 15;
  const KubectlResult done = wait_completed(name, 120);
  ASSERT_TRUE(done.ok()) << done.describe() << describe(name);
  const Substitutions values = {
      {"datasource", "prometheus"}, {"testid", testid},   {"scenario", ".*"}, {"name", ".*"},
      {"__rate_interval", "20s"},   {"__interval", "5s"}, {"__range", "30s"}};
  const auto queries = dashboard_queries(source("dashboards/stampede.json"), values);
  ASSERT_GT(queries.size(), 20u);
  EXPECT_EQ(queries_without_data(prometheus, queries, late), "");

  // The runners exit after their last scrape; the sums over both pods equal the merged result.
  EXPECT_TRUE(RealCluster::eventually(
      [&] {
        for (const auto& pod : runner_pods(name)) {
          if (pod["status"].value("phase", "") != "Succeeded") return false;
        }
        return true;
      },
      seconds(90)))
      << describe(name);
  const nlohmann::json results = loadtest(name)["status"]["results"];
  const auto total = [&](const std::string& metric) {
    return sum_of(prometheus, "sum(max_over_time(" + metric + selector + "[5m]))");
  };
  EXPECT_GT(results.value("requests", 0.0), 1000);
  EXPECT_EQ(total("stampede_requests_total"), results.value("requests", 0.0));
  // Requests without a latency (refused WebSocket handshakes) count in requests, not in the
  // latency histogram: the merged result's latency count says how many have one.
  const nlohmann::json result =
      nlohmann::json::parse(cluster_
                                ->kubectl({"-n", kNamespace, "get", "configmap", name + "-1-result",
                                           "-o", "jsonpath={.data.result\\.json}"})
                                .out,
                            nullptr, false);
  ASSERT_TRUE(result.is_object());
  EXPECT_EQ(total("stampede_request_duration_seconds_count"),
            result["latency_seconds"]["count"].get<double>());
  EXPECT_EQ(total("stampede_request_failures_total"), result["totals"]["failures"].get<double>());
  EXPECT_EQ(sum_of(prometheus, "sum(max_over_time(stampede_requests_total{testid=\"" + testid +
                                   "\",status=\"429\"}[5m]))"),
            result["status_codes"]["429"].get<double>());
  remove(name);
}

}  // namespace
}  // namespace stampede::testing
