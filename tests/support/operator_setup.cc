#include "support/operator_setup.h"

#include <stdexcept>

#include "support/helm_chart.h"

namespace stampede::testing {

void install_crd(const KubeControlPlane& plane) {
  const auto crd = plane.kubectl(
      {"apply", "-f", std::string(STAMPEDE_SOURCE_DIR) + "/crds/stampede.dev_loadtests.yaml"});
  if (!crd.ok()) throw std::runtime_error(crd.describe());
  const auto established = plane.wait_established({"loadtests.stampede.dev"});
  if (!established.ok()) throw std::runtime_error(established.describe());
}

OperatorIdentity install_operator_identity(const KubeControlPlane& plane) {
  const auto ns = plane.kubectl({"create", "namespace", "stampede-system"});
  if (!ns.ok() && ns.err.find("AlreadyExists") == std::string::npos) {
    throw std::runtime_error(ns.describe());
  }
  ChartValues values;
  values.set = {"leaderElection.enabled=true"};
  const RenderedChart chart = render_chart(values);
  const auto applied = plane.apply(
      chart.only({"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}));
  if (!applied.ok()) throw std::runtime_error(applied.describe());

  OperatorIdentity id;
  const YAML::Node account = chart.one("ServiceAccount");
  const std::string account_name = account["metadata"]["name"].as<std::string>();
  id.service_account = "system:serviceaccount:" + id.lease_namespace + ":" + account_name;
  // The Deployment's own flag names the Lease its Role allows.
  for (const auto& arg :
       chart.one("Deployment")["spec"]["template"]["spec"]["containers"][0]["args"]) {
    const auto value = arg.as<std::string>();
    const std::string flag = "--leader-election-id=";
    if (value.rfind(flag, 0) == 0) id.lease_name = value.substr(flag.size());
  }
  if (id.lease_name.empty()) throw std::runtime_error("the chart sets no --leader-election-id");

  const auto token =
      plane.kubectl({"create", "token", account_name, "-n", id.lease_namespace, "--duration=2h"});
  if (!token.ok()) throw std::runtime_error(token.describe());
  std::string value = token.out;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  id.kubeconfig = plane.write_file("operator.kubeconfig", R"(apiVersion: v1
kind: Config
current-context: operator
contexts: [{name: operator, context: {cluster: test, user: operator}}]
clusters: [{name: test, cluster: {server: ")" + plane.server() +
                                                              R"(", certificate-authority: ")" +
                                                              plane.ca_file() + R"("}}]
users: [{name: operator, user: {token: ")" + value + R"("}}]
)");
  id.token_key_file = plane.write_file("token.key", "a-test-key-for-control-tokens");
  return id;
}

}  // namespace stampede::testing
