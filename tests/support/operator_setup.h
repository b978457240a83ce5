#pragma once
// What the operator needs on a test control plane: the CRD, and an identity bound to the rules
// the Helm chart ships (charts/stampede/files/operator-rules.yaml) rather than admin.

#include <string>

#include "support/kube_control_plane.h"

namespace stampede::testing {

struct OperatorIdentity {
  std::string kubeconfig;      // a ServiceAccount token kubeconfig for stampede-operator
  std::string token_key_file;  // the control-token key
  std::string lease_namespace = "stampede-system";
};

// Applies crds/ and waits until the CRD is established; throws std::runtime_error on failure.
void install_crd(const KubeControlPlane& plane);

// Namespace stampede-system, ServiceAccount stampede-operator, ClusterRole with the chart's
// rules and its binding, a token for it and a kubeconfig using that token.
OperatorIdentity install_operator_identity(const KubeControlPlane& plane);

}  // namespace stampede::testing
