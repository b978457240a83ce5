#pragma once
// Runs of a LoadTest (docs/runs.md): each execution of the test is a run with a number. This is
// the step decide() takes before its phase dispatch: whether a run starts now (created, spec
// changed, re-run by annotation, scheduled), whether the current one is superseded, the
// schedule's bookkeeping, and the history of past runs with their result ConfigMaps.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "controller/decide.h"

namespace stampede::op {

// Why a run started (status.trigger, history[].trigger).
inline constexpr const char* kTriggerCreated = "Created";
inline constexpr const char* kTriggerSpecChanged = "SpecChanged";
inline constexpr const char* kTriggerRerun = "Rerun";
inline constexpr const char* kTriggerSchedule = "Schedule";

struct RunStep {
  // A new run starts in this reconcile: d.status is already the new run's (number, generation,
  // trigger; phase empty) and the caller accepts it as a new test, with no children yet.
  bool start = false;
  // spec.schedule does not parse: why, naming the field.
  std::string invalid_schedule;
  // With a schedule: how long until the next scheduled time.
  std::optional<std::chrono::milliseconds> wait;
};

// Updates d.status and d.actions for runs; see RunStep.
RunStep step_runs(Decision& d, const Observed& o);

// A trigger waits for the current run to end (a new generation, a rerun value not acted on, a
// run stopped for its successor): once it ends, the next reconcile must come at once, as the
// status write that ends it queues none.
bool next_run_waiting(const Observed& o);

// A run is active from its acceptance until its verdict.
bool run_active(const nlohmann::json& status);

// The history entry of the run `status` describes (headline numbers from status.results).
nlohmann::json history_entry(const nlohmann::json& status);

}  // namespace stampede::op
