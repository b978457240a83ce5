#pragma once
// The open model (k6 arrival rate): the worker's share of arrivals fires on schedule, each on
// a free user. When no user is free and the in-flight cap is reached, the arrival waits for one
// (up to max_queued waiting) or is counted as dropped. Latency is measured from the scheduled
// instant, so a slow target cannot hide the queueing it causes (coordinated omission).

#include <deque>
#include <vector>

#include "engine/asio.h"
#include "engine/load_driver.h"
#include "engine/rate_schedule.h"
#include "engine/share.h"
#include "engine/weighted_picker.h"

namespace stampede {

class OpenDriver final : public LoadDriver {
 public:
  OpenDriver(asio::io_context& io, UserPool& pool, const OpenModel& model, Share share,
             const std::vector<double>& scenario_weights);

  void prepare() override;
  void start(TimePoint t0) override;
  void skip_until(Duration offset) override;
  // Starts the release due by `now` (plan/open_release.h has what one holds; the timer calls
  // it, the worker's tick too, as a backstop).
  void tick(TimePoint now) override;
  // Arrivals keep their global numbers: the next one of this share is re-timed by the new
  // schedule, and the timer re-armed for it.
  void reschedule(const LoadSchedule& schedule) override;
  void stop_load() override;
  void interrupt() override;
  void on_user_idle(User& user) override;
  std::uint32_t active_users() const override {
    return static_cast<std::uint32_t>(users_ - free_.size());
  }

 private:
  void arm();
  void dispatch(TimePoint scheduled);

  UserPool& pool_;
  RateSchedule schedule_;
  Share share_;
  WeightedPicker scenarios_;
  SteadyTimer timer_;
  std::uint64_t pre_allocated_ = 0;
  std::uint64_t max_in_flight_ = 0;
  std::uint64_t max_queued_ = 0;
  struct Waiting {
    std::size_t scenario;
    TimePoint scheduled;
  };
  std::deque<Waiting> waiting_;  // arrivals due while every user was busy, oldest first
  std::uint64_t users_ = 0;      // created so far
  std::vector<User*> free_;
  TimePoint t0_{};
  std::uint64_t next_ = 0;  // global number of this share's next arrival
  TimePoint next_at_{};
  bool started_ = false;
  bool stopped_ = false;
  bool exhausted_ = false;  // this share's schedule has no more arrivals
};

}  // namespace stampede
