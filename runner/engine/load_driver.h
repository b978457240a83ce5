#pragma once
// Decides when users run: the closed model (a user population) or the open model (arrivals on
// a schedule). The worker's loop talks only to this interface and never branches on the model.

#include <cstdint>
#include <memory>
#include <optional>

#include "base/units.h"
#include "engine/load_schedule.h"
#include "engine/user.h"
#include "stats/adaptive_users_stats.h"

namespace stampede {

// What a driver may ask of its worker.
class UserPool {
 public:
  virtual User& create_user() = 0;
  virtual ThreadStats& stats() = 0;

 protected:
  ~UserPool() = default;
};

class LoadDriver {
 public:
  virtual ~LoadDriver() = default;
  // Before the start: open connections that should exist at t0.
  virtual void prepare() {}
  virtual void start(TimePoint t0) = 0;
  // Before start(): this runner joins a test already `offset` into its schedule (it replaces a
  // lost runner, `agent --resume`). The work scheduled before `offset` was the lost runner's:
  // none of it is started late. A closed model needs nothing: its users follow the schedule.
  virtual void skip_until(Duration /*offset*/) {}
  // Called every few milliseconds while the load runs.
  virtual void tick(TimePoint now) = 0;
  // The load was changed (Worker learns it on a tick, or before start): follow `schedule`, this
  // driver's model's part of it, from now on.
  virtual void reschedule(const LoadSchedule& schedule) = 0;
  // The load phase is over: start no more work, let running iterations finish.
  virtual void stop_load() = 0;
  // The graceful stop is over (users are being aborted): start nothing more, even work that was
  // already due.
  virtual void interrupt() {}
  virtual void on_user_idle(User& user) = 0;
  virtual std::uint32_t active_users() const = 0;
  // An answer signalled overload (UserHost::on_overload): a closed model with `load.adaptive`
  // backs off.
  virtual void on_overload(TimePoint /*sent*/, TimePoint /*now*/) {}
  // What `load.adaptive` did so far; nullopt without it.
  virtual std::optional<AdaptiveUsersStats> backoff_stats() const { return std::nullopt; }
};

}  // namespace stampede
