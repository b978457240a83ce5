#include "engine/rate_gate.h"

#include <algorithm>

namespace stampede {
namespace {

constexpr Duration kMeterSlot = std::chrono::milliseconds(100);

double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

RateGate::Meter::Meter() {
  slots_.fill(-1);  // older than any slot a run counts
}

void RateGate::Meter::add(std::int64_t slot) {
  const auto i = static_cast<std::size_t>(slot % static_cast<std::int64_t>(counts_.size()));
  if (slots_[i] != slot) {
    slots_[i] = slot;
    counts_[i] = 0;
  }
  ++counts_[i];
}

double RateGate::Meter::per_second(std::int64_t slot, double elapsed) const {
  std::uint64_t total = 0;
  const auto oldest = slot - static_cast<std::int64_t>(counts_.size());
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (slots_[i] > oldest && slots_[i] <= slot) total += counts_[i];
  }
  return static_cast<double>(total) / std::clamp(elapsed, 0.1, 1.0);
}

RateGate::RateGate(const RequestLimit& limit, double share, TimePoint t0)
    : adaptive_(limit.adaptive),
      per_user_(limit.per_user),
      share_(share),
      burst_(std::max(1.0, limit.burst)),
      max_delay_(limit.max_delay),
      t0_(t0),
      // A per-user rate is each user's, wherever it runs: runners do not split it.
      base_rate_(limit.per_user ? limit.rate : limit.rate * share),
      cut_at_(t0),
      tat_(t0) {
  stats_.selector = limit.selector;
  stats_.adaptive = adaptive_.has_value();
  stats_.per_user = per_user_;
  stats_.configured_rate = base_rate_;
}

std::int64_t RateGate::slot_of(TimePoint now) const {
  return std::max<std::int64_t>(0, (now - t0_) / kMeterSlot);
}

double RateGate::elapsed(TimePoint now) const {
  return std::max(0.0, seconds_between(t0_, now));
}

double RateGate::rate_locked(TimePoint now) const {
  if (!adaptive_ || base_rate_ <= 0) return base_rate_;
  const double grown =
      base_rate_ * (1 + adaptive_->increase * std::max(0.0, seconds_between(cut_at_, now)));
  return adaptive_->max_rate > 0 ? std::min(grown, adaptive_->max_rate * share_) : grown;
}

double RateGate::rate(TimePoint now) const {
  std::lock_guard lock(mutex_);
  return rate_locked(now);
}

std::optional<Duration> RateGate::reserve(TimePoint now, bool bounded, TimePoint* own) {
  std::lock_guard lock(mutex_);
  // Only the asking user's thread touches its own slot: the lock guards the counts.
  TimePoint& next = per_user_ && own != nullptr ? *own : tat_;
  const double rate = rate_locked(now);
  const Duration tolerance = rate > 0 ? from_seconds((burst_ - 1) / rate) : Duration::zero();
  const TimePoint tat = std::max(next, now);
  const TimePoint allowed = std::max(rate > 0 ? tat - tolerance : now, paused_until_);
  if (bounded && allowed - now > max_delay_) {
    ++stats_.skipped;
    return std::nullopt;
  }
  if (rate > 0) next = std::max(tat, allowed) + from_seconds(1 / rate);
  ++stats_.requests;
  if (adaptive_) sent_.add(slot_of(now));
  if (allowed <= now) return Duration::zero();
  const Duration wait = allowed - now;
  ++stats_.delayed;
  stats_.delay_seconds += to_seconds(wait);
  // The union of the waits: time with at least one request held back.
  const TimePoint from = std::max(now, throttled_until_);
  if (allowed > from) stats_.throttled_seconds += seconds_between(from, allowed);
  throttled_until_ = std::max(throttled_until_, allowed);
  return wait;
}

std::optional<Duration> RateGate::recheck(TimePoint now, bool bounded, TimePoint* /*own*/) {
  std::lock_guard lock(mutex_);
  if (now >= paused_until_) return Duration::zero();
  const Duration remaining = paused_until_ - now;
  if (bounded && remaining > max_delay_) {
    // Counted as let through when it reserved; it never goes.
    --stats_.requests;
    ++stats_.skipped;
    return std::nullopt;
  }
  stats_.delay_seconds += to_seconds(remaining);
  const TimePoint from = std::max(now, throttled_until_);
  if (paused_until_ > from) stats_.throttled_seconds += seconds_between(from, paused_until_);
  throttled_until_ = std::max(throttled_until_, paused_until_);
  return remaining;
}

void RateGate::on_response(TimePoint now, TimePoint sent, int status, Duration latency,
                           std::optional<Duration> retry_after) {
  if (!adaptive_) return;
  const bool slow = adaptive_->latency && latency > *adaptive_->latency;
  const bool signal = adaptive_->on.contains(status) || slow;
  std::lock_guard lock(mutex_);
  if (!signal) {
    accepted_.add(slot_of(now));
    return;
  }
  ++stats_.signals;
  if (stats_.decreases == 0 || (sent >= cut_at_ && now - cut_at_ >= kCutSpacing)) cut(now);
  if (adaptive_->retry_after && retry_after && *retry_after > Duration::zero()) {
    if (now >= paused_until_) ++stats_.pauses;  // a new pause, not one made longer
    paused_until_ = std::max(paused_until_, now + *retry_after);
  }
}

void RateGate::cut(TimePoint now) {
  const std::int64_t slot = slot_of(now);
  const double span = elapsed(now);
  double current = rate_locked(now);
  // Unlimited so far: what went out in the last second is the rate the target refused.
  if (current <= 0) current = sent_.per_second(slot, span);
  // What the target let through in the last second is what it can take now, unless a pause
  // held the requests back in that second.
  const double accepted = accepted_.per_second(slot, span);
  if (accepted > 0 && now - paused_until_ >= std::chrono::seconds(1)) {
    current = std::min(current, accepted);
  }
  double next = std::max(adaptive_->min_rate * share_, current * adaptive_->decrease);
  if (adaptive_->max_rate > 0) next = std::min(next, adaptive_->max_rate * share_);
  base_rate_ = next;
  cut_at_ = now;
  ++stats_.decreases;
  stats_.lowest_rate = stats_.lowest_rate > 0 ? std::min(stats_.lowest_rate, next) : next;
}

LimitStats RateGate::stats(TimePoint now) const {
  std::lock_guard lock(mutex_);
  LimitStats out = stats_;
  if (adaptive_) out.rate = rate_locked(now);
  return out;
}

}  // namespace stampede
