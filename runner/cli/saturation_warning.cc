#include "cli/saturation_warning.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "report/format.h"

namespace stampede {

void SaturationWarning::observe(const Snapshot& s) {
  if (s.generator == nullptr || s.final) return;
  const GeneratorNow& g = *s.generator;
  const bool starts = g.saturated && !saturated_;
  saturated_ = g.saturated;
  if (!starts || (warned_at_ && s.elapsed_seconds - *warned_at_ < kQuiet)) return;
  warned_at_ = s.elapsed_seconds;
  double busiest = 0;
  for (const double cpu : g.thread_cpu) busiest = std::max(busiest, cpu);
  spdlog::warn(
      "the load generator is saturated since {}s ({}: busiest thread {} of a core, loop lag {}): "
      "latencies now include its own queueing; add threads or runners",
      std::max(0.0, s.elapsed_seconds - 1), g.cause, human_percent(busiest),
      human_seconds(g.lag_seconds));
}

}  // namespace stampede
