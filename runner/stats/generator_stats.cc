#include "stats/generator_stats.h"

#include <exception>

#include "stats/json_count.h"

namespace stampede {

std::string saturation_cause(bool cpu, bool lag) {
  if (cpu && lag) return "cpu, loop lag";
  if (lag) return "loop lag";
  return cpu ? "cpu" : "";
}

nlohmann::json GeneratorStats::to_json() const {
  nlohmann::json intervals = nlohmann::json::array();
  for (const SaturatedInterval& s : saturated) {
    intervals.push_back({{"startSeconds", s.start_seconds},
                         {"endSeconds", s.end_seconds},
                         {"cpu", s.cpu},
                         {"loopLag", s.lag},
                         {"peakCpu", s.peak_cpu},
                         {"peakLoopLagSeconds", s.peak_lag_seconds}});
  }
  return {{"runner", runner},
          {"cpuSeconds", cpu_seconds},
          {"threadCpuSeconds", thread_cpu_seconds},
          {"peakThreadCpu", peak_thread_cpu},
          {"memory",
           {{"baselineBytes", memory_baseline_bytes},
            {"peakBytes", memory_peak_bytes},
            {"finalBytes", memory_final_bytes},
            {"growthBytes", memory_growth_bytes()}}},
          {"peakConnections", peak_connections},
          {"loopLagSeconds",
           {{"ticks", loop_lag.ticks},
            {"p50", loop_lag.p50_seconds},
            {"p99", loop_lag.p99_seconds},
            {"max", loop_lag.max_seconds}}},
          {"saturatedSeconds", saturated_seconds_total},
          {"saturated", intervals},
          {"saturatedDropped", saturated_dropped}};
}

namespace {

SaturatedInterval interval_from_json(const nlohmann::json& j) {
  SaturatedInterval s;
  s.start_seconds = json_non_negative(j, "startSeconds");
  s.end_seconds = json_non_negative(j, "endSeconds");
  if (s.end_seconds < s.start_seconds) throw std::invalid_argument("endSeconds < startSeconds");
  s.cpu = j.value("cpu", false);
  s.lag = j.value("loopLag", false);
  s.peak_cpu = json_non_negative(j, "peakCpu");
  s.peak_lag_seconds = json_non_negative(j, "peakLoopLagSeconds");
  return s;
}

}  // namespace

std::optional<GeneratorStats> GeneratorStats::from_json(const nlohmann::json& j,
                                                        std::string* error) {
  try {
    GeneratorStats g;
    g.runner = j.at("runner").get<std::string>();
    g.cpu_seconds = json_non_negative(j, "cpuSeconds");
    for (const auto& t : j.value("threadCpuSeconds", nlohmann::json::array())) {
      if (!t.is_number() || t.get<double>() < 0) {
        throw std::invalid_argument("threadCpuSeconds must hold numbers >= 0");
      }
      g.thread_cpu_seconds.push_back(t.get<double>());
    }
    g.peak_thread_cpu = json_non_negative(j, "peakThreadCpu");
    const nlohmann::json memory = j.value("memory", nlohmann::json::object());
    g.memory_baseline_bytes = json_count(memory, "baselineBytes");
    g.memory_peak_bytes = json_count(memory, "peakBytes");
    g.memory_final_bytes = json_count(memory, "finalBytes");
    const std::uint64_t connections = json_count(j, "peakConnections");
    if (connections > UINT32_MAX) throw std::invalid_argument("peakConnections is too large");
    g.peak_connections = static_cast<std::uint32_t>(connections);
    const nlohmann::json lag = j.value("loopLagSeconds", nlohmann::json::object());
    g.loop_lag.ticks = json_count(lag, "ticks");
    g.loop_lag.p50_seconds = json_non_negative(lag, "p50");
    g.loop_lag.p99_seconds = json_non_negative(lag, "p99");
    g.loop_lag.max_seconds = json_non_negative(lag, "max");
    g.saturated_seconds_total = json_non_negative(j, "saturatedSeconds");
    for (const auto& s : j.value("saturated", nlohmann::json::array())) {
      if (g.saturated.size() == kMaxSaturatedIntervals) {
        throw std::invalid_argument("more than " + std::to_string(kMaxSaturatedIntervals) +
                                    " saturated intervals");
      }
      g.saturated.push_back(interval_from_json(s));
    }
    g.saturated_dropped = json_count(j, "saturatedDropped");
    return g;
  } catch (const std::exception& e) {
    *error = std::string("generators: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
