#pragma once
// Prometheus series of the load generator itself (docs/self-monitoring.md):
//   stampede_generator_cpu_seconds_total             the process, user + system
//   stampede_generator_thread_cpu_seconds_total      per worker thread (thread="0", ...)
//   stampede_generator_memory_bytes                  resident now
//   stampede_generator_memory_baseline_bytes         resident just before the load started
//   stampede_generator_memory_peak_bytes             the highest seen so far
//   stampede_generator_connections                   open now
//   stampede_generator_loop_lag_seconds              the largest loop lag of the last second
//   stampede_generator_saturated                     1 when the last second was saturated
//   stampede_generator_saturated_seconds_total       seconds saturated so far
// Updated from the control thread once per second, like MetricsExporter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <vector>

#include "engine/self_monitor.h"

namespace stampede {

class GeneratorMetricsExporter {
 public:
  // `constant_labels` (testid, runner) go on every family.
  GeneratorMetricsExporter(prometheus::Registry& registry,
                           const prometheus::Labels& constant_labels);
  GeneratorMetricsExporter(const GeneratorMetricsExporter&) = delete;
  GeneratorMetricsExporter& operator=(const GeneratorMetricsExporter&) = delete;

  void update(const GeneratorNow& now);

 private:
  prometheus::Counter& cpu_;
  prometheus::Family<prometheus::Counter>& thread_cpu_;
  prometheus::Gauge& memory_;
  prometheus::Gauge& baseline_;
  prometheus::Gauge& peak_;
  prometheus::Gauge& connections_;
  prometheus::Gauge& lag_;
  prometheus::Gauge& saturated_;
  prometheus::Counter& saturated_seconds_;
  std::vector<prometheus::Counter*> threads_;
  GeneratorNow exported_;
};

}  // namespace stampede
