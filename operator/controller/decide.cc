#include "controller/decide.h"

#include <algorithm>
#include <cstdio>

#include "base/rfc3339.h"
#include "controller/children.h"
#include "controller/conditions.h"
#include "controller/names.h"
#include "controller/replacements.h"
#include "controller/runs.h"
#include "controller/saturation.h"
#include "plan/duration.h"

namespace stampede::op {
namespace {

using std::chrono::milliseconds;

// How often a running setup or teardown is asked about: they take a request or two.
constexpr milliseconds kPhasePoll{500};

std::string now_text(const Observed& o) {
  return format_rfc3339(o.now);
}

void set_runner_counts(nlohmann::json& status, std::uint32_t ready, std::uint32_t desired) {
  status["runners"] = {{"desired", desired},
                       {"ready", ready},
                       {"summary", std::to_string(ready) + "/" + std::to_string(desired)}};
}

// Moves to Failed with a reason; the runners still alive are stopped.
void fail(Decision& d, const Observed& o, const std::string& reason, const std::string& message,
          bool degraded) {
  d.status["phase"] = kPhaseFailed;
  d.status["result"] = "Error";
  d.status["reason"] = reason;
  d.status["message"] = message;
  d.status["completionTime"] = now_text(o);
  set_condition(d.status, kCompleted, true, reason, message, now_text(o));
  set_condition(d.status, kRunning, false, reason, message, now_text(o));
  if (degraded) set_condition(d.status, kDegraded, true, reason, message, now_text(o));
  d.events.push_back({"Warning", reason, message});
  if (std::any_of(o.runners.begin(), o.runners.end(),
                  [](const RunnerObservation& r) { return r.pod_exists && !r.terminated; })) {
    d.actions.push_back({Action::Kind::kStopRunners});
  }
}

const RunnerObservation* runner(const Observed& o, std::uint32_t index) {
  for (const auto& r : o.runners) {
    if (r.index == index) return &r;
  }
  return nullptr;
}

// Pods that failed, described for a message: "demo-runner-1: OOMKilled: exit code 137".
std::string problems(const Observed& o, bool failed_only) {
  std::string text;
  for (const auto& r : o.runners) {
    if (r.problem.empty() || (failed_only && !(r.terminated || r.phase == "Failed"))) continue;
    if (!text.empty()) text += "; ";
    text += r.pod_name + ": " + r.problem;
  }
  return text;
}

// The operator may not read Secrets (its RBAC has no get on them): the token Secret is created
// at launch, and again only when a runner pod says its configuration is missing (creating it
// again is harmless: AlreadyExists).
bool secret_missing(const Observed& o) {
  return std::any_of(o.runners.begin(), o.runners.end(), [](const RunnerObservation& r) {
    return r.problem.rfind("CreateContainerConfigError", 0) == 0;
  });
}

void ensure_children(Decision& d, const Observed& o, std::uint32_t count, bool secret) {
  if (secret) d.actions.push_back({Action::Kind::kCreateSecret});
  if (!o.plan_config_map) d.actions.push_back({Action::Kind::kCreatePlanConfigMap});
  for (std::uint32_t i = 0; i < count; ++i) {
    if (runner(o, i) == nullptr) d.actions.push_back({Action::Kind::kCreatePod, i, count});
  }
}

// An invalid spec is terminal: retrying cannot make it parse, only a new generation can (and
// that queues a reconcile of its own).
void invalid_spec(Decision& d, const Observed& o, const std::string& context) {
  if (!d.status.contains("runners")) set_runner_counts(d.status, 0, 0);
  fail(d, o, "InvalidSpec", context + plan_errors_text(o), false);
}

void accept(Decision& d, const Observed& o) {
  if (!o.plan) {
    invalid_spec(d, o, "");
    return;
  }
  const std::uint32_t count = runner_count(*o.plan, o.lt.runners);
  d.status["phase"] = kPhaseStarting;
  d.status["testid"] = o.lt.testid;
  set_runner_counts(d.status, 0, count);
  d.status["startingSince"] = now_text(o);
  d.status["resultConfigMap"] = result_config_map_name(o.lt.name, o.lt.run());
  set_condition(d.status, kRunnersReady, false, "Launching",
                "creating " + std::to_string(count) + " runner pod(s)", now_text(o));
  d.events.push_back(
      {"Normal", "Launching",
       "creating " + std::to_string(count) + " runner pod(s) for test " + o.lt.testid});
  ensure_children(d, o, count, true);
}

// status.setup or status.teardown's phase: "" before it was asked for, then Running, Succeeded
// or Failed (written by the reconciler from runner 0's answers).
std::string phase_state(const nlohmann::json& status, const char* phase) {
  const auto found = status.find(phase);
  return found != status.end() && found->is_object() ? found->value("phase", "") : "";
}

// Once every runner is ready, the plan's setup runs on runner 0 before the start: true when it
// has succeeded (or there is none); else asks for it, or fails the test when it failed.
bool setup_done(Decision& d, const Observed& o) {
  if (!o.plan || !o.plan->setup) return true;
  const std::string state = phase_state(o.lt.status, "setup");
  if (state == "Succeeded") return true;
  if (state == "Failed") {
    fail(d, o, "SetupFailed",
         "the setup failed, so the load did not start: " +
             o.lt.status["setup"].value("message", std::string("(no message)")),
         false);
    return false;
  }
  d.actions.push_back({Action::Kind::kRunSetup});
  set_condition(d.status, kRunnersReady, true, "SetupRunning",
                "every runner is ready; runner 0 runs the setup", now_text(o));
  d.requeue_after = kPhasePoll;
  return false;
}

// Once every runner has finished, the plan's teardown runs on runner 0 (they keep serving their
// results meanwhile): true when it is over, succeeded or not (or there is none).
bool teardown_done(Decision& d, const Observed& o) {
  if (!o.plan || !o.plan->teardown) return true;
  const std::string state = phase_state(o.lt.status, "teardown");
  if (state == "Succeeded" || state == "Failed") return true;
  d.actions.push_back({Action::Kind::kRunTeardown});
  d.requeue_after = kPhasePoll;
  return false;
}

void starting(Decision& d, const Observed& o, const DecideOptions& options) {
  const std::uint32_t count = desired_runners_of(o);
  std::uint32_t ready = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    const RunnerObservation* r = runner(o, i);
    if (r != nullptr && r->ready && !r->pod_ip.empty()) ++ready;
  }
  set_runner_counts(d.status, ready, count);
  if (const std::string failed = problems(o, true); !failed.empty()) {
    fail(d, o, "RunnerFailed", "a runner failed before the start: " + failed, true);
    return;
  }
  if (ready == count && count > 0 && !setup_done(d, o)) return;
  if (ready == count && count > 0) {
    const auto start_at = o.now + options.start_delay;
    d.actions.push_back({Action::Kind::kStartRunners, 0, count, start_at});
    d.status["phase"] = kPhaseRunning;
    d.status["startTime"] = format_rfc3339(start_at);
    set_condition(d.status, kRunnersReady, true, "AllReady",
                  std::to_string(count) + " of " + std::to_string(count) + " runners ready",
                  now_text(o));
    set_condition(d.status, kRunning, true, "Started",
                  "runners start at " + format_rfc3339(start_at), now_text(o));
    d.events.push_back(
        {"Normal", "Started",
         std::to_string(count) + " runner(s) start together at " + format_rfc3339(start_at)});
    d.requeue_after =
        std::chrono::duration_cast<milliseconds>(options.start_delay) + options.poll_interval;
    return;
  }
  const auto since = time_field(o.lt.status, "startingSince").value_or(o.now);
  if (o.now - since > std::chrono::seconds(o.lt.start_timeout_seconds)) {
    std::string why = problems(o, false);
    if (why.empty()) why = "no runner problem reported by the pods";
    fail(d, o, "RunnersNotReady",
         std::to_string(ready) + " of " + std::to_string(count) + " runners ready after " +
             std::to_string(o.lt.start_timeout_seconds) + "s: " + why,
         false);
    return;
  }
  // Recreate what went missing (a deleted pod, say).
  ensure_children(d, o, count, secret_missing(o));
  set_condition(d.status, kRunnersReady, false, "Waiting",
                std::to_string(ready) + " of " + std::to_string(count) + " runners ready",
                now_text(o));
  d.requeue_after = options.poll_interval;
}

// A replacement that never became ready fails the test as a runner that never did at the start.
bool replacement_overdue(const Observed& o, const nlohmann::json& status, std::uint32_t index,
                         const RunnerObservation* r) {
  const std::uint32_t attempt = replacements_of(status, index);
  if (attempt == 0 || (r != nullptr && r->attempt == attempt && r->ready)) return false;
  const nlohmann::json* entry = replacement_entry(status, index, attempt - 1);
  const auto lost = entry != nullptr ? time_field(*entry, "lostAt") : std::nullopt;
  return lost && o.now - *lost > std::chrono::seconds(o.lt.start_timeout_seconds);
}

void running(Decision& d, const Observed& o, const DecideOptions& options) {
  const std::uint32_t count = desired_runners_of(o);
  std::uint32_t finished = 0;
  std::string lost;
  auto lose = [&](std::uint32_t index, std::uint32_t attempt, const std::string& pod,
                  const std::string& why) {
    if (!replace_runner(d, o, index, attempt, pod, why, count)) {
      lost += (lost.empty() ? "" : "; ") + pod + ": " + why;
    }
  };
  for (std::uint32_t i = 0; i < count; ++i) {
    const RunnerObservation* r = current_runner(o, i);
    const std::uint32_t attempt = replacements_of(d.status, i);
    const std::string pod = runner_pod_name(o.lt.name, o.lt.run(), i, attempt);
    if (replacement_overdue(o, d.status, i, r)) {
      lost += (lost.empty() ? "" : "; ") + pod + ": not ready " +
              std::to_string(o.lt.start_timeout_seconds) + "s after its predecessor was lost" +
              (r != nullptr && !r->problem.empty() ? ": " + r->problem : "");
      continue;
    }
    if (r == nullptr || r->attempt < attempt) {
      // A replacement decided on but not seen yet: create it (again, harmlessly, if it is only
      // not in the cache yet).
      if (attempt > 0) {
        d.actions.push_back({Action::Kind::kCreatePod, i, count, {}, attempt});
      } else {
        lose(i, 0, pod, "pod deleted");
      }
      continue;
    }
    switch (loss_of(*r)) {
      case RunnerLoss::kNone:
        if (r->status && r->status->value("state", "") == "finished") ++finished;
        break;
      case RunnerLoss::kStopping:
        break;  // its final result comes within seconds: keep it rather than the last poll's
      case RunnerLoss::kLost:
        // Gone before its result was collected: without a replacement, the test cannot be
        // judged on all the load.
        lose(i, r->attempt, r->pod_name,
             r->deleting          ? "pod deleted"
             : r->problem.empty() ? "exited before its result was collected"
                                  : r->problem);
        break;
    }
  }
  if (!lost.empty()) {
    fail(d, o, "RunnerFailed", "a runner stopped during the test: " + lost, true);
    return;
  }
  d.status["progress"] = progress_of(o.runners);
  if (const auto saturated = note_saturation(d.status, o.runners, now_text(o))) {
    d.events.push_back({"Warning", kLoadGeneratorSaturated, *saturated});
  }
  note_late_start(d.status, o);
  note_resumptions(d.status, o);
  // A runner still waiting missed the start call (the operator stopped or the call failed), or
  // is a replacement: send the recorded instant; runners that already have it accept it again.
  const bool waiting =
      std::any_of(o.runners.begin(), o.runners.end(), [](const RunnerObservation& r) {
        return r.status && r.status->value("state", "") == "waiting";
      });
  if (const auto start = time_field(o.lt.status, "startTime"); waiting && start) {
    d.actions.push_back({Action::Kind::kStartRunners, 0, count, *start});
  }
  if (finished == count && count > 0 && !teardown_done(d, o)) return;
  if (finished == count && count > 0) {
    d.actions.push_back({Action::Kind::kCollectResults, 0, count});
    d.actions.push_back({Action::Kind::kAcknowledgeResults, 0, count});
    return;
  }
  d.requeue_after = options.poll_interval;
}

// Results stored by an operator that stopped before acknowledging them: the runners still
// serve them and wait.
bool unacknowledged_runners(const Observed& o) {
  if (!o.lt.status.contains("results")) return false;  // nothing was collected
  return std::any_of(o.runners.begin(), o.runners.end(), [](const RunnerObservation& r) {
    return r.pod_exists && !r.terminated && !r.pod_ip.empty() && r.phase == "Running";
  });
}

void finished(Decision& d, const Observed& o) {
  const bool succeeded = o.lt.status.value("phase", "") == kPhaseSucceeded;
  if (unacknowledged_runners(o)) d.actions.push_back({Action::Kind::kAcknowledgeResults});
  const bool children =
      o.plan_config_map || std::any_of(o.runners.begin(), o.runners.end(),
                                       [](const RunnerObservation& r) { return r.pod_exists; });
  const bool clean = o.lt.cleanup == CleanupPolicy::kAlways ||
                     (o.lt.cleanup == CleanupPolicy::kOnSuccess && succeeded);
  // Runners still running after a failure are stopped before they are cleaned up.
  if (clean && children) d.actions.push_back({Action::Kind::kDeleteChildren});
  // A scheduled test runs again: it is never deleted after a run (the CRD refuses both).
  if (!o.lt.ttl_seconds_after_finished || !o.lt.runs.schedule.empty()) return;
  const auto done = time_field(o.lt.status, "completionTime").value_or(o.now);
  const auto expiry = done + std::chrono::seconds(*o.lt.ttl_seconds_after_finished);
  if (o.now >= expiry) {
    d.actions.push_back({Action::Kind::kDeleteLoadTest});
  } else {
    d.requeue_after = std::chrono::duration_cast<milliseconds>(expiry - o.now);
  }
}

}  // namespace

// How late a runner may begin before the test counts as Degraded.
constexpr double kLateStartTolerance = 1.0;

void note_late_start(nlohmann::json& status, const Observed& o) {
  double latest = 0;
  std::string who;
  for (const auto& r : o.runners) {
    // A replacement joins late by design (status.runners.replacements says when).
    if (!r.status || r.attempt > 0) continue;
    const double late = r.status->value("started_late_seconds", 0.0);
    if (late > latest) {
      latest = late;
      who = r.pod_name;
    }
  }
  // Polls after a runner has exited no longer see it: keep the largest seen.
  const bool has_runners = status.contains("runners") && status["runners"].is_object();
  const double before = has_runners ? status["runners"].value("startedLateSeconds", 0.0) : 0.0;
  if (latest <= before) return;
  if (!has_runners) status["runners"] = nlohmann::json::object();
  status["runners"]["startedLateSeconds"] = latest;
  // Milliseconds late (a start call that just missed a short start delay) skew nothing.
  if (latest <= kLateStartTolerance) return;
  char late[32];
  std::snprintf(late, sizeof late, "%.3f", latest);
  set_condition(status, kDegraded, true, "LateStart",
                who + " started " + late + "s after startTime: it ran less of the test than " +
                    "the other runners",
                now_text(o));
}

std::optional<WallClock::time_point> time_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) {
    return std::nullopt;
  }
  std::string error;
  return parse_rfc3339(object[key].get<std::string>(), &error);
}

std::string latency_text(double seconds) {
  char buf[32];
  if (seconds < 1e-3) {
    std::snprintf(buf, sizeof buf, "%.0fus", seconds * 1e6);
  } else if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.1fms", seconds * 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  }
  return buf;
}

nlohmann::json progress_of(const std::vector<RunnerObservation>& runners) {
  double users = 0, rps = 0, requests = 0, failures = 0, dropped = 0, p95 = 0, elapsed = 0,
         planned = 0;
  for (const auto& r : runners) {
    if (!r.status) continue;
    const auto& s = *r.status;
    users += s.value("users", 0.0);
    rps += s.value("rps", 0.0);
    requests += s.value("requests", 0.0);
    failures += s.value("failures", 0.0);
    dropped += s.value("dropped", 0.0);
    elapsed = std::max(elapsed, s.value("elapsed_seconds", 0.0));
    planned = std::max(planned, s.value("planned_seconds", 0.0));
    if (s.contains("latency_seconds")) p95 = std::max(p95, s["latency_seconds"].value("p95", 0.0));
  }
  return {{"elapsed", format_duration(std::chrono::seconds(static_cast<std::int64_t>(elapsed)))},
          {"elapsedSeconds", static_cast<std::int64_t>(elapsed)},
          {"plannedSeconds", static_cast<std::int64_t>(planned)},
          {"users", static_cast<std::int64_t>(users)},
          {"rps", static_cast<std::int64_t>(rps)},
          {"requests", static_cast<std::int64_t>(requests)},
          {"failures", static_cast<std::int64_t>(failures)},
          {"dropped", static_cast<std::int64_t>(dropped)},
          {"p95", latency_text(p95)},
          {"p95Seconds", p95}};
}

namespace {

// What run `d.status` starts looks like before it has children: the previous run's pods and
// plan are not its own.
Observed new_run_observation(const Observed& o, const nlohmann::json& status) {
  Observed fresh = o;
  fresh.lt.status = status;
  fresh.other_runs.insert(fresh.other_runs.end(), fresh.runners.begin(), fresh.runners.end());
  fresh.runners.clear();
  fresh.plan_config_map = false;
  fresh.result_config_map = false;
  return fresh;
}

void dispatch(Decision& d, const Observed& o, const DecideOptions& options) {
  const std::string phase = o.lt.status.value("phase", "");
  if ((phase == kPhaseStarting || phase == kPhaseRunning) && !o.plan) {
    // The spec was edited, or the operator's built-in profiles changed, since the start.
    invalid_spec(d, o, "the spec no longer parses: ");
  } else if (phase == kPhasePending) {
    accept(d, o);
  } else if (phase == kPhaseStarting) {
    starting(d, o, options);
  } else if (phase == kPhaseRunning) {
    running(d, o, options);
  } else if (!phase.empty()) {
    finished(d, o);
  }
  // No phase: a scheduled test waiting for its first run.
}

void wait_at_most(Decision& d, std::optional<milliseconds> wait) {
  if (wait && (!d.requeue_after || *wait < *d.requeue_after)) d.requeue_after = wait;
}

}  // namespace

Decision decide(const Observed& o, const DecideOptions& options) {
  Decision d;
  d.status = o.lt.status;
  if (o.lt.deleting) return d;  // owner references take the children with it
  d.status["observedGeneration"] = o.lt.generation;
  const RunStep step = step_runs(d, o);
  if (!step.invalid_schedule.empty()) {
    // Terminal until the spec changes, as an invalid plan is; a run in progress ends first.
    const std::string message = "spec.schedule: " + step.invalid_schedule;
    if (run_active(d.status)) {
      dispatch(d, o, options);
    } else if (d.status.value("message", "") != message) {
      fail(d, o, "InvalidSpec", message, false);
    }
  } else if (step.start) {
    accept(d, new_run_observation(o, d.status));
  } else {
    dispatch(d, o, options);
  }
  wait_at_most(d, step.wait);
  const bool collecting = std::any_of(d.actions.begin(), d.actions.end(), [](const Action& a) {
    return a.kind == Action::Kind::kCollectResults;
  });
  if ((collecting || (run_active(o.lt.status) && !run_active(d.status))) && next_run_waiting(o)) {
    wait_at_most(d, milliseconds(0));
  }
  set_health_conditions(d.status, now_text(o));
  return d;
}

}  // namespace stampede::op
