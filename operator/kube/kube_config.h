#pragma once
// How to reach the Kubernetes API: from a kubeconfig file (its current context) or from inside a
// pod (service-account token, CA and KUBERNETES_SERVICE_HOST/PORT).

#include <functional>
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

// Reads a file a kubeconfig names: its whole content, nullopt when it cannot be read.
using FileReader = std::function<std::optional<std::string>(const std::string& path)>;

// load_kubeconfig's parsing of the text: `path` names the file in messages and anchors the
// relative file names in it, which `read_named` reads. Never throws.
std::optional<KubeConfig> parse_kubeconfig(const std::string& text, const std::string& path,
                                           const FileReader& read_named, std::string* error);

// In-cluster when running in a pod, else the kubeconfig.
std::optional<KubeConfig> load_config(const std::string& kubeconfig_path, std::string* error);

}  // namespace stampede::kube
