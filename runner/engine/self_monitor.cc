#include "engine/self_monitor.h"

#include <algorithm>
#include <chrono>

#include "base/process_usage.h"
#include "base/units.h"

namespace stampede {
namespace {

std::uint64_t steady_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

double share_of_core(std::uint64_t cpu_ns, std::uint64_t wall_ns) {
  return wall_ns == 0 ? 0.0 : static_cast<double>(cpu_ns) / static_cast<double>(wall_ns);
}

// Merges what `b` says about the same seconds into `a`.
void join(SaturatedInterval& a, const SaturatedInterval& b) {
  a.cpu = a.cpu || b.cpu;
  a.lag = a.lag || b.lag;
  a.peak_cpu = std::max(a.peak_cpu, b.peak_cpu);
  a.peak_lag_seconds = std::max(a.peak_lag_seconds, b.peak_lag_seconds);
}

}  // namespace

SelfMonitor::SelfMonitor(std::size_t workers) : connections_(workers, 0) {
  now_.thread_cpu.assign(workers, 0.0);
  now_.thread_cpu_seconds.assign(workers, 0.0);
}

void SelfMonitor::start() {
  const std::uint64_t baseline = resident_bytes();
  cpu_start_ns_ = process_cpu_ns();
  cpu_last_ns_ = cpu_start_ns_;
  last_sample_ns_ = steady_ns();
  now_.memory_bytes = baseline;
  now_.memory_baseline_bytes = baseline;
  now_.memory_peak_bytes = baseline;
}

void SelfMonitor::count(std::size_t worker, const WorkerLoad& load) {
  now_.thread_cpu_seconds[worker] += static_cast<double>(load.cpu_ns) * 1e-9;
  lag_.merge(load.lag);
  connections_[worker] = load.connections;
}

void SelfMonitor::absorb(std::size_t worker, std::uint64_t tick, const WorkerLoad& load) {
  count(worker, load);
  const double cpu = share_of_core(load.cpu_ns, load.wall_ns);
  now_.thread_cpu[worker] = cpu;
  peak_thread_cpu_ = std::max(peak_thread_cpu_, cpu);
  const double lag = load.lag.max_ns() * 1e-9;
  if (tick > lag_tick_) {
    // The first report of a new second: the previous second's verdict is complete.
    lag_tick_ = tick;
    now_.lag_seconds = lag;
    now_.saturated = false;
    now_.cause.clear();
    last_second_ = SaturatedInterval{};
  } else if (tick == lag_tick_) {
    now_.lag_seconds = std::max(now_.lag_seconds, lag);
  }
  std::uint32_t total = 0;
  for (const std::uint32_t c : connections_) total += c;
  now_.connections = total;
  peak_connections_ = std::max(peak_connections_, total);

  SaturatedInterval second;
  second.cpu = cpu >= kSaturatedCpu;
  second.lag = load.lag.max_ns() > kSaturatedLagNs;
  if (!second.cpu && !second.lag) return;
  second.peak_cpu = cpu;
  second.peak_lag_seconds = lag;
  mark_saturated(tick, second);
  if (tick == lag_tick_) {
    join(last_second_, second);
    now_.saturated = true;
    now_.cause = last_second_.cause();
  }
}

void SelfMonitor::absorb_final(std::size_t worker, const WorkerLoad& load) {
  count(worker, load);
  connections_[worker] = 0;
}

void SelfMonitor::mark_saturated(std::uint64_t tick, const SaturatedInterval& second) {
  if (tick == 0) return;
  SaturatedInterval s = second;
  s.start_seconds = static_cast<double>(tick - 1);
  s.end_seconds = static_cast<double>(tick);
  // Workers report a second within a tick of each other: the place is at or near the end.
  auto it = saturated_.end();
  while (it != saturated_.begin() && std::prev(it)->start_seconds > s.start_seconds) --it;
  if (it != saturated_.begin()) {
    SaturatedInterval& before = *std::prev(it);
    if (s.end_seconds <= before.end_seconds) return join(before, s);  // a second already marked
    if (s.start_seconds == before.end_seconds) {
      before.end_seconds = s.end_seconds;
      join(before, s);
      now_.saturated_seconds += 1;
      // It may now touch the next interval.
      if (it != saturated_.end() && it->start_seconds == before.end_seconds) {
        before.end_seconds = it->end_seconds;
        join(before, *it);
        saturated_.erase(it);
      }
      return;
    }
  }
  now_.saturated_seconds += 1;
  if (it != saturated_.end() && it->start_seconds == s.end_seconds) {
    it->start_seconds = s.start_seconds;
    return join(*it, s);
  }
  if (saturated_.size() == kMaxSaturatedIntervals) {
    ++saturated_dropped_;
    return;
  }
  saturated_.insert(it, s);
}

void SelfMonitor::sample() {
  const std::uint64_t memory = resident_bytes();
  const std::uint64_t cpu = process_cpu_ns();
  const std::uint64_t at = steady_ns();
  now_.memory_bytes = memory;
  now_.memory_peak_bytes = std::max(now_.memory_peak_bytes, memory);
  now_.process_cpu = share_of_core(cpu - cpu_last_ns_, at - last_sample_ns_);
  now_.cpu_seconds = static_cast<double>(cpu - cpu_start_ns_) * 1e-9;
  cpu_last_ns_ = cpu;
  last_sample_ns_ = at;
}

GeneratorStats SelfMonitor::stats(const std::string& runner) const {
  GeneratorStats g;
  g.runner = runner;
  g.cpu_seconds = now_.cpu_seconds;
  g.thread_cpu_seconds = now_.thread_cpu_seconds;
  g.peak_thread_cpu = peak_thread_cpu_;
  g.memory_baseline_bytes = now_.memory_baseline_bytes;
  g.memory_peak_bytes = now_.memory_peak_bytes;
  g.memory_final_bytes = now_.memory_bytes;
  g.peak_connections = peak_connections_;
  g.loop_lag.ticks = lag_.count();
  g.loop_lag.p50_seconds = lag_.percentile_seconds(50);
  g.loop_lag.p99_seconds = lag_.percentile_seconds(99);
  g.loop_lag.max_seconds = static_cast<double>(lag_.max_ns()) * 1e-9;
  g.saturated = saturated_;
  g.saturated_dropped = saturated_dropped_;
  g.saturated_seconds_total = now_.saturated_seconds;
  return g;
}

}  // namespace stampede
