#include "kube/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "kube/base64.h"

namespace stampede::kube {
namespace {

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Splits "https://host:port/path" into the config; false when it is not such a URL.
bool set_server(const std::string& url, KubeConfig& config) {
  const std::size_t colon_slash = url.find("://");
  if (colon_slash == std::string::npos) return false;
  config.scheme = url.substr(0, colon_slash);
  if (config.scheme != "https" && config.scheme != "http") return false;
  std::string authority = url.substr(colon_slash + 3);
  authority = authority.substr(0, authority.find('/'));
  std::string host = authority;
  std::string port = config.scheme == "https" ? "443" : "80";
  if (!authority.empty() && authority.front() == '[') {  // [::1]:6443
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = authority.substr(close + 2);
  } else if (const std::size_t c = authority.rfind(':'); c != std::string::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  if (host.empty() || port.empty()) return false;
  config.host = host;
  config.port = port;
  return true;
}

// A kubeconfig value given inline (`…-data`, base64) or as a file (relative to the kubeconfig).
bool read_material(const YAML::Node& node, const std::string& key, const std::string& base_dir,
                   const FileReader& read_named, std::string& into, std::string* error) {
  if (node[key + "-data"]) {
    into = base64_decode(node[key + "-data"].as<std::string>());
    return true;
  }
  if (node[key]) {
    std::string path = node[key].as<std::string>();
    if (!path.empty() && path[0] != '/') path = base_dir + "/" + path;
    const auto content = read_named(path);
    if (!content) {
      *error = "cannot read " + key + " file " + path;
      return false;
    }
    into = *content;
  }
  return true;
}

YAML::Node find_named(const YAML::Node& list, const std::string& name) {
  if (!list || !list.IsSequence()) return {};
  for (const auto& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry;
  }
  return {};
}

std::string default_kubeconfig_path() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    const std::string list = env;
    return list.substr(0, list.find(':'));
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.kube/config";
}

}  // namespace

std::optional<KubeConfig> load_kubeconfig(const std::string& path_arg, std::string* error) {
  const std::string path = path_arg.empty() ? default_kubeconfig_path() : path_arg;
  const auto text = read_file(path);
  if (!text) {
    *error = "cannot read kubeconfig " + path;
    return std::nullopt;
  }
  return parse_kubeconfig(*text, path, read_file, error);
}

std::optional<KubeConfig> parse_kubeconfig(const std::string& text, const std::string& path,
                                           const FileReader& read_named, std::string* error) {
  try {
    const YAML::Node doc = YAML::Load(text);
    const std::string base_dir =
        path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
    const std::string current =
        doc["current-context"] ? doc["current-context"].as<std::string>() : "";
    const YAML::Node context = find_named(doc["contexts"], current)["context"];
    if (!context) {
      *error = path + ": current-context '" + current + "' is not among the contexts";
      return std::nullopt;
    }
    KubeConfig config;
    if (context["namespace"]) config.default_namespace = context["namespace"].as<std::string>();
    const std::string cluster_name = context["cluster"] ? context["cluster"].as<std::string>() : "";
    const YAML::Node cluster = find_named(doc["clusters"], cluster_name)["cluster"];
    if (!cluster || !cluster["server"] ||
        !set_server(cluster["server"].as<std::string>(), config)) {
      *error = path + ": cluster '" + cluster_name + "' has no usable server URL";
      return std::nullopt;
    }
    config.insecure_skip_tls_verify =
        cluster["insecure-skip-tls-verify"] && cluster["insecure-skip-tls-verify"].as<bool>();
    if (!read_material(cluster, "certificate-authority", base_dir, read_named, config.ca_pem,
                       error)) {
      return std::nullopt;
    }
    const std::string user_name = context["user"] ? context["user"].as<std::string>() : "";
    const YAML::Node user = find_named(doc["users"], user_name)["user"];
    if (user) {
      if (!read_material(user, "client-certificate", base_dir, read_named, config.client_cert_pem,
                         error) ||
          !read_material(user, "client-key", base_dir, read_named, config.client_key_pem, error)) {
        return std::nullopt;
      }
      if (user["token"]) config.token = user["token"].as<std::string>();
      if (user["tokenFile"]) config.token_file = user["tokenFile"].as<std::string>();
    }
    return config;
  } catch (const YAML::Exception& e) {
    *error = path + ": not a kubeconfig: " + e.what();
    return std::nullopt;
  }
}

std::optional<KubeConfig> in_cluster_config(std::string* error) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr) {
    *error = "not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)";
    return std::nullopt;
  }
  KubeConfig config;
  config.host = host;
  config.port = port;
  config.token_file = std::string(kServiceAccountDir) + "/token";
  const auto ca = read_file(std::string(kServiceAccountDir) + "/ca.crt");
  const auto ns = read_file(std::string(kServiceAccountDir) + "/namespace");
  if (!ca || !read_file(config.token_file)) {
    *error = std::string("cannot read the service account token and CA in ") + kServiceAccountDir;
    return std::nullopt;
  }
  config.ca_pem = *ca;
  if (ns) config.default_namespace = *ns;
  return config;
}

std::optional<KubeConfig> load_config(const std::string& kubeconfig_path, std::string* error) {
  if (kubeconfig_path.empty() && std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
    return in_cluster_config(error);
  }
  return load_kubeconfig(kubeconfig_path, error);
}

}  // namespace stampede::kube
