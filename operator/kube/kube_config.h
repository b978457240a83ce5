#pragma once
// How to reach the Kubernetes API: from a kubeconfig file (its current context) or from inside a
// pod (service-account token, CA and KUBERNETES_SERVICE_HOST/PORT).

#include <optional>
#include <string>

namespace stampede::kube {

struct KubeConfig {
  std::string scheme = "https";  // "https" or "http"
  std::string host;
  std::string port = "443";
  std::string ca_pem;           // empty: the system trust store
  std::string client_cert_pem;  // client certificate authentication, when set
  std::string client_key_pem;
  std::string token;       // bearer token, when set
  std::string token_file;  // re-read when it changes (projected tokens rotate)
  bool insecure_skip_tls_verify = false;
  std::string default_namespace = "default";
};

// Reads a kubeconfig (KUBECONFIG's first file or ~/.kube/config when `path` is empty): the
// current context's cluster and user. nullopt and *error naming what is missing or wrong.
std::optional<KubeConfig> load_kubeconfig(const std::string& path, std::string* error);

// The in-cluster configuration; nullopt (and *error) outside a pod.
std::optional<KubeConfig> in_cluster_config(std::string* error);

// In-cluster when running in a pod, else the kubeconfig.
std::optional<KubeConfig> load_config(const std::string& kubeconfig_path, std::string* error);

}  // namespace stampede::kube
