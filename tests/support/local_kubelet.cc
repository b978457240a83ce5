#include "support/local_kubelet.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/rfc3339.h"
#include "kube/base64.h"
#include "support/http_client.h"

namespace stampede::testing {
namespace {

std::string now_text() {
  return format_rfc3339(std::chrono::system_clock::now());
}

// By uid, as a kubelet keys pods: a pod deleted and created again under its name is another.
std::string key_of(const nlohmann::json& pod) {
  return pod["metadata"].value("namespace", "") + "/" + pod["metadata"].value("name", "") + "/" +
         pod["metadata"].value("uid", "");
}

// The one container's status; `state` is {"waiting"|"running"|"terminated": {...}}.
nlohmann::json container_statuses(const std::string& image, bool ready, nlohmann::json state) {
  return nlohmann::json::array({{{"name", "runner"},
                                 {"ready", ready},
                                 {"restartCount", 0},
                                 {"image", image},
                                 {"imageID", ""},
                                 {"state", std::move(state)}}});
}

nlohmann::json condition(const char* type, bool value) {
  return {{"type", type}, {"status", value ? "True" : "False"}, {"lastTransitionTime", now_text()}};
}

}  // namespace

struct LocalKubelet::Running {
  std::string ns;
  std::string name;
  std::string ip;
  std::string image;
  int port = 9646;
  std::unique_ptr<Subprocess> process;
  std::thread supervisor;
  std::atomic<bool> killed{false};
  std::atomic<bool> deleted{false};
};

namespace {

// Runner pods listen on port 9646 of their own address, so two test processes running at once
// must not hand out the same addresses: each claims a second octet of 127/8 with a lock that
// the kernel releases when the process ends.
int claim_address_block(int* lock_fd) {
  for (int block = 1; block < 255; ++block) {
    const std::string path = "/tmp/stampede-local-kubelet-" + std::to_string(block) + ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      *lock_fd = fd;
      return block;
    }
    ::close(fd);
  }
  throw std::runtime_error("LocalKubelet: no free address block in 127.1-254.x.x");
}

}  // namespace

LocalKubelet::LocalKubelet(kube::KubeConfig config, LocalKubeletOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      kube_(config_),
      next_address_(options_.first_address),
      address_block_(claim_address_block(&address_lock_fd_)) {
  kube::WatchOptions watch;
  watch.label_selector = options_.label_selector;
  kube::WatchHandlers handlers;
  handlers.on_list = [this](const std::vector<nlohmann::json>& items) {
    for (const auto& pod : items) on_pod(pod);
  };
  handlers.on_event = [this](kube::WatchEventType type, const nlohmann::json& pod) {
    if (type == kube::WatchEventType::kDeleted) {
      on_deleted(pod);
    } else {
      on_pod(pod);
    }
  };
  watcher_ = std::make_unique<kube::Watcher>(config_, kube::kPods, watch, handlers);
  watcher_->start();
}

LocalKubelet::~LocalKubelet() {
  stopping_ = true;
  // The address lock is released last, when the processes using the addresses are gone.
  watcher_->stop();
  std::map<std::string, std::shared_ptr<Running>> pods;
  {
    const std::lock_guard lock(mutex_);
    pods.swap(pods_);
  }
  for (auto& [key, r] : pods) {
    r->deleted = true;
    if (r->process && r->process->running()) r->process->send_signal(SIGKILL);
    if (r->supervisor.joinable()) r->supervisor.join();
  }
  ::close(address_lock_fd_);
}

std::vector<std::string> LocalKubelet::started() const {
  const std::lock_guard lock(mutex_);
  return {started_.begin(), started_.end()};
}

std::map<std::string, std::chrono::system_clock::time_point> LocalKubelet::seen_at() const {
  const std::lock_guard lock(mutex_);
  return seen_at_;
}

bool LocalKubelet::kill(const std::string& pod_name) {
  const std::lock_guard lock(mutex_);
  for (auto& [key, r] : pods_) {
    if (r->name != pod_name || !r->process || !r->process->running()) continue;
    r->killed = true;
    r->process->send_signal(SIGKILL);
    return true;
  }
  return false;
}

std::string LocalKubelet::logs(const std::string& pod_name) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [key, r] : pods_) {
    if (r->name == pod_name && r->process) {
      return r->process->stdout_text() + r->process->stderr_text();
    }
  }
  return "";
}

void LocalKubelet::on_pod(const nlohmann::json& pod) {
  if (stopping_) return;
  if (pod["metadata"].contains("deletionTimestamp")) {
    on_deleted(pod);
    return;
  }
  const std::string key = key_of(pod);
  {
    const std::lock_guard lock(mutex_);
    if (pods_.count(key) != 0) return;  // already ours
  }
  if (pod.value("status", nlohmann::json::object()).value("phase", "Pending") != "Pending") return;
  start_pod(pod);
}

void LocalKubelet::on_deleted(const nlohmann::json& pod) {
  std::shared_ptr<Running> r;
  {
    const std::lock_guard lock(mutex_);
    const auto it = pods_.find(key_of(pod));
    if (it == pods_.end()) return;
    r = it->second;
  }
  // Once, as a kubelet does: the deletion shows in several watch events, and a second signal
  // tells an agent to stop serving its result at once.
  if (r->deleted.exchange(true)) return;
  if (r->process && r->process->running()) r->process->send_signal(SIGTERM);
}

std::optional<std::string> LocalKubelet::resolve_env_value(const nlohmann::json& pod,
                                                           const nlohmann::json& env,
                                                           std::string* error) {
  if (env.contains("value")) return env["value"].get<std::string>();
  const nlohmann::json from = env.value("valueFrom", nlohmann::json::object());
  const std::string ns = pod["metadata"].value("namespace", "");
  for (const auto& [kind, type] : {std::pair{"secretKeyRef", &kube::kSecrets},
                                   std::pair{"configMapKeyRef", &kube::kConfigMaps}}) {
    if (!from.contains(kind)) continue;
    const auto& ref = from[kind];
    const kube::Result r = kube_.get(*type, ns, ref.value("name", ""));
    const std::string data_key = ref.value("key", "");
    if (!r.ok() || !r.object.contains("data") || !r.object["data"].contains(data_key)) {
      *error = std::string(kind) + " " + ref.value("name", "") + "/" + data_key + " not found";
      return std::nullopt;
    }
    const std::string value = r.object["data"][data_key].get<std::string>();
    return type == &kube::kSecrets ? kube::base64_decode(value) : value;
  }
  if (from.contains("fieldRef")) {
    const std::string path = from["fieldRef"].value("fieldPath", "");
    if (path == "metadata.name") return pod["metadata"].value("name", "");
    if (path == "metadata.namespace") return pod["metadata"].value("namespace", "");
  }
  return std::string();
}

bool LocalKubelet::materialize_volumes(const nlohmann::json& pod, const std::string& dir,
                                       std::map<std::string, std::string>& mounts,
                                       std::string* error) {
  const std::string ns = pod["metadata"].value("namespace", "");
  std::map<std::string, std::string> volume_dirs;
  for (const auto& v : pod["spec"].value("volumes", nlohmann::json::array())) {
    const std::string name = v.value("name", "");
    std::string vdir = dir;
    vdir.append("/").append(name);
    std::filesystem::create_directories(vdir);
    nlohmann::json data;
    bool secret = false;
    if (v.contains("configMap")) {
      const kube::Result r = kube_.get(kube::kConfigMaps, ns, v["configMap"].value("name", ""));
      if (!r.ok()) {
        *error = "configMap volume " + name + ": " + r.message;
        return false;
      }
      data = r.object.value("data", nlohmann::json::object());
    } else if (v.contains("secret")) {
      const kube::Result r = kube_.get(kube::kSecrets, ns, v["secret"].value("secretName", ""));
      if (!r.ok()) {
        *error = "secret volume " + name + ": " + r.message;
        return false;
      }
      data = r.object.value("data", nlohmann::json::object());
      secret = true;
    }
    for (const auto& [file, content] : data.items()) {
      std::ofstream(std::string(vdir).append("/").append(file))
          << (secret ? kube::base64_decode(content.get<std::string>())
                     : content.get<std::string>());
    }
    volume_dirs[name] = vdir;
  }
  for (const auto& m :
       pod["spec"]["containers"][0].value("volumeMounts", nlohmann::json::array())) {
    mounts[m.value("mountPath", "")] = volume_dirs[m.value("name", "")];
  }
  return true;
}

void LocalKubelet::patch_status(const std::string& ns, const std::string& name,
                                const nlohmann::json& status) {
  kube_.merge_patch(kube::kPods, ns, name, {{"status", status}}, "status");
}

void LocalKubelet::start_pod(const nlohmann::json& pod) {
  auto r = std::make_shared<Running>();
  r->ns = pod["metadata"].value("namespace", "");
  r->name = pod["metadata"].value("name", "");
  const nlohmann::json container = pod["spec"]["containers"][0];
  const std::string image = container.value("image", "");
  const std::string key = key_of(pod);
  {
    const std::lock_guard lock(mutex_);
    if (pods_.count(key) != 0) return;
    // 127.B.0.10, .11, ... then 127.B.1.x, B this process's block: all of 127/8 is loopback.
    const int n = next_address_++;
    r->ip = "127." + std::to_string(address_block_) + "." + std::to_string(n / 250) + "." +
            std::to_string(n % 250 + 2);
    seen_at_.emplace(r->name, std::chrono::system_clock::now());
    r->image = image;
    pods_[key] = r;
  }
  if (image.rfind(options_.unpullable_image_prefix, 0) == 0) {
    patch_status(
        r->ns, r->name,
        {{"phase", "Pending"},
         {"conditions", {condition("PodScheduled", true), condition("Ready", false)}},
         {"containerStatuses",
          container_statuses(image, false,
                             {{"waiting",
                               {{"reason", "ImagePullBackOff"},
                                {"message", "Back-off pulling image \"" + image + "\""}}}})}});
    return;
  }
  std::string error;
  const std::string dir = options_.work_dir + "/" + r->ns + "-" + r->name;
  std::map<std::string, std::string> mounts;
  Env env;
  bool ok = materialize_volumes(pod, dir, mounts, &error);
  for (const auto& e : container.value("env", nlohmann::json::array())) {
    if (!ok) break;
    const auto value = resolve_env_value(pod, e, &error);
    if (!value)
      ok = false;
    else
      env[e.value("name", "")] = *value;
  }
  if (!ok) {
    patch_status(
        r->ns, r->name,
        {{"phase", "Pending"},
         {"containerStatuses",
          container_statuses(
              image, false,
              {{"waiting", {{"reason", "CreateContainerConfigError"}, {"message", error}}}})}});
    return;
  }
  for (const auto& p : container.value("ports", nlohmann::json::array())) {
    if (p.value("name", "") == "metrics") r->port = p.value("containerPort", 9646);
  }
  env["STAMPEDE_LISTEN"] = r->ip + ":" + std::to_string(r->port);
  std::vector<std::string> argv = {options_.binary};
  for (const auto& a : container.value("args", nlohmann::json::array())) {
    std::string arg = a.get<std::string>();
    for (const auto& [mount_path, local] : mounts) {
      // A path under the mount, whole components only: /etc/stampede is not a prefix of
      // /etc/stampede-setup/values.json.
      const bool under = arg.rfind(mount_path, 0) == 0 &&
                         (arg.size() == mount_path.size() || arg[mount_path.size()] == '/');
      if (under) {
        arg = std::string(local).append(arg, mount_path.size());
        break;
      }
    }
    argv.push_back(arg);
  }
  r->process = std::make_unique<Subprocess>(argv, env);
  {
    const std::lock_guard lock(mutex_);
    started_.insert(r->name);
  }
  const std::string started_at = now_text();
  patch_status(r->ns, r->name,
               {{"phase", "Running"},
                {"podIP", r->ip},
                {"podIPs", {{{"ip", r->ip}}}},
                {"hostIP", "127.0.0.1"},
                {"startTime", started_at},
                {"conditions",
                 {condition("PodScheduled", true), condition("Initialized", true),
                  condition("ContainersReady", false), condition("Ready", false)}},
                {"containerStatuses",
                 container_statuses(image, false, {{"running", {{"startedAt", started_at}}}})}});
  r->supervisor = std::thread([this, key] { supervise(key); });
}

void LocalKubelet::supervise(const std::string& key) {
  std::shared_ptr<Running> r;
  {
    const std::lock_guard lock(mutex_);
    r = pods_[key];
  }
  bool ready = false;
  while (!stopping_) {
    if (const auto exit = r->process->wait(std::chrono::milliseconds(100))) {
      if (r->deleted || stopping_) return;  // the pod is gone: nothing to report on
      const int code = exit->exited() ? exit->code : 128 + exit->signal;
      const bool success = code == 0 || code == 99;  // 99: ran, a threshold failed
      const std::string reason = r->killed ? "OOMKilled" : (success ? "Completed" : "Error");
      patch_status(
          r->ns, r->name,
          {{"phase", code == 0 ? "Succeeded" : "Failed"},
           {"conditions", {condition("Ready", false), condition("ContainersReady", false)}},
           {"containerStatuses",
            container_statuses(
                r->image, false,
                {{"terminated",
                  {{"exitCode", code}, {"reason", reason}, {"finishedAt", now_text()}}}})}});
      return;
    }
    if (!ready) {
      // The readiness probe: GET /readyz on the pod's address.
      try {
        ready = http_get(r->ip, static_cast<std::uint16_t>(r->port), "/readyz").status == 200;
      } catch (const std::exception&) {
        ready = false;
      }
      if (ready) {
        patch_status(
            r->ns, r->name,
            {{"conditions",
              {condition("PodScheduled", true), condition("Initialized", true),
               condition("ContainersReady", true), condition("Ready", true)}},
             {"containerStatuses",
              container_statuses(r->image, true, {{"running", {{"startedAt", now_text()}}}})}});
      }
    }
  }
}

}  // namespace stampede::testing
