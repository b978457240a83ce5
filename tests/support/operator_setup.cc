#include "support/operator_setup.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stampede::testing {

void install_crd(const KubeControlPlane& plane) {
  const auto crd = plane.kubectl(
      {"apply", "-f", std::string(STAMPEDE_SOURCE_DIR) + "/crds/stampede.dev_loadtests.yaml"});
  if (!crd.ok()) throw std::runtime_error(crd.describe());
  const auto established = plane.kubectl(
      {"wait", "--for=condition=Established", "crd/loadtests.stampede.dev", "--timeout=30s"});
  if (!established.ok()) throw std::runtime_error(established.describe());
}

OperatorIdentity install_operator_identity(const KubeControlPlane& plane) {
  std::ifstream rules_file(std::string(STAMPEDE_SOURCE_DIR) +
                           "/charts/stampede/files/operator-rules.yaml");
  std::stringstream rules;
  rules << rules_file.rdbuf();
  const std::string rbac = R"(apiVersion: v1
kind: Namespace
metadata: {name: stampede-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: stampede-operator, namespace: stampede-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: stampede-operator}
rules:
)" + rules.str() + R"(
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: stampede-operator}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: stampede-operator}
subjects: [{kind: ServiceAccount, name: stampede-operator, namespace: stampede-system}]
)";
  const auto applied = plane.apply(rbac);
  if (!applied.ok()) throw std::runtime_error(applied.describe());
  const auto token = plane.kubectl(
      {"create", "token", "stampede-operator", "-n", "stampede-system", "--duration=2h"});
  if (!token.ok()) throw std::runtime_error(token.describe());
  std::string value = token.out;
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  OperatorIdentity id;
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
