#include "engine/open_driver.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "plan/open_release.h"

namespace stampede {

OpenDriver::OpenDriver(asio::io_context& io, UserPool& pool, const OpenModel& model, Share share,
                       const std::vector<double>& scenario_weights)
    : pool_(pool),
      schedule_(RateSchedule::of(model)),
      share_(share),
      scenarios_(scenario_weights),
      timer_(io.get_executor()),
      pre_allocated_(share.of(model.pre_allocated_users)),
      max_in_flight_(std::max<std::uint64_t>(1, share.of(model.max_in_flight))),
      max_queued_(share.of(model.max_queued)),
      next_(share.index) {}

void OpenDriver::prepare() {
  for (; users_ < pre_allocated_; ++users_) pool_.create_user().preconnect();
}

void OpenDriver::start(TimePoint t0) {
  t0_ = t0;
  started_ = true;
  arm();
}

void OpenDriver::skip_until(Duration offset) {
  // Arrival n is due when the expected count reaches n: the ones numbered below the count at
  // `offset` were due before it.
  const auto first = static_cast<std::uint64_t>(std::ceil(schedule_.expected_arrivals(offset)));
  if (first <= next_) return;
  // This share's first number at or after `first`.
  next_ += (first - next_ + share_.count - 1) / share_.count * share_.count;
}

void OpenDriver::reschedule(const LoadSchedule& schedule) {
  schedule_ = *schedule.arrivals;
  if (!started_ || stopped_) return;  // start() arms by the new schedule
  // Exhausted or not under the old schedule (a rate of 0, say), the new one decides.
  timer_.cancel();
  arm();
}

void OpenDriver::arm() {
  const auto offset = schedule_.arrival_time(next_);
  // No offset: this share's arrivals are over (or it is smaller than one arrival).
  exhausted_ = !offset;
  if (!offset || stopped_) return;
  next_at_ = t0_ + *offset;
  timer_.expires_at(next_at_);
  timer_.async_wait([this](const ErrorCode& ec) {
    if (!ec) tick(Clock::now());
  });
}

// Arrivals are released in batches (plan/open_release.h): per arrival, the timer's re-arm (a
// timerfd_settime) and the worker's wake-ups cost more than the request itself; per release they
// are paid at most 1,000 times a second whatever the rate, and the responses to one release come
// back together, to fewer wake-ups. At 10,000/s, 1-ms releases cost ~8 % more CPU per request
// than h2load (whose clients send a request each every 5 ms, together), 20 arrivals within 2 ms
// came out at par, 40 within 4 ms 5-7 % less (docs/performance.md has the runs). Above 40,000/s a
// release is 1 ms, so one holds no more arrivals than the connections opened for it. The server
// sees a release as one burst. An early start is measured from its actual send, a late one from
// its schedule, so neither hides latency.
void OpenDriver::tick(TimePoint now) {
  const TimePoint horizon = now + open_release::kAhead;
  if (stopped_ || exhausted_ || next_at_ > horizon) return;
  const TimePoint far_horizon = now + open_release::kAheadMax;
  // Timers fire late under load; every arrival that has come due since is started now but
  // keeps its scheduled time, so the lateness shows up in its latency.
  std::optional<Duration> offset;
  std::uint64_t released = 0;
  do {
    dispatch(next_at_);
    ++released;
    next_ += share_.count;
    offset = schedule_.arrival_time(next_);
    if (offset) next_at_ = t0_ + *offset;
  } while (offset && (next_at_ <= horizon ||
                      (released < open_release::kArrivals && next_at_ <= far_horizon)));
  timer_.cancel();
  if (offset) {
    arm();
  } else {
    exhausted_ = true;
  }
}

void OpenDriver::dispatch(TimePoint scheduled) {
  const std::size_t scenario = scenarios_.pick();
  User* user = nullptr;
  if (!free_.empty()) {
    user = free_.back();
    free_.pop_back();
  } else if (users_ < max_in_flight_) {
    ++users_;
    user = &pool_.create_user();
  } else if (waiting_.size() < max_queued_) {
    waiting_.push_back({scenario, scheduled});
    return;
  } else {
    ++pool_.stats().iterations[scenario].dropped;
    return;
  }
  user->start_iteration(scenario, scheduled);
}

void OpenDriver::on_user_idle(User& user) {
  if (waiting_.empty()) {
    free_.push_back(&user);
    return;
  }
  const Waiting next = waiting_.front();
  waiting_.pop_front();
  user.start_iteration(next.scenario, next.scheduled);
}

void OpenDriver::stop_load() {
  stopped_ = true;
  timer_.cancel();
}

void OpenDriver::interrupt() {
  // Arrivals still queued never started: dropped, as when the queue is full. Without this, each
  // aborted user would pick one up and send a request nobody aborts.
  for (const Waiting& w : waiting_) ++pool_.stats().iterations[w.scenario].dropped;
  waiting_.clear();
}

}  // namespace stampede
