#pragma once
// One worker thread: its own io_context, users, connections and statistics. Nothing here is
// shared with other threads except through asio::post, so the request path takes no locks.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/asio.h"
#include "engine/compiled_plan.h"
#include "engine/http_user.h"
#include "engine/load_control.h"
#include "engine/load_driver.h"
#include "engine/share.h"
#include "engine/stats_sink.h"
#include "engine/transport.h"
#include "engine/weighted_picker.h"

namespace stampede {

struct WorkerConfig {
  std::size_t index = 0;  // worker number within the runner
  Share share;            // this worker's slice of the load
  const Plan* plan = nullptr;
  const CompiledPlan* compiled = nullptr;
  UserConfig user;
  TlsClientContext* tls = nullptr;  // set when the target is https
  // Closed model: read by the constructor only; later assignments come with load changes.
  const std::vector<std::size_t>* scenario_of_user = nullptr;
  const LoadControl* load = nullptr;  // changes of the load while it runs; null: none
  std::uint64_t seed = 0;
};

class Worker final : public UserHost, public UserPool {
 public:
  Worker(const WorkerConfig& config, StatsSink& sink);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs the worker's event loop on the calling thread until the load is over.
  // The load starts at t0; a runner joining late (EngineOptions::resume) starts at `first`, as
  // if it had run since t0.
  void run(TimePoint t0, TimePoint first);
  // Thread-safe: end the load phase now. The graceful stop that follows lasts the plan's
  // gracefulStop, at most `grace` when set (zero: interrupt what is in flight at once).
  void request_stop(std::optional<Duration> grace);
  // Thread-safe: hand the statistics gathered so far to the sink, tagged with `tick`.
  void request_flush(std::uint64_t tick);

  // UserHost and UserPool, called on this worker's thread only.
  ThreadStats& stats() override { return *stats_; }
  std::size_t pick_task(std::size_t scenario) override { return task_pickers_[scenario].pick(); }
  Duration random_between(Duration min, Duration max) override;
  void on_user_idle(User& user) override;
  User& create_user() override;
  std::uint64_t next_sequence() override {
    return sequence_++ * config_.share.count + config_.share.index;
  }
  std::uint64_t random64() override { return rng_(); }
  std::size_t next_feeder_row(std::size_t feeder, std::size_t rows) override;
  std::size_t stage_at(TimePoint t) const override;
  TimePoint test_start() const override { return t0_; }
  void on_overload(TimePoint sent, TimePoint now) override { driver_->on_overload(sent, now); }

 private:
  // Hands a changed load to the driver; a version check when nothing changed.
  void follow_load_changes();
  void schedule_tick();
  void on_tick();
  void end_load(TimePoint now);
  // The graceful stop is over: every user abandons what it has open.
  void interrupt();
  bool all_idle() const;
  void finish();
  std::unique_ptr<ThreadStats> fresh_stats() const;
  // Fills stats_->load for the interval since the last call (CPU, length, connections).
  void note_load();

  WorkerConfig config_;
  StatsSink& sink_;
  asio::io_context io_{1};  // hint: exactly one thread runs this context
  SteadyTimer tick_;
  std::unique_ptr<LoadDriver> driver_;
  std::vector<std::unique_ptr<User>> users_;
  std::vector<WeightedPicker> task_pickers_;
  std::unique_ptr<ThreadStats> stats_;
  std::mt19937_64 rng_;
  std::uint64_t sequence_ = 0;
  std::uint64_t load_version_ = 0;           // of the schedule the driver follows; 0: the plan's
  std::vector<std::uint64_t> feeder_draws_;  // per data source: rows handed out so far
  std::vector<TimePoint> stage_ends_;        // end of each load stage, from t0
  struct LoadMark {
    std::uint64_t cpu_ns = 0;  // the thread's CPU time
    TimePoint at{};
  };
  LoadMark load_mark_;  // where the current interval's load began
  TimePoint t0_{};
  TimePoint end_at_{};
  TimePoint grace_until_{};
  bool started_ = false;  // the start instant t0 has come
  bool load_over_ = false;
  bool aborted_ = false;
  bool finished_ = false;
};

}  // namespace stampede
