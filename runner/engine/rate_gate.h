#pragma once
// One `limits:` entry at run time (docs/rate-limits.md): the rate this runner keeps on the
// requests its selector picks, shared by every worker thread of the runner.
//
// Each request reserves its send time (the generic cell rate algorithm, GCRA): at most `burst`
// go at once after a quiet spell, then one each 1/rate. Reserving, rather than refusing, keeps
// the requests in order and the rate exact whatever the threads do; a request only learns how
// long to wait, and its user waits on its own timer.
//
// An adaptive entry moves the rate with the target's signals (AIMD). A signal (a listed status,
// or an answer slower than the latency bound) cuts the rate to `decrease` times the lower of
// the rate and what the target accepted in the last second; between cuts the rate grows by
// `increase` of the rate set at the last cut, each second, up to `max`. One cut per signal would
// overshoot: a token bucket refills over burst/rate seconds and goes on refusing meanwhile, so
// answers to requests sent before the last cut, or within kCutSpacing of it, cut nothing. A
// Retry-After holds every request back until it has passed, the ones already waiting included.
// Without a starting rate the entry lets everything through until the first signal.
//
// The lock is held for a few arithmetic operations per request, and only requests that a limit
// selects take it: a plan without `limits:` never reaches this code.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>

#include "base/units.h"
#include "plan/plan.h"
#include "stats/limit_stats.h"

namespace stampede {

class RateGate {
 public:
  // The least time between two cuts of an adaptive entry's rate.
  static constexpr Duration kCutSpacing = std::chrono::milliseconds(500);

  // `share`: this runner's part of the plan's rates (1 / runners). `t0`: the rates' origin.
  RateGate(const RequestLimit& limit, double share, TimePoint t0);

  // The time one request asking at `now` must wait (zero: send now); the slot is its own after
  // this call. With `bounded` (an open-model arrival), a request that would wait longer than the
  // entry's maxDelay takes no slot and gets nullopt: it is not sent (counted as skipped).
  // A per-user entry (`per: user`) schedules on `own`, the asking user's own next slot (the
  // user keeps it; a default TimePoint before its first request), and only counts here.
  std::optional<Duration> reserve(TimePoint now, bool bounded, TimePoint* own = nullptr);
  // After a request's wait: more waiting when a Retry-After pause began meanwhile (zero: send
  // now); nullopt for a bounded request the pause would hold past maxDelay (then skipped).
  std::optional<Duration> recheck(TimePoint now, bool bounded, TimePoint* own = nullptr);
  // An adaptive entry's view of a response to a request sent at `sent`: `status`, its latency
  // and the Retry-After it carried. Nothing for a fixed entry.
  void on_response(TimePoint now, TimePoint sent, int status, Duration latency,
                   std::optional<Duration> retry_after);

  bool adaptive() const { return adaptive_.has_value(); }
  bool per_user() const { return per_user_; }
  // Whether on_response reads Retry-After (the response's headers are then kept).
  bool wants_retry_after() const { return adaptive_ && adaptive_->retry_after; }
  // The rate now, requests per second (0: unlimited).
  double rate(TimePoint now) const;
  // What the entry did so far, for the result.
  LimitStats stats(TimePoint now) const;

 private:
  // Events per 100 ms over the last second: requests sent (for the first cut of an entry
  // without a starting rate) and answers accepted (what the target let through).
  class Meter {
   public:
    Meter();
    void add(std::int64_t slot);
    // Events per second over the last second (over `elapsed` when shorter).
    double per_second(std::int64_t slot, double elapsed) const;

   private:
    std::array<std::uint64_t, 10> counts_{};
    std::array<std::int64_t, 10> slots_{};  // the 100-ms slot each count belongs to
  };

  double rate_locked(TimePoint now) const;
  void cut(TimePoint now);
  std::int64_t slot_of(TimePoint now) const;
  double elapsed(TimePoint now) const;

  const std::optional<AdaptiveLimit> adaptive_;
  const bool per_user_;
  const double share_;
  const double burst_;
  const Duration max_delay_;
  const TimePoint t0_;
  mutable std::mutex mutex_;
  LimitStats stats_;
  // Fixed: the rate. Adaptive: the rate set at the last cut (0: none yet, unlimited).
  double base_rate_ = 0;
  TimePoint cut_at_{};        // the last cut (adaptive); the additive increase runs from it
  TimePoint tat_{};           // the GCRA's theoretical arrival time of the next request
  TimePoint paused_until_{};  // a Retry-After's end
  TimePoint throttled_until_{};
  Meter sent_;
  Meter accepted_;
};

}  // namespace stampede
