#pragma once
// Runs a plan: resolves the target, starts one worker per thread, merges their statistics
// every second and returns the result. The calling thread is the control thread: it
// aggregates, reports snapshots and handles SIGINT/SIGTERM, while the workers own the load.

#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/rfc3339.h"
#include "engine/aggregator.h"
#include "engine/asio.h"
#include "engine/compiled_plan.h"
#include "engine/load_control.h"
#include "engine/phase_run.h"
#include "engine/rate_gate.h"
#include "engine/self_monitor.h"
#include "engine/snapshot.h"
#include "engine/stats_sink.h"
#include "engine/tls_context.h"
#include "engine/user_config.h"
#include "plan/plan.h"
#include "stats/adaptive_users_total.h"
#include "stats/result.h"

namespace stampede {

// Result::aborted_by of a run that SIGINT or SIGTERM stopped.
inline constexpr std::string_view kStoppedBySignal = "signal";

struct EngineOptions {
  unsigned threads = 0;        // 0: one per core
  std::uint32_t segment = 0;   // this runner's segment i of
  std::uint32_t segments = 1;  // N runners
  bool handle_signals = true;  // SIGINT/SIGTERM: graceful stop; a second one: stop at once
  // Caps the graceful stop that follows a signal (unset: the plan's gracefulStop). An agent in a
  // terminating pod must end well inside the pod's grace period.
  std::optional<Duration> signal_grace;
  // The instant the load starts (runners of one test share it); unset: as soon as possible.
  std::optional<WallTime> start_at;
  // Started after start_at, join the test where its schedule is now (replacing a lost runner)
  // rather than run the whole plan from now.
  bool resume = false;
  // Keep every row's statistics per second besides the all-rows series (--csv-full-history).
  bool request_history = false;
};

class Engine final : private StatsSink {
 public:
  using SnapshotFn = std::function<void(const Snapshot&)>;

  Engine(const Plan& plan, EngineOptions options);
  ~Engine();

  // Sets the shared start instant before run() (the agent learns it from /v1/start).
  void set_start_at(std::optional<WallTime> at) { options_.start_at = at; }
  // Resolves the target and loads TLS settings. false + *error when the run cannot start.
  bool prepare(std::string* error);
  // After prepare(), before run(): the plan's setup (docs/setup-teardown.md), run once by one
  // user. When it succeeds its values go to every user of run() as setup.NAME.
  PhaseOutcome run_setup();
  // The values of a setup run by another runner (runner 0, through the operator), by name.
  // false + *error when one the setup extracts is missing (then nothing is set).
  bool set_setup_values(const std::vector<std::pair<std::string, std::string>>& values,
                        std::string* error);
  // The setup's outcome when run_setup() ran in this engine; nullopt otherwise.
  const std::optional<PhaseResult>& setup_result() const { return setup_result_; }
  // Whether the setup's values are set (by run_setup or set_setup_values), or the plan has no
  // setup: run() may start.
  bool setup_ready() const { return !plan_.setup || user_config_.setup_values != nullptr; }
  // After run(): the plan's teardown, run once by one user, reading the setup's values.
  PhaseOutcome run_teardown();
  // Runs the whole test; `on_snapshot` is called on this thread once per second, and once
  // more with `final` set when the run has ended (its totals then equal the result's).
  Result run(const SnapshotFn& on_snapshot);
  // What the `limits:` entries did so far; from the control thread (the snapshot callback).
  std::vector<LimitStats> limits() const;
  // What a closed model's `load.adaptive` did so far, this runner's threads added up; nullopt
  // without it. From the control thread.
  std::optional<AdaptiveUsersStats> backoff_total() const { return backoff_.total(); }
  // The result so far; call from the snapshot callback (the control thread) only.
  Result current_result(double elapsed_seconds) const;
  // Thread-safe: end the load phase early (graceful stop follows).
  void request_stop(const std::string& reason);
  // Thread-safe: change the load from kLoadChangeLead ahead to the planned end (from the start
  // when the load has not begun), or say why not (LoadControl::change).
  LoadChangeOutcome change_load(const LoadChange& change) {
    return load_control_.change(change, Clock::now());
  }
  // After run(): every row per second, when EngineOptions::request_history asked for it; else
  // null.
  const RequestHistory* request_history() const {
    return aggregator_ ? aggregator_->request_history() : nullptr;
  }

 private:
  void absorb(std::size_t worker, std::uint64_t tick, std::unique_ptr<ThreadStats> s) override;
  void worker_done(std::size_t worker, std::unique_ptr<ThreadStats> s) override;
  void start_workers(TimePoint t0, TimePoint first);
  void schedule_flush(std::uint64_t tick);
  void report();
  Snapshot snapshot(double elapsed) const;
  // The `limits:` entries, from t0_, into user_config_ (before the workers copy it).
  void make_gates();
  // `result` with what names this run: plan, runner (segment), start instant, limits.
  Result described(Result result) const;
  // This runner's planned arrivals per second (open model) and users (closed model) now.
  double target_rate(const LoadSchedule& load, Duration elapsed) const;
  std::uint32_t target_users(const LoadSchedule& load, Duration elapsed) const;
  // Ends the load phase; in-flight work gets the plan's gracefulStop, capped by `grace`.
  void stop_workers(std::optional<Duration> grace);
  void await_signal(asio::signal_set& signals);
  void on_signal();

  const Plan& plan_;
  EngineOptions options_;
  CompiledPlan compiled_;
  LoadControl load_control_;
  UserConfig user_config_;
  std::vector<std::unique_ptr<RateGate>> gates_;  // by Plan::limits index, made at run()
  std::vector<std::string> setup_values_;         // parallel to compiled_.setup_slots
  std::optional<PhaseResult> setup_result_;
  std::vector<std::unique_ptr<TlsClientContext>> tls_;  // one per worker, when https
  asio::io_context control_;
  SteadyTimer flush_timer_;
  std::unique_ptr<Aggregator> aggregator_;
  std::unique_ptr<SelfMonitor> monitor_;  // made at run()
  AdaptiveUsersTotal backoff_;            // a closed model's `load.adaptive`, the threads added up
  std::vector<std::unique_ptr<class Worker>> workers_;
  std::vector<std::thread> threads_;
  TimePoint t0_{};
  std::string started_at_;  // RFC 3339, the wall-clock instant of t0
  TimePoint finished_at_{};
  SnapshotFn on_snapshot_;
  std::string stop_reason_;
  int signals_seen_ = 0;
  bool stopping_ = false;
};

}  // namespace stampede
