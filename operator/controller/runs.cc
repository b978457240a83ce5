#include "controller/runs.h"

#include "base/rfc3339.h"
#include "controller/conditions.h"
#include "controller/cron_schedule.h"
#include "controller/replacements.h"

namespace stampede::op {
namespace {

using std::chrono::milliseconds;

struct Trigger {
  std::string kind;
  std::optional<WallClock::time_point> scheduled;  // for kind Schedule
};

nlohmann::json trigger_json(const Trigger& t) {
  nlohmann::json j = {{"trigger", t.kind}};
  if (t.scheduled) j["scheduledTime"] = format_rfc3339(*t.scheduled);
  return j;
}

Trigger trigger_from(const nlohmann::json& j) {
  return {j.value("trigger", kTriggerRerun), time_field(j, "scheduledTime")};
}

// What the scheduled times between the last one reached and now come to.
struct ScheduleCheck {
  std::optional<WallClock::time_point> due;  // the latest, if within the starting deadline
  std::optional<WallClock::time_point> last_reached;
  std::uint64_t skipped = 0;  // passed over: older than the latest, or past the deadline
  std::optional<WallClock::time_point> next;
};

// An operator that was down for a year with a schedule of every minute must still answer.
constexpr int kMaxScheduledTimesWalked = 600000;

ScheduleCheck check_schedule(const CronSchedule& cron, WallClock::time_point since,
                             WallClock::time_point now, std::chrono::seconds deadline) {
  ScheduleCheck c;
  auto t = cron.next(since);
  for (int n = 0; t && *t <= now && n < kMaxScheduledTimesWalked; ++n) {
    if (c.last_reached) ++c.skipped;
    c.last_reached = t;
    t = cron.next(*t);
  }
  if (c.last_reached) {
    if (now - *c.last_reached <= deadline) {
      c.due = c.last_reached;
    } else {
      ++c.skipped;  // missed by more than the deadline: never run late in a burst
    }
  }
  c.next = cron.next(now);
  return c;
}

void delete_result(Decision& d, const std::string& name) {
  Action a{Action::Kind::kDeleteResult};
  a.name = name;
  d.actions.push_back(a);
}

// The status of run `run + 1`, started by `t`: the finished run goes to the front of the
// history, and entries beyond the limit leave with their result ConfigMaps.
void start_run(Decision& d, const Observed& o, const Trigger& t) {
  nlohmann::json& s = d.status;
  const std::uint32_t run = o.lt.run();
  nlohmann::json history = s.contains("history") ? s["history"] : nlohmann::json::array();
  if (run > 0 && !s.value("phase", "").empty()) {
    history.insert(history.begin(), history_entry(s));
    if (s.contains("result")) s["lastResult"] = s["result"];
    // What was kept of its lost runners is in its merged result now.
    for (const std::string& kept : kept_results(s)) delete_result(d, kept);
  }
  while (history.size() > o.lt.runs.history_limit) {
    const nlohmann::json& gone = history.back();
    if (gone.contains("resultConfigMap")) delete_result(d, gone.value("resultConfigMap", ""));
    history.erase(history.size() - 1);
  }
  for (const char* key : {"phase", "result", "reason", "message", "startTime", "completionTime",
                          "progress", "results", "resultConfigMap", "runners", "startingSince",
                          "pendingRun", "conditions", "setup", "teardown"}) {
    s.erase(key);
  }
  if (history.empty()) {
    s.erase("history");
  } else {
    s["history"] = history;
  }
  s["run"] = run + 1;
  s["runGeneration"] = o.lt.generation;
  s["trigger"] = t.kind;
  if (!o.lt.rerun.empty()) s["rerun"] = o.lt.rerun;
  if (t.scheduled) s["lastScheduleTime"] = format_rfc3339(*t.scheduled);
  std::string why = t.kind;
  if (t.kind == kTriggerSpecChanged) why += " (generation " + std::to_string(o.lt.generation) + ")";
  if (t.kind == kTriggerRerun) why += " (" + std::string("stampede.dev/rerun: ") + o.lt.rerun + ")";
  if (t.scheduled) why += " (" + format_rfc3339(*t.scheduled) + ")";
  set_condition(s, kCompleted, false, "Started", "started by " + why, format_rfc3339(o.now));
  d.events.push_back({"Normal", "RunStarted", "run " + std::to_string(run + 1) + ": " + why});
  // The previous run's pods and plan go now; its result stays with its history entry.
  if (run > 0) d.actions.push_back({Action::Kind::kDeletePastRuns, run + 1});
}

// A run superseded before its load began has nothing to keep: it ends now.
void close_superseded(Decision& d, const Observed& o, const Trigger& next) {
  const std::string message = "superseded by a new run (" + next.kind + ") before its load began";
  d.status["phase"] = kPhaseFailed;
  d.status["result"] = "Error";
  d.status["reason"] = "Superseded";
  d.status["message"] = message;
  d.status["completionTime"] = format_rfc3339(o.now);
  d.events.push_back({"Normal", "Superseded", message});
}

bool any_runner_alive(const Observed& o) {
  for (const auto& r : o.runners) {
    if (r.pod_exists && !r.terminated) return true;
  }
  return false;
}

// The trigger that is not the schedule's: a run stopped for its successor, a new value of the
// rerun annotation, the test's creation or a new generation (without a schedule).
std::optional<Trigger> pending_trigger(Decision& d, const Observed& o, bool scheduled) {
  const nlohmann::json& s = d.status;
  if (s.contains("pendingRun")) return trigger_from(s["pendingRun"]);
  const std::uint32_t run = o.lt.run();
  if (!o.lt.rerun.empty() && o.lt.rerun != s.value("rerun", "")) {
    // Present when a scheduled test is created: seen, not a request to run now.
    if (run == 0 && scheduled && !s.contains("rerun")) {
      d.status["rerun"] = o.lt.rerun;
    } else {
      return Trigger{kTriggerRerun, std::nullopt};
    }
  }
  if (scheduled) return std::nullopt;
  if (run == 0 && s.value("phase", "").empty()) return Trigger{kTriggerCreated, std::nullopt};
  if (run > 0 && o.lt.generation > o.lt.run_generation()) {
    return Trigger{kTriggerSpecChanged, std::nullopt};
  }
  return std::nullopt;
}

// The schedule's part: records the times reached, and returns the one due now, if any.
std::optional<Trigger> scheduled_trigger(Decision& d, const Observed& o, const CronSchedule& cron,
                                         RunStep& step) {
  nlohmann::json& s = d.status;
  if (o.lt.runs.suspend) {
    s.erase("nextScheduleTime");
    return std::nullopt;
  }
  std::string error;
  const auto created = parse_rfc3339(o.lt.creation_timestamp, &error);
  const auto since = time_field(s, "lastScheduleTime").value_or(created.value_or(o.now));
  const ScheduleCheck c =
      check_schedule(cron, since, o.now, std::chrono::seconds(o.lt.runs.starting_deadline_seconds));
  if (c.last_reached) s["lastScheduleTime"] = format_rfc3339(*c.last_reached);
  if (c.skipped > 0) {
    s["skippedScheduleTimes"] = s.value("skippedScheduleTimes", std::uint64_t{0}) + c.skipped;
  }
  if (c.next) {
    s["nextScheduleTime"] = format_rfc3339(*c.next);
    // A little past the instant, so that the reconcile finds it reached.
    step.wait = std::chrono::duration_cast<milliseconds>(*c.next - o.now) + milliseconds(200);
  } else {
    s.erase("nextScheduleTime");
  }
  if (!c.due) return std::nullopt;
  return Trigger{kTriggerSchedule, c.due};
}

}  // namespace

bool next_run_waiting(const Observed& o) {
  const nlohmann::json& s = o.lt.status;
  if (s.contains("pendingRun")) return true;
  if (!o.lt.rerun.empty() && o.lt.rerun != s.value("rerun", "")) return true;
  return o.lt.runs.schedule.empty() && o.lt.run() > 0 && o.lt.generation > o.lt.run_generation();
}

bool run_active(const nlohmann::json& status) {
  const std::string phase = status.value("phase", "");
  return !phase.empty() && phase != kPhaseSucceeded && phase != kPhaseFailed;
}

nlohmann::json history_entry(const nlohmann::json& status) {
  nlohmann::json e = {{"run", status.value("run", 0u)},
                      {"generation", status.value("runGeneration", std::int64_t{0})}};
  for (const char* key :
       {"trigger", "startTime", "completionTime", "phase", "result", "reason", "resultConfigMap"}) {
    if (status.contains(key) && status[key].is_string()) e[key] = status[key];
  }
  if (!status.contains("results") || !status["results"].is_object()) {
    e.erase("resultConfigMap");  // no result was stored
    return e;
  }
  const nlohmann::json& r = status["results"];
  e["requests"] = r.value("requests", std::uint64_t{0});
  e["rps"] = r.value("rps", 0.0);
  e["errorRate"] = r.value("errorRate", 0.0);
  if (r.contains("latencySeconds") && r["latencySeconds"].is_object()) {
    e["p95Seconds"] = r["latencySeconds"].value("p95", 0.0);
    e["p99Seconds"] = r["latencySeconds"].value("p99", 0.0);
  }
  return e;
}

RunStep step_runs(Decision& d, const Observed& o) {
  RunStep step;
  std::optional<CronSchedule> cron;
  if (!o.lt.runs.schedule.empty()) {
    std::string error;
    cron = CronSchedule::parse(o.lt.runs.schedule, o.lt.runs.time_zone, &error);
    if (!cron) {
      step.invalid_schedule = error;
      return step;
    }
  }
  const bool active = run_active(d.status);
  std::optional<Trigger> trigger = pending_trigger(d, o, cron.has_value());
  const bool replace_now = trigger && o.lt.runs.replace_on_spec_change;
  std::optional<Trigger> scheduled;
  if (cron) scheduled = scheduled_trigger(d, o, *cron, step);
  if (scheduled) {
    if (!trigger) {
      trigger = scheduled;
    } else {
      d.status["lastScheduleTime"] = format_rfc3339(*scheduled->scheduled);  // the same run
    }
  }
  if (!trigger) return step;
  if (!active) {
    start_run(d, o, *trigger);
    step.start = true;
    return step;
  }
  // A run is in progress: the trigger waits for it to end, or replaces it.
  const bool replace = d.status.contains("pendingRun") || replace_now ||
                       (trigger->kind == kTriggerSchedule && o.lt.runs.replace_on_schedule);
  if (!replace) {
    if (trigger->kind == kTriggerSchedule) {
      // Forbid: runs never overlap, and a skipped time is not run later.
      d.status["skippedScheduleTimes"] = d.status.value("skippedScheduleTimes", 0u) + 1;
      d.events.push_back({"Normal", "ScheduleSkipped",
                          "run " + std::to_string(o.lt.run()) + " is still active at " +
                              format_rfc3339(*trigger->scheduled)});
    }
    return step;
  }
  if (!d.status.contains("pendingRun")) {
    d.status["pendingRun"] = trigger_json(*trigger);
    d.events.push_back(
        {"Normal", "Superseding",
         "run " + std::to_string(o.lt.run()) + " stops for a new run (" + trigger->kind + ")"});
  }
  if (d.status.value("phase", "") == kPhaseRunning) {
    // Stopped, the runners finish and serve what they measured: the run is judged on it, marked
    // Superseded, and its successor starts once it is stored.
    if (any_runner_alive(o)) d.actions.push_back({Action::Kind::kStopRunners});
    return step;
  }
  close_superseded(d, o, *trigger);
  start_run(d, o, *trigger);
  step.start = true;
  return step;
}

}  // namespace stampede::op
