#include "control/generator_metrics_exporter.h"

#include <string>

#include "control/prometheus_counter.h"

namespace stampede {
namespace {

prometheus::Gauge& gauge(const char* name, const char* help, const prometheus::Labels& labels,
                         prometheus::Registry& registry) {
  return register_family(prometheus::BuildGauge(), name, help, labels, registry).Add({});
}

prometheus::Counter& counter(const char* name, const char* help, const prometheus::Labels& labels,
                             prometheus::Registry& registry) {
  return register_family(prometheus::BuildCounter(), name, help, labels, registry).Add({});
}

}  // namespace

GeneratorMetricsExporter::GeneratorMetricsExporter(prometheus::Registry& registry,
                                                   const prometheus::Labels& constant_labels)
    : cpu_(counter("stampede_generator_cpu_seconds_total",
                   "CPU time the runner's process used during the run (user + system).",
                   constant_labels, registry)),
      thread_cpu_(register_family(
          prometheus::BuildCounter(), "stampede_generator_thread_cpu_seconds_total",
          "CPU time each worker thread used during the run.", constant_labels, registry)),
      memory_(gauge("stampede_generator_memory_bytes", "The runner's resident memory now.",
                    constant_labels, registry)),
      baseline_(gauge("stampede_generator_memory_baseline_bytes",
                      "The runner's resident memory just before the load started.", constant_labels,
                      registry)),
      peak_(gauge("stampede_generator_memory_peak_bytes",
                  "The runner's highest resident memory seen during the run.", constant_labels,
                  registry)),
      connections_(gauge("stampede_generator_connections", "Connections the runner holds open.",
                         constant_labels, registry)),
      lag_(gauge("stampede_generator_loop_lag_seconds",
                 "The largest event-loop lag of the last second: how much later than due a "
                 "worker's 10 ms tick ran.",
                 constant_labels, registry)),
      saturated_(gauge("stampede_generator_saturated",
                       "1 when a worker thread was saturated in the last second (CPU >= 90% of "
                       "a core or loop lag > 50 ms).",
                       constant_labels, registry)),
      saturated_seconds_(counter("stampede_generator_saturated_seconds_total",
                                 "Seconds of the run in which the generator was saturated.",
                                 constant_labels, registry)) {}

void GeneratorMetricsExporter::update(const GeneratorNow& now) {
  add_seconds(&cpu_, now.cpu_seconds, exported_.cpu_seconds);
  exported_.thread_cpu_seconds.resize(now.thread_cpu_seconds.size(), 0.0);
  for (std::size_t k = 0; k < now.thread_cpu_seconds.size(); ++k) {
    if (k == threads_.size()) threads_.push_back(&thread_cpu_.Add({{"thread", std::to_string(k)}}));
    add_seconds(threads_[k], now.thread_cpu_seconds[k], exported_.thread_cpu_seconds[k]);
  }
  memory_.Set(static_cast<double>(now.memory_bytes));
  baseline_.Set(static_cast<double>(now.memory_baseline_bytes));
  peak_.Set(static_cast<double>(now.memory_peak_bytes));
  connections_.Set(now.connections);
  lag_.Set(now.lag_seconds);
  saturated_.Set(now.saturated ? 1 : 0);
  add_seconds(&saturated_seconds_, now.saturated_seconds, exported_.saturated_seconds);
}

}  // namespace stampede
