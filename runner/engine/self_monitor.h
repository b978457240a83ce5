#pragma once
// The runner watching itself (docs/self-monitoring.md): each worker reports its thread's CPU,
// its loop lag and its connections every second (ThreadStats::load), the control thread samples
// the process's memory and CPU, and a second in which a worker used more than kSaturatedCpu of a
// core or lagged more than kSaturatedLagNs is marked saturated. Control thread only.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/thread_stats.h"
#include "stats/generator_stats.h"
#include "stats/histogram.h"

namespace stampede {

// The generator in the last second, for progress lines, /metrics and /v1/status.
struct GeneratorNow {
  double process_cpu = 0;                   // cores the whole process used in the last second
  double cpu_seconds = 0;                   // the process's CPU so far in the run
  std::vector<double> thread_cpu;           // per worker: share of a core in its last interval
  std::vector<double> thread_cpu_seconds;   // per worker, so far
  double lag_seconds = 0;                   // the largest loop lag in the last second
  std::uint64_t memory_bytes = 0;           // resident now
  std::uint64_t memory_baseline_bytes = 0;  // resident just before the load
  std::uint64_t memory_peak_bytes = 0;
  std::uint32_t connections = 0;
  bool saturated = false;        // the last second was
  double saturated_seconds = 0;  // so far
  std::string cause;             // of the last second's saturation: "cpu", "loop lag", both
};

class SelfMonitor {
 public:
  explicit SelfMonitor(std::size_t workers);

  // Just before the load: the memory baseline and where the process's CPU count starts.
  void start();
  // Worker `worker`'s load in the second ending at `tick` (seconds from the start).
  void absorb(std::size_t worker, std::uint64_t tick, const WorkerLoad& load);
  // The worker's last, partial interval (the graceful stop): counted, never judged.
  void absorb_final(std::size_t worker, const WorkerLoad& load);
  // Once per second, and once at the end: the process's memory and CPU.
  void sample();
  const GeneratorNow& now() const { return now_; }
  GeneratorStats stats(const std::string& runner) const;

 private:
  void count(std::size_t worker, const WorkerLoad& load);
  // Marks second [tick - 1, tick) saturated, merging it into a neighbouring interval.
  void mark_saturated(std::uint64_t tick, const SaturatedInterval& second);

  std::uint64_t cpu_start_ns_ = 0;
  std::uint64_t cpu_last_ns_ = 0;
  std::uint64_t last_sample_ns_ = 0;        // steady clock of the last sample()
  std::vector<std::uint32_t> connections_;  // per worker, last reported
  std::uint32_t peak_connections_ = 0;
  double peak_thread_cpu_ = 0;
  std::uint64_t lag_tick_ = 0;     // the second now_ describes
  SaturatedInterval last_second_;  // that second's saturation so far
  Histogram lag_;
  std::vector<SaturatedInterval> saturated_;
  std::uint64_t saturated_dropped_ = 0;
  GeneratorNow now_;  // memory baseline and peak, saturated seconds: kept here only
};

}  // namespace stampede
