#include "target/token_bucket.h"

#include <algorithm>

namespace stampede::target {

TokenBucket::TokenBucket(Rate rate, double burst, Clock::time_point now)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), refilled_at_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  // A clock read on another thread may be slightly older than refilled_at_; never refill
  // backwards, and never move refilled_at_ back either.
  if (now <= refilled_at_) return;
  const double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_.per_second);
  refilled_at_ = now;
}

TokenBucket::Admission TokenBucket::try_take(Clock::time_point now) {
  if (unlimited()) return {true, {}};
  std::lock_guard lock(mutex_);
  refill(now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return {true, {}};
  }
  const double wait_seconds = (1 - tokens_) / rate_.per_second;
  return {false,
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_seconds))};
}

}  // namespace stampede::target
