#pragma once
// A stand-in for a node in the operator's end-to-end tests: no container runtime exists here, so
// this watches runner pods and starts each one's command as a local process (the stampede binary
// in place of the image's entrypoint) on an address of its own (127.0.0.N), with the pod's
// ConfigMap and Secret volumes written to a directory, its env resolved, and pod status patched
// as a kubelet would (Running, podIP, Ready from /readyz, then Succeeded or Failed with the exit
// code). Deleting a pod kills its process. Uses the operator's own Kubernetes client.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kube/kube_client.h"
#include "kube/watcher.h"
#include "support/subprocess.h"

namespace stampede::testing {

struct LocalKubeletOptions {
  std::string binary;  // what runs in place of the image
  std::string label_selector = "app.kubernetes.io/name=stampede-runner";
  std::string work_dir;    // volumes go to WORK_DIR/POD/VOLUME
  int first_address = 10;  // pods get 127.0.0.10, .11, ...
  // Images named like this are "not pullable": the pod stays Pending with ImagePullBackOff.
  std::string unpullable_image_prefix = "unpullable/";
};

class LocalKubelet {
 public:
  LocalKubelet(kube::KubeConfig config, LocalKubeletOptions options);
  ~LocalKubelet();  // kills every process it started

  // Pods started so far, by name (a pod started twice would appear once: it never is).
  std::vector<std::string> started() const;
  // When each pod was first seen (wall clock), by name: how soon pods appear after an apply.
  std::map<std::string, std::chrono::system_clock::time_point> seen_at() const;
  // SIGKILL one runner's process (a crash mid-test); its pod goes Failed.
  bool kill(const std::string& pod_name);
  // The process output of a pod, for test failure messages.
  std::string logs(const std::string& pod_name) const;

 private:
  struct Running;
  void on_pod(const nlohmann::json& pod);
  void on_deleted(const nlohmann::json& pod);
  void start_pod(const nlohmann::json& pod);
  void supervise(const std::string& key);
  bool materialize_volumes(const nlohmann::json& pod, const std::string& dir,
                           std::map<std::string, std::string>& mounts, std::string* error);
  std::optional<std::string> resolve_env_value(const nlohmann::json& pod, const nlohmann::json& env,
                                               std::string* error);
  void patch_status(const std::string& ns, const std::string& name, const nlohmann::json& status);

  kube::KubeConfig config_;
  LocalKubeletOptions options_;
  kube::KubeClient kube_;
  std::unique_ptr<kube::Watcher> watcher_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Running>> pods_;  // key ns/name/uid
  std::set<std::string> started_;
  std::map<std::string, std::chrono::system_clock::time_point> seen_at_;
  int next_address_;
  int address_lock_fd_ = -1;
  int address_block_;
  std::atomic<bool> stopping_{false};
};

}  // namespace stampede::testing
