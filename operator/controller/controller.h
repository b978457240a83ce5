#pragma once
// The LoadTest controller: watches LoadTests and the runner pods it owns, queues the keys of
// what changed, and reconciles them on worker threads; a periodic resync re-queues every test.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/object_cache.h"
#include "controller/operator_metrics.h"
#include "controller/reconciler.h"
#include "controller/work_queue.h"
#include "kube/watcher.h"

namespace stampede::op {

struct ControllerConfig {
  std::vector<std::string> namespaces;  // empty: all
  unsigned workers = 2;
  std::chrono::seconds resync{300};
  OperatorDefaults defaults;
  DecideOptions decide;
  ReconcilerHooks hooks;
};

class Controller {
 public:
  Controller(kube::KubeConfig kube_config, ControllerConfig config, OperatorMetrics& metrics);
  ~Controller();

  // Starts the watches (caches fill in the background).
  void start_watching();
  // True once every watch has listed once.
  bool synced() const;
  // Starts the workers (only the leader does).
  void start_workers();
  void stop();

 private:
  void worker();
  void resync_loop();
  void on_pod(const nlohmann::json& pod);
  void on_loadtest(const nlohmann::json& lt);
  void update_phase_gauges();

  kube::KubeConfig kube_config_;
  ControllerConfig config_;
  OperatorMetrics& metrics_;
  kube::KubeClient kube_;
  HttpRunnerApi runner_api_;
  WorkQueue queue_;
  ObjectCache loadtests_;
  ObjectCache pods_;
  Reconciler reconciler_;
  std::vector<std::unique_ptr<kube::Watcher>> watchers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  // The spec generation (and rerun annotation) last queued of the object now holding a key (a
  // name can be reused).
  struct SeenGeneration {
    std::string uid;
    std::int64_t generation = 0;
    std::string rerun;
    bool operator==(const SeenGeneration&) const = default;
  };
  std::mutex generations_mutex_;
  std::map<std::string, SeenGeneration> generations_;  // by key, only of objects that exist
};

}  // namespace stampede::op
