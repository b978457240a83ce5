#pragma once
// A virtual user as the worker sees it, and the worker as a user sees it. The worker decides
// when users run (load model); a user decides how an iteration runs (steps, connection).

#include <cstddef>
#include <cstdint>

#include "base/units.h"
#include "engine/thread_stats.h"

namespace stampede {

class User {
 public:
  virtual ~User() = default;
  // Closed model: run iterations of `scenario` until stop().
  virtual void start_loop(std::size_t scenario) = 0;
  // Open model: run one iteration that was due at `scheduled`.
  virtual void start_iteration(std::size_t scenario, TimePoint scheduled) = 0;
  // Open a connection ahead of the start (pre-allocated users). Idle afterwards.
  virtual void preconnect() = 0;
  // Finish the current iteration, then stop (a think time in progress ends at once).
  virtual void stop() = 0;
  // The graceful stop is over: interrupt whatever is in flight and close.
  virtual void abort() = 0;
  // Deadline check, called by the worker every few milliseconds.
  virtual void sweep(TimePoint now) = 0;
  virtual bool busy() const = 0;
  // Connections this user holds open now (its keep-alive one, a WebSocket session's).
  virtual std::uint32_t connections() const = 0;
};

class UserHost {
 public:
  // Statistics of the current interval; the reference changes at every snapshot.
  virtual ThreadStats& stats() = 0;
  virtual std::size_t pick_task(std::size_t scenario) = 0;
  // A random duration in [min, max] for between() think times.
  virtual Duration random_between(Duration min, Duration max) = 0;
  // The user finished an iteration (open model) or stopped (closed model).
  virtual void on_user_idle(User& user) = 0;
  // Templates: seq() values unique across threads and runners, 64 random bits, and the next row
  // of a `sequential` data source (unique across threads and runners until it wraps).
  virtual std::uint64_t next_sequence() = 0;
  virtual std::uint64_t random64() = 0;
  virtual std::size_t next_feeder_row(std::size_t feeder, std::size_t rows) = 0;
  // The named load stage (CompiledPlan::stage_names index) running at `t`; npos when none.
  virtual std::size_t stage_at(TimePoint t) const = 0;
  // The test's start instant (t0, shared by every runner of a test): windowed rates count from
  // it.
  virtual TimePoint test_start() const = 0;
  // An answer that signals overload to the closed model's `load.adaptive` (UserConfig::backoff),
  // to a request sent at `sent`.
  virtual void on_overload(TimePoint /*sent*/, TimePoint /*now*/) {}

 protected:
  ~UserHost() = default;
};

// The statistics of the named load stage running at `scheduled` (a request's or a session's due
// time); null when the plan names no stages or none runs then.
inline RequestStats* stage_stats(UserHost& host, TimePoint scheduled) {
  auto& stages = host.stats().stages;
  if (stages.empty()) return nullptr;
  const std::size_t stage = host.stage_at(scheduled);
  return stage < stages.size() ? &stages[stage] : nullptr;
}

// Nanoseconds from the test's start to `t` (0 before it): where windowed counters count a send.
inline std::uint64_t ns_since_start(const UserHost& host, TimePoint t) {
  const auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(t - host.test_start());
  return since.count() > 0 ? static_cast<std::uint64_t>(since.count()) : 0;
}

}  // namespace stampede
