// The Helm chart (charts/stampede): lint, what each values switch renders, the copies of shipped
// files kept identical, the values schema, and on a real control plane every render applied
// server-side and a real `helm install` / `upgrade` / `uninstall`.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/helm_chart.h"
#include "support/kube_control_plane.h"
#include "support/project_tool.h"

namespace stampede::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path);
  return text.str();
}

std::string source(const std::string& relative) {
  return read_file(std::string(STAMPEDE_SOURCE_DIR) + "/" + relative);
}

// Structural comparison, whatever the style and key order: as JSON with sorted keys, every
// scalar a string. A list of "a" and "b" reads [a, b].
nlohmann::json as_json(const YAML::Node& node) {
  if (node.IsSequence()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : node) list.push_back(as_json(item));
    return list;
  }
  if (node.IsMap()) {
    nlohmann::json map = nlohmann::json::object();
    for (const auto& kv : node) map[kv.first.as<std::string>()] = as_json(kv.second);
    return map;
  }
  return node.IsScalar() ? nlohmann::json(node.as<std::string>()) : nlohmann::json();
}

std::string canonical(const YAML::Node& node) {
  std::string text = as_json(node).dump();
  text.erase(std::remove(text.begin(), text.end(), '"'), text.end());
  std::string spaced;
  for (const char c : text) {
    spaced += c;
    if (c == ',') spaced += ' ';
  }
  return spaced;
}

std::string without_final_newline(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

YAML::Node container(const RenderedChart& chart) {
  return chart.one("Deployment")["spec"]["template"]["spec"]["containers"][0];
}

std::vector<std::string> args_of(const RenderedChart& chart) {
  return container(chart)["args"].as<std::vector<std::string>>();
}

bool has_arg(const RenderedChart& chart, const std::string& arg) {
  const auto args = args_of(chart);
  return std::find(args.begin(), args.end(), arg) != args.end();
}

std::map<std::string, int> kind_counts(const RenderedChart& chart) {
  std::map<std::string, int> counts;
  for (const auto& o : chart.objects) ++counts[o["kind"].as<std::string>()];
  return counts;
}

// Each values switch flipped once; every one must lint, render and apply server-side.
const std::vector<std::vector<std::string>> kVariants = {
    {},
    {"replicaCount=2"},
    {"leaderElection.enabled=true"},
    {"rbac.namespaced=true"},
    {"rbac.namespaced=true", "operator.watchNamespaces={team-a,team-b}"},
    {"operator.watchNamespaces={team-a}"},
    {"rbac.create=false"},
    {"serviceAccount.create=false", "serviceAccount.name=platform-operator"},
    {"metrics.service.enabled=false"},
    {"metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=kps"},
    {"metrics.podMonitor.enabled=true"},
    {"dashboards.grafana.enabled=false", "dashboards.alloy.enabled=false"},
    {"dashboards.grafana.namespace=monitoring", "dashboards.alloy.namespace=monitoring"},
    {"operator.tokenKey.existingSecret=my-token-key"},
    {"image.repository=registry.example.com/team/stampede-operator", "image.tag=1.2.3",
     "runner.image.repository=registry.example.com/team/stampede-runner"},
    {"imagePullSecrets[0].name=regcred", "nodeSelector.pool=ops"},
};

TEST(Chart, LintsStrictlyWithEveryVariant) {
  for (const auto& set : kVariants) {
    std::vector<std::string> args{"lint", "--strict", chart_dir()};
    for (const auto& s : set) {
      args.emplace_back("--set");
      args.push_back(s);
    }
    const RunResult r = run_helm(args);
    EXPECT_EQ(r.status.code, 0) << describe_helm(args, r);
  }
}

TEST(Chart, DefaultsRenderTheOperatorItsIdentityAndTheDashboards) {
  const RenderedChart chart = render_chart();
  const std::map<std::string, int> expected{
      {"ServiceAccount", 1}, {"ClusterRole", 1}, {"ClusterRoleBinding", 1}, {"Deployment", 1},
      {"Service", 1},        {"Secret", 1},      {"ConfigMap", 2}};
  EXPECT_EQ(kind_counts(chart), expected) << chart.text;
  for (const auto& o : chart.objects) {
    EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/instance"].as<std::string>(), "stampede");
    EXPECT_EQ(o["metadata"]["labels"]["app.kubernetes.io/managed-by"].as<std::string>(), "Helm");
    if (o["kind"].as<std::string>() != "ClusterRole" &&
        o["kind"].as<std::string>() != "ClusterRoleBinding") {
      EXPECT_EQ(o["metadata"]["namespace"].as<std::string>(), "stampede-system");
    }
  }
}

TEST(Chart, TheOperatorPodIsRestrictedProbedAndReadOnly) {
  const RenderedChart chart = render_chart();
  const YAML::Node pod = chart.one("Deployment")["spec"]["template"]["spec"];
  EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
  EXPECT_EQ(pod["securityContext"]["runAsUser"].as<int>(), 65532);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"].as<std::string>(), "RuntimeDefault");
  const YAML::Node c = container(chart);
  EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
  EXPECT_TRUE(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
  EXPECT_EQ(canonical(c["securityContext"]["capabilities"]["drop"]), "[ALL]");
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
  EXPECT_EQ(c["ports"][0]["containerPort"].as<int>(), 8080);
  EXPECT_TRUE(c["resources"]["requests"]["cpu"]);
  EXPECT_TRUE(c["resources"]["limits"]["memory"]);
  EXPECT_EQ(pod["serviceAccountName"].as<std::string>(),
            chart.one("ServiceAccount")["metadata"]["name"].as<std::string>());
  // The token key reaches the operator as a file the kubelet mounts from the rendered Secret.
  EXPECT_EQ(pod["volumes"][0]["secret"]["secretName"].as<std::string>(),
            chart.one("Secret")["metadata"]["name"].as<std::string>());
  EXPECT_TRUE(has_arg(chart, "--token-key-file=/etc/stampede/token-key/key"));
  EXPECT_FALSE(chart.one("Secret")["data"]["key"].as<std::string>().empty());
}

TEST(Chart, ImagesDefaultToTheAppVersionAndCanBeOverridden) {
  const auto app_version =
      YAML::LoadFile(chart_dir() + "/Chart.yaml")["appVersion"].as<std::string>();
  const RenderedChart defaults = render_chart();
  EXPECT_EQ(container(defaults)["image"].as<std::string>(),
            "localhost/stampede/stampede-operator:" + app_version);
  EXPECT_TRUE(
      has_arg(defaults, "--runner-image=localhost/stampede/stampede-runner:" + app_version));
  ChartValues values;
  values.set = {"image.repository=registry.example.com/team/stampede-operator", "image.tag=1.2.3",
                "runner.image.repository=registry.example.com/team/stampede-runner",
                "runner.image.tag=1.2.4"};
  const RenderedChart custom = render_chart(values);
  EXPECT_EQ(container(custom)["image"].as<std::string>(),
            "registry.example.com/team/stampede-operator:1.2.3");
  EXPECT_TRUE(has_arg(custom, "--runner-image=registry.example.com/team/stampede-runner:1.2.4"));
}

TEST(Chart, OneReplicaRecreatesWithoutLeaderElection) {
  const RenderedChart chart = render_chart();
  EXPECT_EQ(chart.one("Deployment")["spec"]["replicas"].as<int>(), 1);
  EXPECT_EQ(chart.one("Deployment")["spec"]["strategy"]["type"].as<std::string>(), "Recreate");
  EXPECT_TRUE(has_arg(chart, "--leader-elect=false"));
  EXPECT_TRUE(chart.of_kind("Role").empty()) << "no Lease rules without leader election";
}

TEST(Chart, MoreReplicasElectALeaderWithTheirOwnLeaseOnly) {
  ChartValues values;
  values.set = {"replicaCount=2"};
  const RenderedChart chart = render_chart(values);
  EXPECT_FALSE(chart.one("Deployment")["spec"]["strategy"]) << "rolling updates are safe now";
  EXPECT_TRUE(has_arg(chart, "--leader-elect=true"));
  EXPECT_TRUE(has_arg(chart, "--leader-election-id=stampede-operator"));
  const YAML::Node role = chart.one("Role");
  EXPECT_EQ(role["metadata"]["namespace"].as<std::string>(), "stampede-system");
  ASSERT_EQ(role["rules"].size(), 2U);
  EXPECT_EQ(canonical(role["rules"][0]["verbs"]), "[create]");
  EXPECT_EQ(canonical(role["rules"][1]["resourceNames"]), "[stampede-operator]");
  EXPECT_EQ(canonical(role["rules"][1]["verbs"]), "[get, update]");
  EXPECT_EQ(chart.one("RoleBinding")["roleRef"]["name"].as<std::string>(),
            role["metadata"]["name"].as<std::string>());
}

TEST(Chart, TheClusterRoleCarriesExactlyTheShippedRules) {
  const RenderedChart chart = render_chart();
  const YAML::Node rules = YAML::LoadFile(chart_dir() + "/files/operator-rules.yaml");
  EXPECT_EQ(canonical(chart.one("ClusterRole")["rules"]), canonical(rules));
  const YAML::Node binding = chart.one("ClusterRoleBinding");
  EXPECT_EQ(binding["roleRef"]["name"].as<std::string>(),
            chart.one("ClusterRole")["metadata"]["name"].as<std::string>());
  EXPECT_EQ(binding["subjects"][0]["name"].as<std::string>(),
            chart.one("ServiceAccount")["metadata"]["name"].as<std::string>());
  EXPECT_EQ(binding["subjects"][0]["namespace"].as<std::string>(), "stampede-system");
  // Least privilege, spelled out: Secrets are created and deleted, never read.
  for (const auto& rule : rules) {
    const auto resources = rule["resources"].as<std::vector<std::string>>();
    if (resources == std::vector<std::string>{"secrets"}) {
      EXPECT_EQ(canonical(rule["verbs"]), "[create, delete]");
    }
    for (const auto& verb : rule["verbs"]) EXPECT_NE(verb.as<std::string>(), "*");
  }
}

TEST(Chart, NamespacedRbacTurnsTheClusterRoleIntoRoles) {
  ChartValues values;
  values.set = {"rbac.namespaced=true"};
  const RenderedChart own = render_chart(values);
  EXPECT_TRUE(own.of_kind("ClusterRole").empty());
  EXPECT_TRUE(own.of_kind("ClusterRoleBinding").empty());
  EXPECT_EQ(own.one("Role")["metadata"]["namespace"].as<std::string>(), "stampede-system");
  EXPECT_EQ(own.one("RoleBinding")["roleRef"]["kind"].as<std::string>(), "Role");
  EXPECT_TRUE(has_arg(own, "--namespaces=stampede-system"));

  values.set.emplace_back("operator.watchNamespaces={team-a,team-b}");
  const RenderedChart teams = render_chart(values);
  std::vector<std::string> namespaces;
  for (const auto& role : teams.of_kind("Role")) {
    namespaces.push_back(role["metadata"]["namespace"].as<std::string>());
    EXPECT_EQ(canonical(role["rules"]),
              canonical(YAML::LoadFile(chart_dir() + "/files/operator-rules.yaml")));
  }
  EXPECT_EQ(namespaces, (std::vector<std::string>{"team-a", "team-b"}));
  EXPECT_TRUE(has_arg(teams, "--namespaces=team-a,team-b"));
}

TEST(Chart, RbacAndTheServiceAccountCanBeLeftToThePlatformTeam) {
  ChartValues values;
  values.set = {"rbac.create=false", "serviceAccount.create=false",
                "serviceAccount.name=platform-operator"};
  const RenderedChart chart = render_chart(values);
  for (const char* kind : {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role"}) {
    EXPECT_TRUE(chart.of_kind(kind).empty()) << kind;
  }
  EXPECT_EQ(
      chart.one("Deployment")["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>(),
      "platform-operator");
  ChartValues nameless;
  nameless.set = {"serviceAccount.create=false"};
  const auto args = template_args(nameless);
  const RunResult r = run_helm(args);
  EXPECT_NE(r.status.code, 0);
  EXPECT_NE(r.stderr_text.find("serviceAccount.name is required"), std::string::npos)
      << r.stderr_text;
}

TEST(Chart, MonitorsForThePrometheusOperatorAreOptIn) {
  EXPECT_TRUE(render_chart().of_kind("PodMonitor").empty());
  EXPECT_TRUE(render_chart().of_kind("ServiceMonitor").empty());
  ChartValues values;
  values.set = {"metrics.podMonitor.enabled=true", "metrics.serviceMonitor.enabled=true",
                "metrics.serviceMonitor.labels.release=kps"};
  const RenderedChart chart = render_chart(values);
  const YAML::Node shipped = YAML::LoadFile(chart_dir() + "/files/prometheus/podmonitor.yaml");
  const YAML::Node pods = chart.one("PodMonitor");
  EXPECT_EQ(canonical(pods["spec"]), canonical(shipped["spec"]));
  EXPECT_EQ(pods["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(),
            "stampede-runner");
  const YAML::Node service_monitor = chart.one("ServiceMonitor");
  EXPECT_EQ(service_monitor["metadata"]["labels"]["release"].as<std::string>(), "kps");
  EXPECT_EQ(canonical(service_monitor["spec"]["selector"]["matchLabels"]),
            canonical(chart.one("Service")["spec"]["selector"]));
  EXPECT_EQ(service_monitor["spec"]["endpoints"][0]["port"].as<std::string>(), "metrics");

  // Watching some namespaces: the runners are looked for there only.
  values.set.emplace_back("operator.watchNamespaces={team-a}");
  EXPECT_EQ(canonical(render_chart(values).one("PodMonitor")["spec"]["namespaceSelector"]),
            "{matchNames:[team-a]}");
}

TEST(Chart, DashboardAndAlloyConfigMapsCarryTheShippedFiles) {
  const RenderedChart chart = render_chart();
  const YAML::Node dashboard = chart.one("ConfigMap", "stampede-dashboard");
  EXPECT_EQ(dashboard["metadata"]["labels"]["grafana_dashboard"].as<std::string>(), "1");
  EXPECT_EQ(dashboard["data"]["stampede.json"].as<std::string>(),
            without_final_newline(source("dashboards/stampede.json")));
  const YAML::Node alloy = chart.one("ConfigMap", "stampede-alloy");
  EXPECT_EQ(alloy["data"]["config.alloy"].as<std::string>(),
            without_final_newline(source("dashboards/alloy/stampede.alloy")));

  ChartValues elsewhere;
  elsewhere.set = {"dashboards.grafana.namespace=monitoring",
                   "dashboards.grafana.annotations.grafana_folder=Load tests"};
  const YAML::Node moved = render_chart(elsewhere).one("ConfigMap", "stampede-dashboard");
  EXPECT_EQ(moved["metadata"]["namespace"].as<std::string>(), "monitoring");
  EXPECT_EQ(moved["metadata"]["annotations"]["grafana_folder"].as<std::string>(), "Load tests");

  ChartValues off;
  off.set = {"dashboards.grafana.enabled=false", "dashboards.alloy.enabled=false"};
  EXPECT_TRUE(render_chart(off).of_kind("ConfigMap").empty());
}

// Helm reads only files inside the chart: these are copies, and must stay the same bytes.
TEST(Chart, ItsCopiesOfShippedFilesAreIdentical) {
  const std::vector<std::pair<std::string, std::string>> copies{
      {"crds/stampede.dev_loadtests.yaml", "charts/stampede/crds/stampede.dev_loadtests.yaml"},
      {"dashboards/stampede.json", "charts/stampede/files/dashboards/stampede.json"},
      {"dashboards/alloy/stampede.alloy", "charts/stampede/files/alloy/stampede.alloy"},
      {"dashboards/prometheus/podmonitor.yaml",
       "charts/stampede/files/prometheus/podmonitor.yaml"}};
  for (const auto& [original, copy] : copies) {
    EXPECT_TRUE(source(original) == source(copy))
        << copy << " differs from " << original << ": cp " << original << " " << copy;
  }
}

TEST(Chart, AnExistingTokenKeySecretReplacesTheGeneratedOne) {
  ChartValues values;
  values.set = {"operator.tokenKey.existingSecret=my-token-key"};
  const RenderedChart chart = render_chart(values);
  EXPECT_TRUE(chart.of_kind("Secret").empty());
  EXPECT_EQ(
      chart.one("Deployment")["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"]
          .as<std::string>(),
      "my-token-key");
}

TEST(Chart, TheSchemaRefusesBadValuesNamingThePath) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"replicaCount=-1", "/replicaCount"},
      {"replicas=2", "additional properties 'replicas'"},
      {"operator.logLevel=loud", "/operator/logLevel"},
      {"rbac.namespaced=yes-please", "/rbac/namespaced"},
      {"runner.maxUsersPerRunner=0", "/runner/maxUsersPerRunner"},
      {"metrics.serviceMonitor.interval=soon", "/metrics/serviceMonitor/interval"},
      {"operator.extraArgs={workers=3}", "/operator/extraArgs/0"},
      {"operator.watchNamespaces={Team_A}", "/operator/watchNamespaces/0"},
  };
  for (const auto& [set, path] : cases) {
    ChartValues values;
    values.set = {set};
    const auto args = template_args(values);
    const RunResult r = run_helm(args);
    EXPECT_NE(r.status.code, 0) << set;
    EXPECT_NE(r.stderr_text.find(path), std::string::npos) << set << ": " << r.stderr_text;
  }
}

// --- on a real control plane ----------------------------------------------------------------

class ChartOnCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plane_ = new KubeControlPlane();
    // The Prometheus Operator's CRDs (scripts/fetch-crds), so PodMonitor and ServiceMonitor
    // renders are checked against the real schemas.
    const std::string crds = project_tool("STAMPEDE_MONITORING_CRDS", "fetch-crds");
    for (const char* kind : {"podmonitors", "servicemonitors"}) {
      const auto r = plane_->kubectl(
          {"apply", "--server-side", "-f", crds + "/monitoring.coreos.com_" + kind + ".yaml"});
      ASSERT_TRUE(r.ok()) << r.describe();
    }
    for (const char* ns : {"stampede-system", "team-a", "team-b", "monitoring"}) {
      ASSERT_TRUE(plane_->kubectl({"create", "namespace", ns}).ok());
    }
    const auto established = plane_->wait_established(
        {"podmonitors.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com"});
    ASSERT_TRUE(established.ok()) << established.describe();
  }
  static void TearDownTestSuite() { delete plane_; }

  RunResult helm(std::vector<std::string> args) const {
    args.insert(args.end(), {"--kubeconfig", plane_->kubeconfig()});
    return run_helm(args);
  }

  static KubeControlPlane* plane_;
};
KubeControlPlane* ChartOnCluster::plane_ = nullptr;

TEST_F(ChartOnCluster, EveryVariantAppliesServerSide) {
  for (const auto& set : kVariants) {
    ChartValues values;
    values.set = set;
    values.include_crds = true;
    const RenderedChart chart = render_chart(values);
    const auto r = plane_->apply(chart.text, {"--dry-run=server"});
    std::string label;
    for (const auto& s : set) label += s + " ";
    EXPECT_TRUE(r.ok()) << "values: " << label << "\n" << r.describe();
  }
}

TEST_F(ChartOnCluster, InstallsUpgradesKeepingItsTokenKeyAndUninstalls) {
  // The README's install command.
  const auto install =
      helm({"install", "stampede", chart_dir(), "--namespace", "stampede", "--create-namespace"});
  ASSERT_EQ(install.status.code, 0) << install.stdout_text << install.stderr_text;
  // NOTES.txt tells what to do next.
  EXPECT_NE(install.stdout_text.find("kubectl wait --for=condition=Completed"), std::string::npos)
      << install.stdout_text;
  EXPECT_TRUE(plane_->kubectl({"get", "crd", "loadtests.stampede.dev"}).ok());
  const auto key = [&] {
    return plane_
        ->kubectl(
            {"get", "secret", "stampede-token-key", "-n", "stampede", "-o", "jsonpath={.data.key}"})
        .out;
  };
  const std::string installed_key = key();
  ASSERT_FALSE(installed_key.empty());
  for (const char* object : {"deployment/stampede-operator", "serviceaccount/stampede-operator",
                             "service/stampede-operator-metrics", "configmap/stampede-dashboard"}) {
    EXPECT_TRUE(plane_->kubectl({"get", object, "-n", "stampede"}).ok()) << object;
  }
  EXPECT_TRUE(plane_->kubectl({"get", "clusterrole/stampede-operator"}).ok());
  // The guide's next steps: the example LoadTest is accepted, and listed by its short name.
  const auto applied =
      plane_->kubectl({"apply", "-n", "default", "-f",
                       std::string(STAMPEDE_SOURCE_DIR) + "/examples/loadtest.yaml"});
  EXPECT_TRUE(applied.ok()) << applied.describe();
  EXPECT_NE(plane_->kubectl({"get", "slt", "-n", "default"}).out.find("checkout-smoke"),
            std::string::npos);

  const auto upgrade = helm(
      {"upgrade", "stampede", chart_dir(), "--namespace", "stampede", "--set", "replicaCount=2"});
  ASSERT_EQ(upgrade.status.code, 0) << upgrade.stdout_text << upgrade.stderr_text;
  EXPECT_EQ(key(), installed_key) << "an upgrade must keep the key running tests' tokens use";
  EXPECT_TRUE(
      plane_->kubectl({"get", "role/stampede-operator-leader-election", "-n", "stampede"}).ok());

  const auto uninstall = helm({"uninstall", "stampede", "--namespace", "stampede"});
  ASSERT_EQ(uninstall.status.code, 0) << uninstall.stdout_text << uninstall.stderr_text;
  EXPECT_FALSE(plane_->kubectl({"get", "deployment/stampede-operator", "-n", "stampede"}).ok());
  EXPECT_FALSE(plane_->kubectl({"get", "clusterrole/stampede-operator"}).ok());
  // Helm never deletes CRDs from crds/: LoadTests (and their results) survive an uninstall.
  EXPECT_TRUE(plane_->kubectl({"get", "crd", "loadtests.stampede.dev"}).ok());
}

}  // namespace
}  // namespace stampede::testing
