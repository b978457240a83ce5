#pragma once
// reconcile(namespace/name): observe (caches, a few GETs, the runners' status), decide (a pure
// function), act (create, start, collect, clean up, write status). Level-based: it looks at
// the world as it is each time, so a missed event or a restarted operator changes nothing.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "controller/decide.h"
#include "controller/object_cache.h"
#include "controller/runner_api.h"
#include "kube/kube_client.h"

namespace stampede::op {

struct ReconcileOutcome {
  bool ok = true;  // false: retry with backoff
  std::string error;
  std::optional<std::chrono::milliseconds> requeue_after;
  std::string phase;  // after this reconcile ("" when the LoadTest is gone)
};

// Fault injection for end-to-end tests, set from the operator's environment (never from a
// LoadTest).
struct ReconcilerHooks {
  // STAMPEDE_OPERATOR_TEST_EXIT_AFTER_FETCH=1: the process exits right after fetching the
  // runners' results, before anything is stored, as an operator killed at the worst moment.
  bool exit_after_fetching_results = false;
};

class Reconciler {
 public:
  Reconciler(kube::KubeClient& kube, ObjectCache& loadtests, const ObjectCache& pods,
             RunnerApi& runners, OperatorDefaults defaults, DecideOptions options,
             ReconcilerHooks hooks = {});

  ReconcileOutcome reconcile(const std::string& key);

 private:
  Observed observe(const nlohmann::json& object);
  bool act(const Observed& o, Decision& d, std::string* error);
  bool create(const kube::ResourceType& type, const std::string& ns, const nlohmann::json& object,
              std::string* error);
  // Where runner `r` of `lt` answers, with the test's control token.
  RunnerAddress address_of(const LoadTest& lt, const RunnerObservation& r) const;
  // Where a runner of `lt` at `ip` answers (a pod gone from the API may still serve there).
  RunnerAddress address_at(const LoadTest& lt, const std::string& ip) const;
  // The current pod of each segment, when it is up: the ones to start, collect and acknowledge.
  static std::vector<const RunnerObservation*> serving_runners(const Observed& o);
  bool start_runners(const Observed& o, const Action& a, std::string* error);
  // POST /v1/setup or /v1/teardown on runner 0 (docs/setup-teardown.md).
  std::optional<PhaseAnswer> call_phase(const Observed& o, const std::string& phase,
                                        std::string* error);
  bool run_phase(const Observed& o, Decision& d, const std::string& phase, std::string* error);
  bool collect_results(const Observed& o, Decision& d, std::string* error);
  // The merged result into its ConfigMap(s) (result_storage.h).
  bool store_result(const Observed& o, nlohmann::json doc, Decision& d, std::string* error);
  void stop_runners(const Observed& o);
  bool acknowledge_results(const Observed& o, const Decision& d, std::string* error);
  bool delete_children(const Observed& o, std::string* error);
  bool delete_past_runs(const Observed& o, std::uint32_t run, std::string* error);
  // Result ConfigMap `name` and its parts.
  bool delete_result(const std::string& ns, const std::string& name, std::string* error);
  // runners.failurePolicy Replace (replacements.h).
  void poll_live_results(const Observed& o);
  bool keep_runner_result(const Observed& o, Decision& d, const Action& a, std::string* error);
  // The lost runner's own result, or its result so far, from where it answered last; false and
  // *error while it is still stopping (for a few seconds at most: its final result comes).
  bool fetch_kept_result(const Observed& o, const std::string& pod, const std::string& ip,
                         std::optional<std::string>* text, std::string* source, std::string* error);
  // The result JSON text stored under `name` by result_parts (all its parts).
  std::optional<std::string> load_result(const std::string& ns, const std::string& name,
                                         std::string* error);
  // Deletes one object; already gone counts as done.
  bool remove(const kube::ResourceType& type, const std::string& ns, const std::string& name,
              std::string* error);
  void record_events(const LoadTest& lt, const std::vector<Event>& events);
  bool write_status(const LoadTest& lt, const nlohmann::json& status, std::string* error);

  kube::KubeClient& kube_;
  ObjectCache& loadtests_;
  const ObjectCache& pods_;
  RunnerApi& runners_;
  OperatorDefaults defaults_;
  DecideOptions options_;
  ReconcilerHooks hooks_;
  // The last result so far of each runner of a running test with failurePolicy Replace, by
  // LoadTest uid and pod name: what is kept of a runner lost without serving its own. Memory
  // only: an operator restarted since the last poll keeps nothing of a runner lost meanwhile.
  struct LiveResult {
    std::string ip;    // where it answered last: its pod may be gone while it still serves
    std::string text;  // its result so far
    std::optional<std::chrono::steady_clock::time_point> waiting_since;  // for its final result
  };
  std::mutex live_results_mutex_;
  std::map<std::string, std::map<std::string, LiveResult>> live_results_;
};

}  // namespace stampede::op
