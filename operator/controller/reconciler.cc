#include "controller/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "controller/children.h"
#include "controller/names.h"
#include "controller/replacements.h"
#include "kube/merge_patch.h"
#include "stats/result_json.h"

namespace stampede::op {
namespace {

bool exists(kube::KubeClient& kube, const kube::ResourceType& type, const std::string& ns,
            const std::string& name) {
  return kube.get(type, ns, name).ok();
}

}  // namespace

Reconciler::Reconciler(kube::KubeClient& kube, ObjectCache& loadtests, const ObjectCache& pods,
                       RunnerApi& runners, OperatorDefaults defaults, DecideOptions options,
                       ReconcilerHooks hooks)
    : kube_(kube),
      loadtests_(loadtests),
      pods_(pods),
      runners_(runners),
      defaults_(std::move(defaults)),
      options_(options),
      hooks_(hooks) {}

Observed Reconciler::observe(const nlohmann::json& object) {
  Observed o;
  o.lt = read_loadtest(object, defaults_);
  o.now = WallClock::now();
  const std::uint32_t run = o.lt.run();
  for (const auto& pod : pods_.with_label(o.lt.ns, kLoadTestLabel, o.lt.name)) {
    RunnerObservation r = observe_pod(pod);
    (r.run == run ? o.runners : o.other_runs).push_back(std::move(r));
  }
  const std::string phase = o.lt.status.value("phase", "");
  const bool finished = phase == kPhaseSucceeded || phase == kPhaseFailed;
  // Once per reconcile, decide and act use this one; a finished test needs it for its next run.
  observe_plan(o);
  // ConfigMaps are not watched (that would need list rights on every ConfigMap): look the
  // plan up while it matters.
  if (run > 0 && (!finished || o.lt.cleanup != CleanupPolicy::kKeep)) {
    o.plan_config_map =
        exists(kube_, kube::kConfigMaps, o.lt.ns, plan_config_map_name(o.lt.name, run));
  }
  if (phase == kPhaseRunning) {
    std::string error;
    for (auto& r : o.runners) {
      if (r.pod_ip.empty() || r.terminated) continue;
      r.status = runners_.status(address_of(o.lt, r), &error);
      if (!r.status) spdlog::debug("{}: {}", o.lt.key(), error);
    }
  }
  poll_live_results(o);
  return o;
}

void Reconciler::poll_live_results(const Observed& o) {
  const bool wanted = o.lt.runners.replace_on_failure &&
                      o.lt.status.value("phase", "") == kPhaseRunning && !o.lt.deleting;
  std::map<std::string, LiveResult> polled;
  if (wanted) {
    for (const auto& r : o.runners) {
      if (r.pod_ip.empty() || r.terminated || r.deleting || !r.status) continue;
      std::string error;
      if (auto text = runners_.live_result(address_of(o.lt, r), &error)) {
        polled[r.pod_name] = {r.pod_ip, std::move(*text), std::nullopt};
      } else {
        spdlog::debug("{}: {}", o.lt.key(), error);
      }
    }
  }
  const std::lock_guard lock(live_results_mutex_);
  if (!wanted) {
    live_results_.erase(o.lt.uid);  // nothing to keep once the load is over
    return;
  }
  // A runner that did not answer keeps its last answer: it may be the one being lost.
  for (auto& [pod, live] : polled) live_results_[o.lt.uid][pod] = std::move(live);
}

// How long a lost runner that still answers is given to finish stopping (an agent stops within
// 5 s of SIGTERM) before its result so far is kept instead of its final one.
constexpr std::chrono::seconds kFinalResultWait{10};

bool Reconciler::fetch_kept_result(const Observed& o, const std::string& pod, const std::string& ip,
                                   std::optional<std::string>* text, std::string* source,
                                   std::string* error) {
  const RunnerAddress address = address_at(o.lt, ip);
  std::string why;
  if ((*text = runners_.result(address, &why))) {
    *source = "Final";
    return true;
  }
  const auto status = runners_.status(address, &why);
  const std::string state = status ? status->value("state", "") : "";
  if (state == "running" || state == "stopping") {
    const auto now = std::chrono::steady_clock::now();
    const std::lock_guard lock(live_results_mutex_);
    auto& since = live_results_[o.lt.uid][pod].waiting_since;
    if (!since) since = now;
    if (now - *since < kFinalResultWait) {
      *error = "waiting for the final result of " + pod + " (" + state + ")";
      return false;
    }
  }
  if ((*text = runners_.live_result(address, &why))) *source = "Snapshot";
  return true;
}

bool Reconciler::keep_runner_result(const Observed& o, Decision& d, const Action& a,
                                    std::string* error) {
  nlohmann::json* entry = replacement_entry(d.status, a.index, a.attempt);
  if (entry == nullptr) return true;
  const std::string pod = entry->value("pod", "");
  const RunnerObservation* r = nullptr;
  for (const auto& candidate : o.runners) {
    if (candidate.pod_name == pod) r = &candidate;
  }
  // The freshest there is: its own final result (served while its pod terminates), its result
  // so far, or the last poll's. A pod no kubelet holds goes from the API at once, while its
  // process may still serve: where it answered last is remembered.
  std::string ip = r != nullptr ? r->pod_ip : "";
  LiveResult last;
  {
    const std::lock_guard lock(live_results_mutex_);
    const auto test = live_results_.find(o.lt.uid);
    if (test != live_results_.end() && test->second.count(pod) > 0) last = test->second[pod];
  }
  if (ip.empty()) ip = last.ip;
  std::optional<std::string> text;
  std::string source;
  std::string why;
  if (!ip.empty() && (r == nullptr || !r->terminated) &&
      !fetch_kept_result(o, pod, ip, &text, &source, error)) {
    return false;
  }
  if (!text && !last.text.empty()) {
    text = last.text;
    source = "Snapshot";
  }
  if (!text) return true;  // nothing was ever measured of it: source None
  const auto doc = nlohmann::json::parse(*text, nullptr, false);
  const auto kept = result_from_json(doc, &why);
  if (!kept) {
    spdlog::warn("{}: the kept result of {} is unreadable: {}", o.lt.key(), pod, why);
    return true;
  }
  const std::string name = kept_result_name(o.lt.name, o.lt.run(), a.index, a.attempt);
  auto parts = result_parts(name, *text, &why);
  if (!parts) {
    *error = "kept result of " + pod + ": " + why;
    return false;
  }
  for (const ResultPart& part : *parts) {
    const nlohmann::json cm = result_config_map(o.lt, o.lt.run(), part);
    kube::Result created = kube_.create(kube::kConfigMaps, o.lt.ns, cm);
    if (created.error == kube::ApiError::kAlreadyExists) {
      created = kube_.replace(kube::kConfigMaps, o.lt.ns, part.name, cm);
    }
    if (!created.ok()) {
      *error = "kept result ConfigMap " + part.name + ": " + created.message;
      return false;
    }
  }
  (*entry)["source"] = source;
  (*entry)["dataSeconds"] = kept->duration_seconds;
  (*entry)["resultConfigMap"] = name;
  // Stored: a terminating runner that served its final result may go now.
  if (source == "Final" && !runners_.acknowledge(address_at(o.lt, ip), &why)) {
    spdlog::debug("{}: {}", o.lt.key(), why);
  }
  return true;
}

std::optional<std::string> Reconciler::load_result(const std::string& ns, const std::string& name,
                                                   std::string* error) {
  const kube::Result first = kube_.get(kube::kConfigMaps, ns, name);
  if (!first.ok()) {
    *error = "result ConfigMap " + name + ": " + first.message;
    return std::nullopt;
  }
  std::vector<nlohmann::json> config_maps = {first.object};
  const std::size_t parts = result_part_count(first.object);
  for (std::size_t i = 1; i < parts; ++i) {
    const kube::Result part = kube_.get(kube::kConfigMaps, ns, result_part_name(name, i));
    if (!part.ok()) {
      *error = "result ConfigMap " + result_part_name(name, i) + ": " + part.message;
      return std::nullopt;
    }
    config_maps.push_back(part.object);
  }
  return result_text(config_maps, error);
}

RunnerAddress Reconciler::address_of(const LoadTest& lt, const RunnerObservation& r) const {
  return address_at(lt, r.pod_ip);
}

RunnerAddress Reconciler::address_at(const LoadTest& lt, const std::string& ip) const {
  return {ip, kRunnerPort, control_token(defaults_.token_key, lt)};
}

bool Reconciler::create(const kube::ResourceType& type, const std::string& ns,
                        const nlohmann::json& object, std::string* error) {
  const kube::Result r = kube_.create(type, ns, object);
  if (r.ok() || r.error == kube::ApiError::kAlreadyExists) return true;
  *error = "create " + type.kind + " " + object["metadata"].value("name", "") + ": " + r.message;
  return false;
}

std::vector<const RunnerObservation*> Reconciler::serving_runners(const Observed& o) {
  std::vector<const RunnerObservation*> out;
  for (std::uint32_t i = 0; i < desired_runners_of(o); ++i) {
    const RunnerObservation* r = current_runner(o, i);
    if (r != nullptr && !r->pod_ip.empty() && !r->terminated && !r->deleting) out.push_back(r);
  }
  return out;
}

bool Reconciler::start_runners(const Observed& o, const Action& a, std::string* error) {
  RunnerStart with;
  with.teardown_by_operator = o.plan && o.plan->teardown;
  if (o.plan && o.plan->setup) {
    // Runner 0 keeps its setup's answer and gives it again: the values are never stored here.
    const std::optional<PhaseAnswer> setup = call_phase(o, "setup", error);
    if (!setup) return false;
    if (setup->state != PhaseAnswer::State::kDone) {
      *error = "the setup's values: runner 0 has no successful setup";
      return false;
    }
    with.setup_values = setup->body.value("values", nlohmann::json::object());
    // Replacements read them from a Secret: runner 0 itself may be the one replaced.
    if (o.lt.runners.replace_on_failure &&
        !create(kube::kSecrets, o.lt.ns, setup_secret(o.lt, o.lt.run(), with.setup_values),
                error)) {
      return false;
    }
  }
  // Every runner gets the same instant; the calls themselves need not be simultaneous. A
  // replacement gets the test's instant too: it joins where the schedule is.
  for (const RunnerObservation* r : serving_runners(o)) {
    if (!r->ready) continue;
    if (!runners_.start(address_of(o.lt, *r), a.start_at, with, error)) return false;
  }
  return true;
}

std::optional<PhaseAnswer> Reconciler::call_phase(const Observed& o, const std::string& phase,
                                                  std::string* error) {
  const RunnerObservation* first = current_runner(o, 0);
  if (first == nullptr || first->pod_ip.empty()) {
    *error = phase + ": runner 0 is not up";
    return std::nullopt;
  }
  return runners_.run_phase(address_of(o.lt, *first), phase, error);
}

// status.setup or status.teardown from runner 0's answer: phase Running, Succeeded or Failed,
// with its length, requests and, when it failed, the step that did. Never its values.
bool Reconciler::run_phase(const Observed& o, Decision& d, const std::string& phase,
                           std::string* error) {
  const std::optional<PhaseAnswer> answer = call_phase(o, phase, error);
  if (!answer) return false;
  nlohmann::json state = {{"phase", "Running"}};
  if (answer->state != PhaseAnswer::State::kInProgress) {
    const bool ok = answer->state == PhaseAnswer::State::kDone;
    const nlohmann::json outcome = answer->body.value(phase, nlohmann::json::object());
    std::uint64_t requests = 0;
    for (const auto& row : outcome.value("requests", nlohmann::json::array())) {
      requests += row.value("requests", std::uint64_t{0});
    }
    state = {{"phase", ok ? "Succeeded" : "Failed"},
             {"requests", requests},
             {"durationSeconds", outcome.value("duration_seconds", 0.0)}};
    if (!ok) state["message"] = outcome.value("error", answer->body.value("error", ""));
    d.events.push_back({ok ? "Normal" : "Warning",
                        ok ? (phase == "setup" ? "SetupDone" : "TeardownDone")
                           : (phase == "setup" ? "SetupFailed" : "TeardownFailed"),
                        "runner 0: the " + phase +
                            (ok ? " succeeded" : " failed: " + state.value("message", ""))});
  }
  if (d.status.value(phase, nlohmann::json::object()).value("phase", "") != state["phase"]) {
    d.status[phase] = state;
  }
  return true;
}

bool Reconciler::acknowledge_results(const Observed& o, const Decision& d, std::string* error) {
  const bool wanted = std::any_of(d.actions.begin(), d.actions.end(), [](const Action& a) {
    return a.kind == Action::Kind::kAcknowledgeResults;
  });
  if (!wanted) return true;
  bool ok = true;
  for (const RunnerObservation* r : serving_runners(o)) {
    std::string why;
    if (!runners_.acknowledge(address_of(o.lt, *r), &why)) {
      *error = why;  // the next attempt acknowledges again: repeating it is harmless
      ok = false;
    }
  }
  return ok;
}

void Reconciler::stop_runners(const Observed& o) {
  std::string error;
  for (const auto& r : o.runners) {
    if (r.pod_ip.empty() || r.terminated) continue;
    if (!runners_.stop(address_of(o.lt, r), &error)) spdlog::debug("{}: {}", o.lt.key(), error);
  }
}

bool Reconciler::collect_results(const Observed& o, Decision& d, std::string* error) {
  if (!o.plan) {  // decide() fails such a test instead
    *error = "cannot judge the results: " + plan_errors_text(o);
    return false;
  }
  std::optional<Result> merged;
  auto add = [&](const std::string& source, const std::optional<std::string>& text) {
    if (!text) return false;
    const auto doc = nlohmann::json::parse(*text, nullptr, false);
    auto result = result_from_json(doc, error);
    if (!result) {
      *error = source + ": unreadable result: " + *error;
      return false;
    }
    if (merged) {
      merged->merge(*result);
    } else {
      merged = std::move(result);
    }
    return true;
  };
  for (const RunnerObservation* r : serving_runners(o)) {
    if (!add(r->pod_name, runners_.result(address_of(o.lt, *r), error))) return false;
  }
  // What was kept of the runners lost and replaced.
  for (const auto& e : kept_results(o.lt.status)) {
    if (!add(e, load_result(o.lt.ns, e, error))) return false;
  }
  if (!merged) {
    *error = "no runner result";
    return false;
  }
  if (hooks_.exit_after_fetching_results) {
    spdlog::warn("{}: results fetched; exiting before storing them (test hook)", o.lt.key());
    spdlog::default_logger()->flush();
    std::_Exit(3);
  }
  merged->testid = o.lt.testid;
  merged->runner = "merged/" + std::to_string(desired_runners_of(o));
  judge_thresholds(o.plan->thresholds, *merged);
  const std::string name = result_config_map_name(o.lt.name, o.lt.run());
  if (!store_result(o, result_to_json(*merged), d, error)) return false;
  // From the status decided in this reconcile (observedGeneration, the schedule's fields).
  Observed judged = o;
  judged.lt.status = d.status;
  d.status = finished_status(judged, *merged, name);
  d.events.push_back({merged->thresholds_ok() ? "Normal" : "Warning", d.status.value("reason", ""),
                      d.status.value("message", "")});
  return true;
}

bool Reconciler::store_result(const Observed& o, nlohmann::json doc, Decision& d,
                              std::string* error) {
  downsample_series(doc);
  const std::uint32_t run = o.lt.run();
  const std::string name = result_config_map_name(o.lt.name, run);
  std::string why;
  auto parts = result_parts(name, doc.dump(), &why);
  if (!parts && doc.contains("requests")) {
    // Beyond kMaxResultParts even compressed: the numbers are kept, the histograms not, and the
    // result and an Event say so.
    for (auto& row : doc["requests"]) row.erase("histograms");
    doc["histograms_omitted"] = why;
    d.events.push_back({"Warning", "ResultReduced", "histograms left out of " + name + ": " + why});
    parts = result_parts(name, doc.dump(), &why);
  }
  if (!parts) {
    *error = "result: " + why;
    return false;
  }
  for (const ResultPart& part : *parts) {
    const nlohmann::json cm = result_config_map(o.lt, run, part);
    kube::Result created = kube_.create(kube::kConfigMaps, o.lt.ns, cm);
    if (created.error == kube::ApiError::kAlreadyExists) {
      created = kube_.replace(kube::kConfigMaps, o.lt.ns, part.name, cm);
    }
    if (!created.ok()) {
      *error = "result ConfigMap " + part.name + ": " + created.message;
      return false;
    }
  }
  return true;
}

bool Reconciler::remove(const kube::ResourceType& type, const std::string& ns,
                        const std::string& name, std::string* error) {
  const kube::Result r = kube_.remove(type, ns, name);
  if (r.ok() || r.error == kube::ApiError::kNotFound) return true;
  *error = "delete " + type.kind + " " + name + ": " + r.message;
  return false;
}

bool Reconciler::delete_children(const Observed& o, std::string* error) {
  bool ok = true;
  for (const auto& r : o.runners) ok = remove(kube::kPods, o.lt.ns, r.pod_name, error) && ok;
  ok = remove(kube::kSecrets, o.lt.ns, control_secret_name(o.lt.name), error) && ok;
  ok = remove(kube::kConfigMaps, o.lt.ns, plan_config_map_name(o.lt.name, o.lt.run()), error) && ok;
  if (o.plan && o.plan->setup) {
    ok = remove(kube::kSecrets, o.lt.ns, setup_secret_name(o.lt.name, o.lt.run()), error) && ok;
  }
  return ok;
}

bool Reconciler::delete_past_runs(const Observed& o, std::uint32_t run, std::string* error) {
  bool ok = true;
  for (const auto* pods : {&o.runners, &o.other_runs}) {
    for (const auto& r : *pods) {
      if (r.run < run) ok = remove(kube::kPods, o.lt.ns, r.pod_name, error) && ok;
    }
  }
  if (o.plan && o.plan->setup) {
    ok = remove(kube::kSecrets, o.lt.ns, setup_secret_name(o.lt.name, run - 1), error) && ok;
  }
  return remove(kube::kConfigMaps, o.lt.ns, plan_config_map_name(o.lt.name, run - 1), error) && ok;
}

bool Reconciler::delete_result(const std::string& ns, const std::string& name, std::string* error) {
  const kube::Result first = kube_.get(kube::kConfigMaps, ns, name);
  if (first.error == kube::ApiError::kNotFound) return true;
  if (!first.ok()) {
    *error = "result ConfigMap " + name + ": " + first.message;
    return false;
  }
  // A split result says how many parts it has; the first goes last, so that a retry after a
  // failure still finds the count.
  const std::size_t parts = result_part_count(first.object);
  for (std::size_t i = parts - 1; i > 0; --i) {
    if (!remove(kube::kConfigMaps, ns, result_part_name(name, i), error)) return false;
  }
  return remove(kube::kConfigMaps, ns, name, error);
}

bool Reconciler::act(const Observed& o, Decision& d, std::string* error) {
  // The run being decided: a new one when this reconcile starts it.
  const auto run = d.status.value("run", 0u);
  for (const Action& a : d.actions) {
    bool ok = true;
    switch (a.kind) {
      case Action::Kind::kCreateSecret:
        ok = create(kube::kSecrets, o.lt.ns,
                    control_secret(o.lt, control_token(defaults_.token_key, o.lt)), error);
        break;
      case Action::Kind::kCreatePlanConfigMap:
        ok = create(kube::kConfigMaps, o.lt.ns, plan_config_map(o.lt, run), error);
        break;
      case Action::Kind::kCreatePod:
        if (!o.plan) {  // decide() fails such a test instead
          *error = "cannot create runner pods: " + plan_errors_text(o);
          ok = false;
        } else {
          ok = create(kube::kPods, o.lt.ns,
                      runner_pod(o.lt, *o.plan, run, a.index, a.count, a.attempt), error);
        }
        break;
      case Action::Kind::kRunSetup:
        ok = run_phase(o, d, "setup", error);
        break;
      case Action::Kind::kStartRunners:
        ok = start_runners(o, a, error);
        break;
      case Action::Kind::kRunTeardown:
        ok = run_phase(o, d, "teardown", error);
        break;
      case Action::Kind::kCollectResults:
        ok = collect_results(o, d, error);
        break;
      case Action::Kind::kStopRunners:
        stop_runners(o);
        break;
      case Action::Kind::kAcknowledgeResults:
        break;  // after the status is written: see reconcile()
      case Action::Kind::kDeleteChildren:
        ok = delete_children(o, error);
        break;
      case Action::Kind::kDeletePastRuns:
        ok = delete_past_runs(o, a.index, error);
        break;
      case Action::Kind::kDeleteResult:
        ok = delete_result(o.lt.ns, a.name, error);
        break;
      case Action::Kind::kKeepRunnerResult:
        ok = keep_runner_result(o, d, a, error);
        break;
      case Action::Kind::kDeleteLoadTest: {
        const kube::Result r = kube_.remove(kube::kLoadTests, o.lt.ns, o.lt.name);
        ok = r.ok() || r.error == kube::ApiError::kNotFound;
        if (!ok) *error = "delete LoadTest: " + r.message;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

void Reconciler::record_events(const LoadTest& lt, const std::vector<Event>& events) {
  const std::string now = format_rfc3339(WallClock::now());
  for (const Event& e : events) {
    const nlohmann::json event = {
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata", {{"generateName", lt.name + "."}, {"namespace", lt.ns}}},
        {"involvedObject",
         {{"apiVersion", "stampede.dev/v1alpha1"},
          {"kind", "LoadTest"},
          {"name", lt.name},
          {"namespace", lt.ns},
          {"uid", lt.uid}}},
        {"reason", e.reason},
        {"message", e.message.substr(0, 1024)},
        {"type", e.type},
        {"firstTimestamp", now},
        {"lastTimestamp", now},
        {"count", 1},
        {"source", {{"component", "stampede-operator"}}}};
    const kube::Result r = kube_.create(kube::kEvents, lt.ns, event);
    if (!r.ok()) spdlog::debug("event for {}: {}", lt.key(), r.message);
  }
}

bool Reconciler::write_status(const LoadTest& lt, const nlohmann::json& status,
                              std::string* error) {
  if (status == lt.status) return true;
  // Keys the status no longer has (a finished run's, say) are removed, not kept.
  const kube::Result r =
      kube_.merge_patch(kube::kLoadTests, lt.ns, lt.name,
                        {{"status", kube::merge_patch_between(lt.status, status)}}, "status");
  if (r.ok()) loadtests_.upsert(r.object);
  if (r.ok() || r.error == kube::ApiError::kNotFound) return true;
  *error = "status: " + r.message;
  return false;
}

ReconcileOutcome Reconciler::reconcile(const std::string& key) {
  ReconcileOutcome outcome;
  const auto object = loadtests_.get(key);
  if (!object) return outcome;  // deleted: its children go by their owner references
  const Observed observed = observe(*object);
  Decision decision = decide(observed, options_);
  std::string error;
  // The start instant is recorded before the runners are called, so that a retry after a
  // failed call sends the same instant (and runners that have it accept it again).
  const bool starts =
      std::any_of(decision.actions.begin(), decision.actions.end(),
                  [](const Action& a) { return a.kind == Action::Kind::kStartRunners; });
  if (starts && !write_status(observed.lt, decision.status, &error)) {
    outcome.ok = false;
    outcome.error = error;
    return outcome;
  }
  if (!act(observed, decision, &error)) {
    outcome.ok = false;
    outcome.error = error;
    return outcome;  // nothing written: the next attempt decides again from what is
  }
  if (!write_status(observed.lt, decision.status, &error)) {
    outcome.ok = false;
    outcome.error = error;
    return outcome;
  }
  record_events(observed.lt, decision.events);
  // Only now is the result stored in the ConfigMap and the status: the runners may go.
  if (!acknowledge_results(observed, decision, &error)) {
    outcome.ok = false;
    outcome.error = error;
    return outcome;
  }
  outcome.requeue_after = decision.requeue_after;
  outcome.phase = decision.status.value("phase", "");
  return outcome;
}

}  // namespace stampede::op
