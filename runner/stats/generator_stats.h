#pragma once
// How the load generator itself fared during a run (docs/self-monitoring.md): its CPU, per
// worker thread and in all, its memory (baseline, peak, growth), its open connections, the lag
// of its event loops, and the seconds in which it was saturated. A saturated generator measures
// its own queueing along with the target's latency, so those seconds are marked, as Locust warns
// when its CPU is high. One entry per runner: results merge by keeping every runner's entry.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace stampede {

// A worker thread whose CPU in a second reached this share of a core was saturated.
inline constexpr double kSaturatedCpu = 0.9;
// So was one whose 10 ms tick ran this much later than due (in nanoseconds): its requests'
// completions waited as long.
inline constexpr std::uint64_t kSaturatedLagNs = 50'000'000;

// What saturated a worker, in words: "cpu", "loop lag", "cpu, loop lag", or "" for neither.
std::string saturation_cause(bool cpu, bool lag);

// Consecutive seconds [start, end) of the run (from its start) in which a worker was saturated.
struct SaturatedInterval {
  double start_seconds = 0;
  double end_seconds = 0;
  bool cpu = false;             // a worker's CPU reached kSaturatedCpu
  bool lag = false;             // a worker's loop lag passed kSaturatedLagNs
  double peak_cpu = 0;          // the busiest worker's CPU share in the interval
  double peak_lag_seconds = 0;  // the largest loop lag in the interval
  std::string cause() const { return saturation_cause(cpu, lag); }
  double seconds() const { return end_seconds - start_seconds; }
};

// Loop lag: how much later than due a worker's 10 ms tick ran, over every tick of the run.
struct LoopLag {
  std::uint64_t ticks = 0;
  double p50_seconds = 0;
  double p99_seconds = 0;
  double max_seconds = 0;
};

struct GeneratorStats {
  std::string runner;                      // "i/N", as Result::runner
  double cpu_seconds = 0;                  // the whole process, user + system, during the run
  std::vector<double> thread_cpu_seconds;  // per worker thread
  double peak_thread_cpu = 0;  // the busiest worker's highest one-second share of a core
  // Resident memory: just before the load started, the highest seen (sampled every second and
  // at the end), and at the end of the run.
  std::uint64_t memory_baseline_bytes = 0;
  std::uint64_t memory_peak_bytes = 0;
  std::uint64_t memory_final_bytes = 0;
  std::uint32_t peak_connections = 0;  // open at the end of a second, all workers together
  LoopLag loop_lag;
  std::vector<SaturatedInterval> saturated;  // in time order, disjoint
  // Saturated intervals left out once kMaxSaturatedIntervals were kept (their seconds still
  // count in saturated_seconds).
  std::uint64_t saturated_dropped = 0;
  double saturated_seconds_total = 0;

  std::int64_t memory_growth_bytes() const {
    return static_cast<std::int64_t>(memory_final_bytes) -
           static_cast<std::int64_t>(memory_baseline_bytes);
  }
  bool saturated_any() const { return saturated_seconds_total > 0; }

  nlohmann::json to_json() const;
  // nullopt + *error when the document is malformed (a runner's result read back).
  static std::optional<GeneratorStats> from_json(const nlohmann::json& j, std::string* error);
};

// Bounds the saturated intervals a result lists: a generator saturated on and off for a day
// would otherwise fill the result with them.
inline constexpr std::size_t kMaxSaturatedIntervals = 100;

}  // namespace stampede
