#include "report/generator_summary.h"

#include <fmt/format.h>

#include <string>

#include "report/format.h"

namespace stampede {
namespace {

std::string signed_bytes(std::int64_t bytes) {
  const std::string magnitude = human_bytes(static_cast<double>(bytes < 0 ? -bytes : bytes));
  return (bytes < 0 ? "-" : "+") + magnitude;
}

// "2s–5s (cpu 97%), 9s–10s (loop lag 120ms)", at most `shown` intervals.
std::string saturated_text(const GeneratorStats& g) {
  constexpr std::size_t kShown = 5;
  std::string text;
  for (std::size_t i = 0; i < g.saturated.size() && i < kShown; ++i) {
    const SaturatedInterval& s = g.saturated[i];
    std::string why;
    if (s.cpu) why = "cpu " + human_percent(s.peak_cpu);
    if (s.lag) why += (why.empty() ? "" : ", ") + ("loop lag " + human_seconds(s.peak_lag_seconds));
    text += (text.empty() ? "" : ", ") +
            fmt::format("{:g}s–{:g}s ({})", s.start_seconds, s.end_seconds, why);
  }
  const std::size_t more = g.saturated.size() - std::min(g.saturated.size(), kShown) +
                           static_cast<std::size_t>(g.saturated_dropped);
  if (more > 0) text += fmt::format(" and {} more", more);
  return text;
}

void print_generator(std::FILE* out, const GeneratorStats& g, double duration) {
  std::string threads;
  for (const double cpu : g.thread_cpu_seconds) {
    threads += (threads.empty() ? "" : " ") + human_seconds(cpu);
  }
  fmt::print(out, "  load generator {}\n", g.runner);
  fmt::print(out, "    cpu          {} (worker threads {}; busiest second {} of a core)\n",
             human_seconds(g.cpu_seconds), threads, human_percent(g.peak_thread_cpu));
  fmt::print(out, "    memory       {} at start, peak {}, growth {}\n",
             human_bytes(static_cast<double>(g.memory_baseline_bytes)),
             human_bytes(static_cast<double>(g.memory_peak_bytes)),
             signed_bytes(g.memory_growth_bytes()));
  fmt::print(out, "    loop lag     p50 {}  p99 {}  max {}\n",
             human_seconds(g.loop_lag.p50_seconds), human_seconds(g.loop_lag.p99_seconds),
             human_seconds(g.loop_lag.max_seconds));
  fmt::print(out, "    connections  peak {}\n", human_count(g.peak_connections));
  if (!g.saturated_any()) {
    fmt::print(out, "    saturated    no\n");
    return;
  }
  fmt::print(out,
             "    saturated    {} of {}: {}\n"
             "                 latencies then include the generator's own queueing: add threads "
             "or runners\n",
             human_seconds(g.saturated_seconds_total), human_seconds(duration), saturated_text(g));
}

}  // namespace

void print_generators(std::FILE* out, const Result& result) {
  for (const GeneratorStats& g : result.generators) {
    fmt::print(out, "\n");
    print_generator(out, g, result.duration_seconds);
  }
}

}  // namespace stampede
