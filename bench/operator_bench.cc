// Measures the operator on a real control plane (built like the e2e tests): time from
// `kubectl apply` to every runner pod created, start skew across 10 runners, and the operator's
// CPU and memory idle and with 20 LoadTests at once. Prints one JSON object; bench/operator
// puts it into BENCHMARKS.md. A benchmark, not a test: nothing here asserts a time.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "kube/kube_config.h"
#include "support/kube_control_plane.h"
#include "support/local_kubelet.h"
#include "support/nginx.h"
#include "support/operator_setup.h"
#include "support/subprocess.h"

using namespace stampede::testing;
using Clock = std::chrono::system_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// utime + stime of a process, seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS or VmHWM of a process, MiB.
double memory_mib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
  }
  return 0;
}

std::string loadtest(const std::string& name, const std::string& url, int users, int runners,
                     int seconds_) {
  return "apiVersion: stampede.dev/v1alpha1\nkind: LoadTest\nmetadata: {name: " + name +
         ", namespace: default}\nspec:\n  target: {url: " + url +
         "}\n  load: {users: " + std::to_string(users) + ", duration: " + std::to_string(seconds_) +
         "s}\n  scenarios: [{name: s, wait: constant(10ms), steps: [{get: /}]}]\n"
         "  runners: {count: " +
         std::to_string(runners) + ", image: stampede-runner:bench}\n";
}

bool wait_completed(const KubeControlPlane& plane, const std::string& name, int timeout_s) {
  return plane
      .kubectl({"wait", "--for=condition=Completed", "loadtest/" + name,
                "--timeout=" + std::to_string(timeout_s) + "s"},
               seconds(timeout_s + 10))
      .ok();
}

}  // namespace

int main() {
  KubeControlPlaneOptions options;
  options.controller_manager = true;
  KubeControlPlane plane(options);
  install_crd(plane);
  const OperatorIdentity id = install_operator_identity(plane);
  std::string error;
  LocalKubeletOptions kubelet_options;
  kubelet_options.binary = STAMPEDE_BIN;
  kubelet_options.work_dir = plane.directory() + "/pods";
  LocalKubelet kubelet(*stampede::kube::load_kubeconfig(plane.kubeconfig(), &error),
                       kubelet_options);
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess op({STAMPEDE_OPERATOR_BIN, "--kubeconfig", id.kubeconfig,
                 "--leader-election-namespace", id.lease_namespace, "--leader-election-id",
                 id.lease_name, "--token-key-file", id.token_key_file, "--listen",
                 "127.0.0.1:" + std::to_string(port), "--start-delay", "2", "--log-level", "warn"});
  std::this_thread::sleep_for(seconds(5));

  // Idle: nothing to do but keep its watches.
  const double idle_cpu_before = cpu_seconds(op.pid());
  std::this_thread::sleep_for(seconds(10));
  const double idle_cpu = cpu_seconds(op.pid()) - idle_cpu_before;
  const double idle_rss = memory_mib(op.pid(), "VmRSS");

  // One test with 10 runners: pods created after the apply, then how together they began.
  const auto applied = Clock::now();
  plane.apply(loadtest("ten", target.url(), 10, 10, 3));
  double pods_created = -1;
  for (int i = 0; i < 600; ++i) {
    const auto seen = kubelet.seen_at();
    std::vector<Clock::time_point> times;
    for (const auto& [name, t] : seen) {
      if (name.rfind("ten-runner-", 0) == 0) times.push_back(t);
    }
    if (times.size() == 10) {
      pods_created =
          std::chrono::duration<double>(*std::max_element(times.begin(), times.end()) - applied)
              .count();
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  const bool ten_ok = wait_completed(plane, "ten", 120);
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  std::vector<double> firsts;
  for (const auto& t : stats["connection_first_request_at"]) firsts.push_back(t.get<double>());
  const double skew_ms = firsts.size() >= 2 ? (*std::max_element(firsts.begin(), firsts.end()) -
                                               *std::min_element(firsts.begin(), firsts.end())) *
                                                  1e3
                                            : -1;

  // 20 LoadTests at once.
  const double busy_cpu_before = cpu_seconds(op.pid());
  const auto busy_start = Clock::now();
  std::string many;
  for (int i = 0; i < 20; ++i) {
    many += loadtest("many-" + std::to_string(i), target.url(), 2, 1, 10) + "---\n";
  }
  plane.apply(many);
  int completed = 0;
  for (int i = 0; i < 20; ++i) completed += wait_completed(plane, "many-" + std::to_string(i), 180);
  const double busy_wall = std::chrono::duration<double>(Clock::now() - busy_start).count();
  const double busy_cpu = cpu_seconds(op.pid()) - busy_cpu_before;

  const nlohmann::json out = {
      {"kubernetes", "v1.33.13 (kube-apiserver, kube-controller-manager), etcd 3.4.23"},
      {"idle_cpu_seconds_per_10s", idle_cpu},
      {"idle_rss_mib", idle_rss},
      {"apply_to_10_pods_seconds", pods_created},
      {"ten_runners_completed", ten_ok},
      {"start_skew_ms_10_runners", skew_ms},
      {"connections_measured", firsts.size()},
      {"twenty_completed", completed},
      {"twenty_wall_seconds", busy_wall},
      {"twenty_cpu_seconds", busy_cpu},
      {"peak_rss_mib", memory_mib(op.pid(), "VmHWM")}};
  std::cout << out.dump(2) << std::endl;
  op.terminate();
  return ten_ok && completed == 20 ? 0 : 1;
}
