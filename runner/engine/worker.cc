#include "engine/worker.h"

#include <algorithm>

#include "base/process_usage.h"
#include "engine/closed_driver.h"
#include "engine/open_driver.h"
#include "engine/random_duration.h"
#include "engine/weighted_picker.h"

namespace stampede {
namespace {

// Deadlines and the closed model's user count are checked this often: coarse enough to cost
// nothing per request, fine enough for timeouts and spawn rates.
constexpr auto kTickPeriod = std::chrono::milliseconds(10);

}  // namespace

Worker::Worker(const WorkerConfig& config, StatsSink& sink)
    : config_(config), sink_(sink), tick_(io_.get_executor()), rng_(config.seed) {
  for (const auto& scenario : config_.compiled->scenarios) {
    task_pickers_.emplace_back(scenario.task_weights);
  }
  stats_ = fresh_stats();
  const LoadModel& load = config_.plan->load;
  if (load.is_open()) {
    driver_ = std::make_unique<OpenDriver>(io_, *this, std::get<OpenModel>(load.model),
                                           config_.share, config_.compiled->scenario_weights);
  } else {
    driver_ = std::make_unique<ClosedDriver>(*this, std::get<ClosedModel>(load.model),
                                             config_.share, *config_.scenario_of_user);
  }
}

Worker::~Worker() = default;

std::unique_ptr<ThreadStats> Worker::fresh_stats() const {
  return fresh_thread_stats(*config_.compiled);
}

User& Worker::create_user() {
  // The share's numbering: user j of this worker is global user j * count + index.
  const std::uint64_t index = users_.size() * config_.share.count + config_.share.index;
  if (config_.tls != nullptr) {
    users_.push_back(
        std::make_unique<HttpUser<TlsTransport>>(io_, *this, config_.user, config_.tls, index));
  } else {
    users_.push_back(
        std::make_unique<HttpUser<PlainTransport>>(io_, *this, config_.user, nullptr, index));
  }
  return *users_.back();
}

std::size_t Worker::stage_at(TimePoint t) const {
  const auto& names = config_.compiled->stage_name_of;
  for (std::size_t i = 0; i < stage_ends_.size(); ++i) {
    if (t < stage_ends_[i]) return names[i];
  }
  return static_cast<std::size_t>(-1);
}

std::size_t Worker::next_feeder_row(std::size_t feeder, std::size_t rows) {
  if (feeder_draws_.size() <= feeder) feeder_draws_.resize(feeder + 1);
  return (feeder_draws_[feeder]++ * config_.share.count + config_.share.index) % rows;
}

Duration Worker::random_between(Duration min, Duration max) {
  return random_duration(rng_, min, max);
}

void Worker::run(TimePoint t0, TimePoint first) {
  t0_ = t0;
  end_at_ = t0 + config_.plan->load.duration();
  TimePoint stage_end = t0;
  for (const Duration length : config_.compiled->stage_lengths) {
    stage_end += length;
    stage_ends_.push_back(stage_end);
  }
  load_mark_ = {thread_cpu_ns(), Clock::now()};
  driver_->prepare();
  if (first > t0) driver_->skip_until(first - t0);
  // Pre-allocated connections are opened before t0; the load itself starts exactly at t0.
  tick_.expires_at(std::max(t0, first));
  tick_.async_wait([this, t0](const ErrorCode&) {
    if (finished_) return;  // stopped before the start instant: no load at all
    started_ = true;
    follow_load_changes();  // a change made before the start applies from t0
    driver_->start(t0);
    on_tick();
  });
  io_.run();
}

void Worker::request_stop(std::optional<Duration> grace) {
  asio::post(io_, [this, grace] {
    if (finished_) return;
    const TimePoint now = Clock::now();
    if (!load_over_) end_load(now);
    if (finished_ || !grace) return;
    grace_until_ = std::min(grace_until_, now + *grace);
    if (!aborted_ && now >= grace_until_) interrupt();  // at once, not on the next tick
  });
}

void Worker::request_flush(std::uint64_t tick) {
  asio::post(io_, [this, tick] {
    if (finished_) return;
    stats_->users = driver_->active_users();
    stats_->backoff = driver_->backoff_stats();
    note_load();
    auto out = std::move(stats_);
    stats_ = fresh_stats();
    sink_.absorb(config_.index, tick, std::move(out));
  });
}

void Worker::on_user_idle(User& user) {
  // Draining ends on the next tick once every user is idle; checking here would cost a scan of
  // all users per idle user.
  driver_->on_user_idle(user);
}

void Worker::follow_load_changes() {
  if (config_.load == nullptr || config_.load->version() == load_version_) return;
  driver_->reschedule(*config_.load->current(&load_version_));
}

void Worker::schedule_tick() {
  tick_.expires_after(kTickPeriod);
  tick_.async_wait([this](const ErrorCode& ec) {
    if (!ec) on_tick();
  });
}

void Worker::on_tick() {
  if (finished_) return;
  const TimePoint now = Clock::now();
  // How late this tick ran is how long any completion ready at its due time waited.
  stats_->load.lag.record(now - tick_.expiry());
  for (auto& user : users_) user->sweep(now);
  if (!load_over_) {
    if (now >= end_at_) {
      end_load(now);
    } else {
      follow_load_changes();
      driver_->tick(now);
    }
  } else if (!aborted_ && now >= grace_until_) {
    interrupt();
  }
  if (finished_) return;
  if (load_over_ && all_idle()) return finish();
  schedule_tick();
}

void Worker::end_load(TimePoint now) {
  load_over_ = true;
  grace_until_ = now + config_.plan->load.graceful_stop;
  driver_->stop_load();
  // Before the start instant only pre-connects can be open: nothing to wait for.
  if (!started_ || all_idle()) finish();
}

void Worker::interrupt() {
  aborted_ = true;
  driver_->interrupt();
  for (auto& user : users_) user->abort();
}

bool Worker::all_idle() const {
  return std::none_of(users_.begin(), users_.end(), [](const auto& u) { return u->busy(); });
}

void Worker::finish() {
  if (finished_) return;
  finished_ = true;
  tick_.cancel();
  // Idle users still hold keep-alive sockets; closing them lets io_.run() return.
  for (auto& user : users_) user->abort();
  stats_->users = 0;
  stats_->backoff = driver_->backoff_stats();
  note_load();
  sink_.worker_done(config_.index, std::move(stats_));
}

void Worker::note_load() {
  const LoadMark now{thread_cpu_ns(), Clock::now()};
  WorkerLoad& load = stats_->load;
  load.cpu_ns = now.cpu_ns - load_mark_.cpu_ns;
  load.wall_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.at - load_mark_.at).count());
  load.connections = 0;
  for (const auto& user : users_) load.connections += user->connections();
  load_mark_ = now;
}

}  // namespace stampede
