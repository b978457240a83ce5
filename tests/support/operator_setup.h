#pragma once
// What the operator needs on a test control plane: the CRD, and the ServiceAccount and RBAC that
// the Helm chart renders (charts/stampede), rather than admin.

#include <string>

#include "support/kube_control_plane.h"

namespace stampede::testing {

struct OperatorIdentity {
  std::string kubeconfig;      // a ServiceAccount token kubeconfig for stampede-operator
  std::string token_key_file;  // the control-token key
  std::string lease_namespace = "stampede-system";
  std::string lease_name;       // --leader-election-id: the Lease the chart's Role names
  std::string service_account;  // system:serviceaccount:NAMESPACE:NAME
};

// Applies crds/ and waits until the CRD is established; throws std::runtime_error on failure.
void install_crd(const KubeControlPlane& plane);

// Namespace stampede-system; the ServiceAccount, ClusterRole, Role (leader election) and bindings
// of `helm template stampede charts/stampede -n stampede-system --set leaderElection.enabled=true`
// applied as rendered; a token for the ServiceAccount and a kubeconfig using it.
OperatorIdentity install_operator_identity(const KubeControlPlane& plane);

}  // namespace stampede::testing
