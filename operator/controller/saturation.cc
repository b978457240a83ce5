#include "controller/saturation.h"

#include <cstdio>

#include "controller/conditions.h"

namespace stampede::op {
namespace {

// "runner 1/3: 12s saturated (cpu)".
std::string described(const std::string& runner, double seconds, const std::string& cause) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0fs saturated", seconds);
  return "runner " + runner + ": " + text + (cause.empty() ? "" : " (" + cause + ")");
}

std::optional<std::string> set_saturated(nlohmann::json& status, const std::string& found,
                                         const std::string& now) {
  const bool was = condition_status(status, kLoadGeneratorSaturated) == "True";
  if (found.empty()) {
    // A runner's saturation is never forgotten within a run: only a run without any stays False.
    if (!was) {
      set_condition(status, kLoadGeneratorSaturated, false, "NotSaturated",
                    "no runner's CPU or event loop was saturated", now);
    }
    return std::nullopt;
  }
  const std::string message = found + "; latencies measured then include the runner's own queueing";
  set_condition(status, kLoadGeneratorSaturated, true, "Saturated", message, now);
  if (was) return std::nullopt;
  return message;
}

std::string cause_of(const GeneratorStats& g) {
  bool cpu = false;
  bool lag = false;
  for (const SaturatedInterval& s : g.saturated) {
    cpu = cpu || s.cpu;
    lag = lag || s.lag;
  }
  return saturation_cause(cpu, lag);
}

}  // namespace

std::optional<std::string> note_saturation(nlohmann::json& status,
                                           const std::vector<RunnerObservation>& runners,
                                           const std::string& now) {
  std::string found;
  for (const RunnerObservation& r : runners) {
    if (!r.status || !r.status->contains("generator")) continue;
    const nlohmann::json& g = (*r.status)["generator"];
    if (!g.is_object()) continue;
    const double seconds = g.value("saturated_seconds", 0.0);
    if (!(seconds > 0)) continue;
    found +=
        (found.empty() ? "" : "; ") + described(r.status->value("runner", std::to_string(r.index)),
                                                seconds, g.value("cause", std::string()));
  }
  return set_saturated(status, found, now);
}

std::optional<std::string> note_saturation(nlohmann::json& status,
                                           const std::vector<GeneratorStats>& generators,
                                           const std::string& now) {
  nlohmann::json& out = status["results"]["generators"] = nlohmann::json::array();
  std::string found;
  for (const GeneratorStats& g : generators) {
    out.push_back({{"runner", g.runner},
                   {"cpuSeconds", g.cpu_seconds},
                   {"peakThreadCpu", g.peak_thread_cpu},
                   {"memoryBaselineBytes", g.memory_baseline_bytes},
                   {"memoryPeakBytes", g.memory_peak_bytes},
                   {"memoryGrowthBytes", g.memory_growth_bytes()},
                   {"loopLagP99Seconds", g.loop_lag.p99_seconds},
                   {"loopLagMaxSeconds", g.loop_lag.max_seconds},
                   {"saturatedSeconds", g.saturated_seconds_total}});
    if (g.saturated_any()) {
      found +=
          (found.empty() ? "" : "; ") + described(g.runner, g.saturated_seconds_total, cause_of(g));
    }
  }
  return set_saturated(status, found, now);
}

}  // namespace stampede::op
