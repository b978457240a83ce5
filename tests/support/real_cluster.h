#pragma once
// The one-node Kubernetes cluster that `scripts/cluster up` runs on this machine (real kubelet,
// containerd, kube-proxy; pods on 198.18.0.0/24), seen from the end-to-end suite: kubectl and
// helm with its admin kubeconfig, manifests applied from strings, waits with deadlines.

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/kube_control_plane.h"

namespace stampede::testing {

// Why the cluster cannot be used ("" when it can): no admin kubeconfig in
// $STAMPEDE_CLUSTER_DIR (default /var/tmp/stampede-cluster), or its API server does not answer.
std::string real_cluster_unavailable();

class RealCluster {
 public:
  RealCluster();  // throws std::runtime_error when real_cluster_unavailable() says why

  const std::string& directory() const { return dir_; }
  const std::string& kubeconfig() const { return kubeconfig_; }

  // `kubectl --kubeconfig=ADMIN args...`.
  KubectlResult kubectl(std::vector<std::string> args,
                        Millis timeout = std::chrono::seconds(60)) const;
  // `kubectl get ARGS -o json`, parsed; null when it fails.
  nlohmann::json get_json(std::vector<std::string> args) const;
  // Writes `manifest` to a file and runs `kubectl apply -f FILE`.
  KubectlResult apply(const std::string& manifest) const;
  // `helm args...` (run_helm: at most 120 s) with KUBECONFIG set to the admin kubeconfig.
  RunResult helm(const std::vector<std::string>& args) const;
  // Retries `probe` every 250 ms until it returns true or `timeout` passes.
  static bool eventually(const std::function<bool()>& probe, Millis timeout);

  // What the cluster's components logged last (kubelet, containerd, ...) for failure messages.
  std::string log_tail(const std::string& component, std::size_t bytes = 4000) const;

 private:
  std::string dir_;
  std::string kubeconfig_;
  std::string bin_dir_;
  mutable int files_written_ = 0;
};

}  // namespace stampede::testing
