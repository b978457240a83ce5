#include "engine/engine.h"

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <cassert>
#include <random>

#include "engine/share.h"
#include "engine/worker.h"

namespace stampede {
namespace {

// Time between preparing the workers and the synchronized start: pre-allocated connections
// of the open model are opened in it.
constexpr auto kStartDelay = std::chrono::milliseconds(100);

// A host name can resolve to several addresses ("localhost": ::1 and 127.0.0.1) of which the
// server listens on one. Use the first that accepts a connection; if none does, the first, and
// the run counts the failures.
asio::ip::tcp::endpoint choose_endpoint(asio::io_context& io,
                                        const asio::ip::tcp::resolver::results_type& results,
                                        Duration timeout) {
  for (const auto& entry : results) {
    asio::ip::tcp::socket probe(io);
    ErrorCode result = asio::error::timed_out;
    probe.async_connect(entry.endpoint(), [&](const ErrorCode& ec) { result = ec; });
    io.run_for(std::min<Duration>(timeout, std::chrono::seconds(2)));
    io.restart();  // run_for() leaves the context stopped; the run needs it again
    if (!result) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

}  // namespace

Engine::Engine(const Plan& plan, EngineOptions options)
    : plan_(plan),
      options_(options),
      compiled_(compile_plan(plan)),
      load_control_(plan.load, compiled_.scenario_weights),
      flush_timer_(control_.get_executor()) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
}

Engine::~Engine() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool Engine::prepare(std::string* error) {
  const Target& target = plan_.target;
  asio::ip::tcp::resolver resolver(control_);
  ErrorCode ec;
  auto results = resolver.resolve(target.url.host, std::to_string(target.url.port), ec);
  if (ec || results.empty()) {
    *error = "cannot resolve " + target.url.host + ": " + ec.message();
    return false;
  }
  user_config_.plan = &compiled_;
  user_config_.endpoint = choose_endpoint(control_, results, target.connect_timeout);
  user_config_.connect_timeout = target.connect_timeout;
  user_config_.request_timeout = target.request_timeout;
  user_config_.max_response_bytes = target.max_response_bytes;
  user_config_.runner_index = options_.segment;
  user_config_.runner_count = options_.segments;
  if (target.url.tls()) {
    // One context per worker thread: OpenSSL fills caches inside a shared context's
    // certificates lazily (seen by ThreadSanitizer as a race between two handshakes), and
    // threads that share nothing never contend on its locks.
    for (unsigned k = 0; k < options_.threads; ++k) {
      tls_.push_back(make_tls_context(target, error));
      if (!tls_.back()) return false;
    }
  }
  return true;
}

PhaseOutcome Engine::run_setup() {
  PhaseOutcome outcome = run_phase(plan_, *plan_.setup, user_config_,
                                   tls_.empty() ? nullptr : tls_.front().get(), nullptr);
  if (outcome.result.ok) {
    // The setup.NAME slots are the setup's own extractions, and a setup that succeeded made
    // every one of them: its values always fit.
    std::string error;
    [[maybe_unused]] const bool kept = set_setup_values(outcome.values, &error);
    assert(kept);
  }
  setup_result_ = outcome.result;
  return outcome;
}

bool Engine::set_setup_values(const std::vector<std::pair<std::string, std::string>>& values,
                              std::string* error) {
  std::vector<std::string> ordered;
  for (const CompiledPlan::SetupSlot& slot : compiled_.setup_slots) {
    const auto found = std::find_if(values.begin(), values.end(),
                                    [&](const auto& value) { return value.first == slot.name; });
    if (found == values.end()) {
      *error = "no value for setup." + slot.name;
      return false;
    }
    ordered.push_back(found->second);
  }
  setup_values_ = std::move(ordered);
  user_config_.setup_values = &setup_values_;
  return true;
}

PhaseOutcome Engine::run_teardown() {
  return run_phase(plan_, *plan_.teardown, user_config_,
                   tls_.empty() ? nullptr : tls_.front().get(), user_config_.setup_values);
}

void Engine::start_workers(TimePoint t0, TimePoint first) {
  const unsigned n = options_.threads;
  std::random_device entropy;
  // Holds the scenario assignment while the workers copy it.
  const std::shared_ptr<const LoadSchedule> load = load_control_.current();
  for (unsigned k = 0; k < n; ++k) {
    WorkerConfig config;
    config.index = k;
    config.share = thread_share(options_.segment, options_.segments, k, n);
    config.plan = &plan_;
    config.compiled = &compiled_;
    config.user = user_config_;
    config.tls = tls_.empty() ? nullptr : tls_[k].get();
    config.scenario_of_user = load->scenario_of_user.get();
    config.load = &load_control_;
    config.seed = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
    workers_.push_back(std::make_unique<Worker>(config, static_cast<StatsSink&>(*this)));
  }
  for (auto& worker : workers_) {
    threads_.emplace_back([w = worker.get(), t0, first] { w->run(t0, first); });
  }
}

Result Engine::run(const SnapshotFn& on_snapshot) {
  aggregator_ = std::make_unique<Aggregator>(compiled_, options_.threads, options_.request_history);
  monitor_ = std::make_unique<SelfMonitor>(options_.threads);
  const WallTime wall_now = std::chrono::system_clock::now();
  Duration delay = kStartDelay;
  if (options_.start_at) {
    // Honour the shared instant to the millisecond; one already past means "now".
    delay = std::max<Duration>(Duration::zero(),
                               std::chrono::duration_cast<Duration>(*options_.start_at - wall_now));
  }
  t0_ = Clock::now() + delay;
  TimePoint first = t0_;
  WallTime wall_t0 = wall_now + std::chrono::duration_cast<WallTime::duration>(delay);
  if (options_.resume && options_.start_at && *options_.start_at < wall_now) {
    // Joining a test in progress: its schedule began at startAt, and this runner takes it up
    // from now to the same end as the others.
    const auto behind = std::chrono::duration_cast<Duration>(wall_now - *options_.start_at);
    first = t0_;
    t0_ -= behind;
    wall_t0 = *options_.start_at;
  }
  started_at_ = format_rfc3339(wall_t0);
  make_gates();
  if (const auto* closed = std::get_if<ClosedModel>(&plan_.load.model);
      closed && closed->adaptive) {
    user_config_.backoff = &*closed->adaptive;
  }
  load_control_.set_start(t0_);
  monitor_->start();
  start_workers(t0_, first);

  asio::signal_set signals(control_);
  if (options_.handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    await_signal(signals);
  }
  // Seconds are counted from t0; a runner that joined late has none before it joined.
  schedule_flush(static_cast<std::uint64_t>(
                     std::chrono::duration_cast<std::chrono::seconds>(first - t0_).count()) +
                 1);
  on_snapshot_ = on_snapshot;
  control_.run();  // returns when all workers are done (worker_done stops it)
  for (auto& t : threads_) t.join();
  threads_.clear();

  Result result = described(aggregator_->result());
  result.duration_seconds = to_seconds(finished_at_ - t0_);
  result.aborted_by = stop_reason_;
  return result;
}

void Engine::await_signal(asio::signal_set& signals) {
  // `signals` lives on run()'s stack until control_.run() returns, so the reference outlives
  // every handler (a std::function local to a block did not, and the second signal threw).
  signals.async_wait([this, &signals](const ErrorCode& ec, int) {
    if (ec) return;
    on_signal();
    await_signal(signals);
  });
}

void Engine::on_signal() {
  if (stop_reason_.empty()) stop_reason_ = kStoppedBySignal;
  // First signal: stop gracefully, as at the planned end (bounded by signal_grace when set).
  // Second: abandon whatever is still open, now.
  if (++signals_seen_ == 1) {
    stop_workers(options_.signal_grace);
  } else {
    stop_workers(Duration::zero());
  }
}

void Engine::schedule_flush(std::uint64_t tick) {
  flush_timer_.expires_at(t0_ + std::chrono::seconds(tick));
  flush_timer_.async_wait([this, tick](const ErrorCode& ec) {
    if (ec) return;
    monitor_->sample();
    for (auto& w : workers_) w->request_flush(tick);
    schedule_flush(tick + 1);
  });
}

void Engine::absorb(std::size_t worker, std::uint64_t tick, std::unique_ptr<ThreadStats> s) {
  std::shared_ptr<ThreadStats> stats = std::move(s);
  asio::post(control_, [this, worker, tick, stats] {
    monitor_->absorb(worker, tick, stats->load);
    if (stats->backoff) backoff_.note(worker, *stats->backoff);
    aggregator_->absorb(worker, tick, *stats);
    report();
  });
}

void Engine::report() {
  for (const TimeSeriesPoint& point : aggregator_->take_completed()) {
    if (on_snapshot_) on_snapshot_(snapshot(point.elapsed_seconds));
  }
}

Snapshot Engine::snapshot(double elapsed) const {
  Snapshot s = aggregator_->snapshot(elapsed, to_seconds(plan_.load.duration()));
  const std::shared_ptr<const LoadSchedule> load = load_control_.current();
  s.target_rate = target_rate(*load, from_seconds(elapsed));
  s.target_users = target_users(*load, from_seconds(elapsed));
  s.open_model = plan_.load.is_open();
  s.stopping = stopping_ || elapsed >= s.planned_seconds;
  s.generator = &monitor_->now();
  return s;
}

double Engine::target_rate(const LoadSchedule& load, Duration elapsed) const {
  if (!load.arrivals || elapsed >= load.arrivals->total()) return 0;
  return load.arrivals->rate_at(elapsed) / options_.segments;
}

std::uint32_t Engine::target_users(const LoadSchedule& load, Duration elapsed) const {
  if (!load.users) return 0;
  // This runner's threads' shares (start_workers).
  const std::uint32_t wanted = load.users->users_at(elapsed);
  const unsigned n = options_.threads;
  std::uint64_t mine = 0;
  for (unsigned k = 0; k < n; ++k) {
    mine += thread_share(options_.segment, options_.segments, k, n).of(wanted);
  }
  return static_cast<std::uint32_t>(mine);
}

void Engine::worker_done(std::size_t worker, std::unique_ptr<ThreadStats> s) {
  std::shared_ptr<ThreadStats> stats = std::move(s);
  asio::post(control_, [this, worker, stats] {
    monitor_->absorb_final(worker, stats->load);
    if (stats->backoff) backoff_.note(worker, *stats->backoff);
    aggregator_->worker_done(worker, *stats);
    report();
    if (aggregator_->all_done()) {
      // A stop before the start instant (a scheduled start called off) ends a run of length 0.
      finished_at_ = std::max(Clock::now(), t0_);
      const double elapsed = to_seconds(finished_at_ - t0_);
      aggregator_->finish(elapsed);
      monitor_->sample();
      if (on_snapshot_) {
        Snapshot last = snapshot(elapsed);
        last.final = true;
        on_snapshot_(last);
      }
      flush_timer_.cancel();
      control_.stop();
    }
  });
}

Result Engine::current_result(double elapsed_seconds) const {
  Result result = described(aggregator_->result());
  result.duration_seconds = elapsed_seconds;
  return result;
}

void Engine::make_gates() {
  // Each runner keeps its share of every limit: together they keep the plan's rate.
  const double share = 1.0 / std::max(1u, options_.segments);
  gates_.clear();
  user_config_.gates.clear();
  for (const RequestLimit& limit : plan_.limits) {
    gates_.push_back(std::make_unique<RateGate>(limit, share, t0_));
    user_config_.gates.push_back(gates_.back().get());
  }
}

std::vector<LimitStats> Engine::limits() const {
  const TimePoint now = Clock::now();
  std::vector<LimitStats> out;
  for (const auto& gate : gates_) out.push_back(gate->stats(now));
  return out;
}

Result Engine::described(Result result) const {
  result.plan_name = plan_.name;
  result.limits = limits();
  result.runner = std::to_string(options_.segment) + "/" + std::to_string(options_.segments);
  if (monitor_) result.generators = {monitor_->stats(result.runner)};
  result.adaptive_users = backoff_total();
  result.started_at = started_at_;
  return result;
}

void Engine::request_stop(const std::string& reason) {
  asio::post(control_, [this, reason] {
    if (stop_reason_.empty()) stop_reason_ = reason;
    stop_workers(std::nullopt);
  });
}

void Engine::stop_workers(std::optional<Duration> grace) {
  stopping_ = true;
  load_control_.end_load();
  for (auto& w : workers_) w->request_stop(grace);
}

}  // namespace stampede
