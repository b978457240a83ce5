#pragma once
// The controller's judgement, as a pure function: from what was observed of one LoadTest, the
// status it should have and the actions that move the world toward it. No I/O here, so every
// transition is tested with a table of cases.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/observed.h"
#include "stats/result.h"

namespace stampede::op {

inline constexpr const char* kPhasePending = "Pending";
inline constexpr const char* kPhaseStarting = "Starting";
inline constexpr const char* kPhaseRunning = "Running";
inline constexpr const char* kPhaseSucceeded = "Succeeded";
inline constexpr const char* kPhaseFailed = "Failed";

struct Action {
  enum class Kind : std::uint8_t {
    kCreateSecret,  // the control token
    kCreatePlanConfigMap,
    kCreatePod,  // runner `index` of `count`
    // The plan's setup (docs/setup-teardown.md): POST /v1/setup on runner 0 once all are ready;
    // its state goes to status.setup.
    kRunSetup,
    kStartRunners,  // POST /v1/start {startAt, the setup's values} to every runner at once
    // The plan's teardown: POST /v1/teardown on runner 0 once all have finished, before the
    // results are collected; its state goes to status.teardown.
    kRunTeardown,
    kCollectResults,  // GET /v1/result from every runner, merge, judge, store
    // POST /v1/result/ack to the runners still serving: done after the status is written, as
    // only then is the result safe (the runners exit on it).
    kAcknowledgeResults,
    kStopRunners,     // POST /v1/stop to the runners still running
    kDeleteChildren,  // cleanup policy: runner pods, plan, token (the result stays)
    kDeleteLoadTest,  // ttlSecondsAfterFinished passed
    kDeletePastRuns,  // run `index` starts: the pods of runs before it and the last one's plan
    kDeleteResult,    // result ConfigMap `name` and its parts (no longer needed)
    // runners.failurePolicy Replace: keep what runner `index` (pod `attempt`) measured, its final
    // result or its last one so far, in a ConfigMap; fills its status.runners.replacements entry.
    kKeepRunnerResult,
  };
  Kind kind;
  std::uint32_t index = 0;
  std::uint32_t count = 0;
  WallClock::time_point start_at{};
  std::uint32_t attempt = 0;  // kCreatePod, kKeepRunnerResult: which pod of segment `index`
  std::string name;           // kDeleteResult: the result's (first) ConfigMap

  bool operator==(const Action&) const = default;
};

struct Event {
  std::string type;  // Normal or Warning
  std::string reason;
  std::string message;
};

struct Decision {
  nlohmann::json status;  // the whole status the LoadTest should have
  std::vector<Action> actions;
  std::vector<Event> events;
  std::optional<std::chrono::milliseconds> requeue_after;
};

struct DecideOptions {
  std::chrono::seconds start_delay{3};
  std::chrono::milliseconds poll_interval{3000};
};

Decision decide(const Observed& observed, const DecideOptions& options = {});

// The status once every runner's result is in: merged totals, percentiles, status codes, top
// request names, threshold verdicts, phase and conditions. `merged` already carries the
// threshold outcomes judged on the merged result.
nlohmann::json finished_status(const Observed& observed, const Result& merged,
                               const std::string& result_config_map);

// status.progress from the runners' /v1/status documents: sums, and the largest p95 (a bound:
// percentiles of different runners cannot be merged without their histograms).
nlohmann::json progress_of(const std::vector<RunnerObservation>& runners);

// A runner that began after the shared startTime (its start call came late) ran less of the
// test than the others: status.runners.startedLateSeconds (the latest) and, beyond 1 s,
// condition Degraded, reason LateStart, from the runners' /v1/status.
void note_late_start(nlohmann::json& status, const Observed& observed);

// The RFC 3339 instant in object[key] (a status or a history entry); nullopt when the object or
// the key is missing or does not hold one.
std::optional<WallClock::time_point> time_field(const nlohmann::json& object, const char* key);

// "850us", "23.4ms", "1.25s": a latency for people reading `kubectl get`.
std::string latency_text(double seconds);

}  // namespace stampede::op
