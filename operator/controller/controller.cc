#include "controller/controller.h"

#include <spdlog/spdlog.h>

#include "controller/names.h"

namespace stampede::op {

Controller::Controller(kube::KubeConfig kube_config, ControllerConfig config,
                       OperatorMetrics& metrics)
    : kube_config_(std::move(kube_config)),
      config_(std::move(config)),
      metrics_(metrics),
      kube_(kube_config_),
      loadtests_([this](const nlohmann::json& lt) { on_loadtest(lt); }),
      pods_([this](const nlohmann::json& pod) { on_pod(pod); }),
      reconciler_(kube_, loadtests_, pods_, runner_api_, config_.defaults, config_.decide,
                  config_.hooks) {}

Controller::~Controller() {
  stop();
}

void Controller::on_loadtest(const nlohmann::json& lt) {
  // Status-only changes are the controller's own writes: reacting to them would reconcile
  // once more per write. New objects, spec changes (a new generation) and a new value of the
  // rerun annotation are queued; pod events, requeues and the resync do the rest.
  // A LoadTest deleted and created again under its name starts at generation 1 again: the uid
  // tells the new object from the old one, and a deleted one is forgotten.
  const std::string key = object_key(lt);
  const nlohmann::json meta = lt.value("metadata", nlohmann::json::object());
  const nlohmann::json annotations = meta.value("annotations", nlohmann::json::object());
  const nlohmann::json rerun = annotations.is_object()
                                   ? annotations.value(kRerunAnnotation, nlohmann::json())
                                   : nlohmann::json();
  const SeenGeneration seen{meta.value("uid", ""), meta.value("generation", std::int64_t{0}),
                            rerun.is_string() ? rerun.get<std::string>() : ""};
  {
    const std::lock_guard lock(generations_mutex_);
    if (!loadtests_.get(key)) {
      generations_.erase(key);  // deleted: its reconcile finds nothing and does nothing
    } else {
      auto [it, inserted] = generations_.try_emplace(key, seen);
      if (!inserted && it->second == seen) return;
      it->second = seen;
    }
  }
  queue_.add(key);
}

void Controller::on_pod(const nlohmann::json& pod) {
  // A runner pod changed: reconcile the LoadTest it belongs to.
  const nlohmann::json meta = pod.value("metadata", nlohmann::json::object());
  const std::string owner =
      meta.value("labels", nlohmann::json::object()).value(kLoadTestLabel, "");
  if (!owner.empty()) queue_.add(meta.value("namespace", "") + "/" + owner);
}

void Controller::start_watching() {
  std::vector<std::string> namespaces = config_.namespaces;
  if (namespaces.empty()) namespaces.push_back("");  // all namespaces
  for (const std::string& ns : namespaces) {
    kube::WatchOptions lt_options;
    lt_options.ns = ns;
    watchers_.push_back(std::make_unique<kube::Watcher>(kube_config_, kube::kLoadTests, lt_options,
                                                        loadtests_.handlers()));
    kube::WatchOptions pod_options;
    pod_options.ns = ns;
    pod_options.label_selector = std::string(kManagedByLabel) + "=" + kManagedBy;
    watchers_.push_back(
        std::make_unique<kube::Watcher>(kube_config_, kube::kPods, pod_options, pods_.handlers()));
  }
  for (auto& w : watchers_) w->start();
}

bool Controller::synced() const {
  for (const auto& w : watchers_) {
    if (!w->synced()) return false;
  }
  return !watchers_.empty();
}

void Controller::start_workers() {
  for (unsigned i = 0; i < std::max(1u, config_.workers); ++i) {
    threads_.emplace_back([this] { worker(); });
  }
  threads_.emplace_back([this] { resync_loop(); });
}

void Controller::worker() {
  // No decision before every cache has listed once: a half-filled pod cache would make a
  // restarted operator take running runners for deleted ones.
  while (!stopping_ && !synced()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  while (auto key = queue_.get()) {
    const auto started = std::chrono::steady_clock::now();
    ReconcileOutcome outcome;
    try {
      outcome = reconciler_.reconcile(*key);
    } catch (const std::exception& e) {
      // A bug must not take the controller down: report it and retry with backoff.
      outcome.ok = false;
      outcome.error = std::string("unexpected: ") + e.what();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.reconciled(outcome.ok, seconds);
    if (outcome.ok) {
      queue_.forget(*key);
      if (outcome.requeue_after) queue_.add_after(*key, *outcome.requeue_after);
      spdlog::debug("reconciled {} ({}) in {:.3f}s", *key, outcome.phase, seconds);
    } else {
      spdlog::warn("reconcile {} failed ({} in a row): {}", *key, queue_.failures(*key) + 1,
                   outcome.error);
      queue_.add_rate_limited(*key);
    }
    queue_.done(*key);
    metrics_.set_queue_depth(queue_.depth());
    update_phase_gauges();
  }
}

void Controller::update_phase_gauges() {
  std::map<std::string, int> counts;
  for (const auto& key : loadtests_.keys()) {
    if (auto lt = loadtests_.get(key)) {
      const std::string phase =
          lt->value("status", nlohmann::json::object()).value("phase", "Pending");
      ++counts[phase];
    }
  }
  metrics_.set_phases(counts);
}

void Controller::resync_loop() {
  // Level-based safety net: every LoadTest is looked at again now and then, events or not.
  auto next = std::chrono::steady_clock::now() + config_.resync;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (std::chrono::steady_clock::now() < next) continue;
    for (const auto& key : loadtests_.keys()) queue_.add(key);
    next = std::chrono::steady_clock::now() + config_.resync;
  }
}

void Controller::stop() {
  if (stopping_.exchange(true)) return;
  queue_.shutdown();
  kube_.cancel();
  for (auto& w : watchers_) w->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace stampede::op
