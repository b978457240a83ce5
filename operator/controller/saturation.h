#pragma once
// The LoadGeneratorSaturated condition (docs/self-monitoring.md): True once any runner reports
// seconds in which its own CPU or event loop was saturated, since the latencies measured then
// include the generator's queueing; False while none does. Set from the runners' /v1/status
// while the test runs and from their results at the end, where status.results.generators keeps
// each runner's CPU, memory, loop lag and saturated seconds.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/observed.h"
#include "stats/generator_stats.h"

namespace stampede::op {

inline constexpr const char* kLoadGeneratorSaturated = "LoadGeneratorSaturated";

// From the runners' last /v1/status. When the condition turned True now, its message (an Event
// is due).
std::optional<std::string> note_saturation(nlohmann::json& status,
                                           const std::vector<RunnerObservation>& runners,
                                           const std::string& now);

// From the merged result's generators; also fills status.results.generators. When the condition
// turned True now, its message.
std::optional<std::string> note_saturation(nlohmann::json& status,
                                           const std::vector<GeneratorStats>& generators,
                                           const std::string& now);

}  // namespace stampede::op
