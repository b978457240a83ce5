#include "support/real_cluster.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/helm_chart.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;

std::string cluster_dir() {
  const char* dir = std::getenv("STAMPEDE_CLUSTER_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/var/tmp/stampede-cluster";
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string real_cluster_unavailable() {
  const std::string kubeconfig = cluster_dir() + "/admin.kubeconfig";
  if (::access(kubeconfig.c_str(), R_OK) != 0) {
    return "no cluster: " + kubeconfig + " is missing (run scripts/cluster up first)";
  }
  return "";
}

RealCluster::RealCluster()
    : dir_(cluster_dir()), kubeconfig_(dir_ + "/admin.kubeconfig"), bin_dir_(kube_bin_dir()) {
  if (const std::string why = real_cluster_unavailable(); !why.empty()) {
    throw std::runtime_error(why);
  }
  const KubectlResult ready = kubectl({"get", "--raw=/readyz"}, 20s);
  if (!ready.ok()) throw std::runtime_error("the cluster does not answer: " + ready.describe());
}

KubectlResult RealCluster::kubectl(std::vector<std::string> args, Millis timeout) const {
  return run_kubectl(bin_dir_ + "/kubectl", kubeconfig_, dir_ + "/kubectl-cache", std::move(args),
                     timeout);
}

nlohmann::json RealCluster::get_json(std::vector<std::string> args) const {
  args.insert(args.begin(), "get");
  args.insert(args.end(), {"-o", "json"});
  const KubectlResult r = kubectl(args);
  if (!r.ok()) return nullptr;
  return nlohmann::json::parse(r.out, nullptr, false);
}

KubectlResult RealCluster::apply(const std::string& manifest) const {
  const std::string path = dir_ + "/test-manifest-" + std::to_string(::getpid()) + "-" +
                           std::to_string(++files_written_) + ".yaml";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << manifest;
  return kubectl({"apply", "-f", path});
}

RunResult RealCluster::helm(const std::vector<std::string>& args) const {
  return run_helm(args, {{"KUBECONFIG", kubeconfig_}});
}

bool RealCluster::eventually(const std::function<bool()>& probe, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (probe()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(250ms);
  }
}

std::string RealCluster::log_tail(const std::string& component, std::size_t bytes) const {
  const std::string text = file_text(dir_ + "/logs/" + component + ".log");
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

}  // namespace stampede::testing
