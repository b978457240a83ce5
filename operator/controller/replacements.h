#pragma once
// runners.failurePolicy Replace: a runner lost during the load (evicted, OOM-killed, its pod
// deleted, its node gone) is replaced instead of failing the test. What it measured is kept
// (its final result when its terminating pod still serves one, else the operator's last poll of
// its result so far), a replacement pod joins the same segment where the schedule is
// (`agent --resume`), and the merged result is marked degraded with the gap recorded in
// status.runners.replacements. Pure functions over the observation, as decide() is.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/decide.h"

namespace stampede::op {

// The pod now serving segment `index`: the one of the highest attempt.
const RunnerObservation* current_runner(const Observed& o, std::uint32_t index);

// The attempt segment `index` is on: how many of its runners were replaced in this run.
std::uint32_t replacements_of(const nlohmann::json& status, std::uint32_t index);

// What happened to a runner that has no result for the test.
enum class RunnerLoss : std::uint8_t {
  kNone,      // running, or finished with its result
  kStopping,  // its pod is being deleted and its runner is still stopping: its final result
              // comes within seconds
  kLost,      // gone, failed, or being deleted with its final result (or unreachable)
};
RunnerLoss loss_of(const RunnerObservation& r);

// Records the loss of runner `index` (pod attempt `attempt`, `pod` named, lost for `why`),
// asks the reconciler to keep its result and to create attempt + 1. False when the policy or
// maxReplacements does not allow it: the caller fails the test.
bool replace_runner(Decision& d, const Observed& o, std::uint32_t index, std::uint32_t attempt,
                    const std::string& pod, const std::string& why, std::uint32_t count);

// For each replacement whose successor has begun: when it joined and the gap between the kept
// result's end and that instant.
void note_resumptions(nlohmann::json& status, const Observed& o);

// The replacement entry of (index, attempt) in status.runners.replacements, or nullptr.
nlohmann::json* replacement_entry(nlohmann::json& status, std::uint32_t index,
                                  std::uint32_t attempt);
const nlohmann::json* replacement_entry(const nlohmann::json& status, std::uint32_t index,
                                        std::uint32_t attempt);

// status.runners.desired: how many segments the test has.
std::uint32_t desired_runners_of(const Observed& o);

// The ConfigMaps holding what was kept of the lost runners, in the order they were lost.
std::vector<std::string> kept_results(const nlohmann::json& status);

// The sum of the replacements' gaps, and marks status.results degraded; false when no runner
// was replaced.
bool note_degraded_result(nlohmann::json& status);

}  // namespace stampede::op
