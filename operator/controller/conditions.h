#pragma once
// status.conditions as Kubernetes API conventions have them: one entry per type, whose
// lastTransitionTime changes only when the status does.

#include <nlohmann/json.hpp>
#include <string>

namespace stampede::op {

inline constexpr const char* kRunnersReady = "RunnersReady";
inline constexpr const char* kRunning = "Running";
inline constexpr const char* kCompleted = "Completed";
inline constexpr const char* kThresholdsPassed = "ThresholdsPassed";
inline constexpr const char* kDegraded = "Degraded";
// kstatus's conditions (sigs.k8s.io/cli-utils), which Flux's health checks and `kubectl wait
// --for=condition=Ready` read.
inline constexpr const char* kReady = "Ready";
inline constexpr const char* kReconciling = "Reconciling";
inline constexpr const char* kStalled = "Stalled";

// Sets condition `type` in status["conditions"]; keeps lastTransitionTime when the status is
// unchanged. A condition is the current run's: its observedGeneration is status.runGeneration
// and its message starts with "run N: " (status.run), so that `kubectl wait` after an edit never
// takes the previous run's verdict for the new one's (docs/runs.md).
void set_condition(nlohmann::json& status, const std::string& type, bool value,
                   const std::string& reason, const std::string& message, const std::string& now);

// Ready, Reconciling and Stalled from status.phase (and result, reason, message): Reconciling
// while the test is pending, starting or running; Ready once it passed; Stalled once it failed,
// on a threshold or an error. So a GitOps tool reports a running test as in progress, a passed
// one as healthy and a failed one as failed. A scheduled test before its first run (no phase)
// is Ready: there is nothing to wait for. Also keeps status.lastResult, the verdict of the
// last finished run, which stays while the next one runs.
void set_health_conditions(nlohmann::json& status, const std::string& now);

// The condition's status ("True", "False", "Unknown"); "" when absent.
std::string condition_status(const nlohmann::json& status, const std::string& type);

}  // namespace stampede::op
