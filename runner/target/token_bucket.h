#pragma once
// A token bucket shared by every connection and server thread (/api/limited, /api/chat): the
// admission decision must be global, or N threads would each admit the whole rate.

#include <chrono>
#include <mutex>

namespace stampede::target {

// Requests per second; 0 means unlimited.
struct Rate {
  double per_second = 0;
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  struct Admission {
    bool admitted = false;
    // When refused: how long until the next token (for Retry-After); zero when admitted.
    Clock::duration retry_after{};
  };

  // Starts full, holding `burst` tokens (at least 1, so rates below 1/s can still admit).
  TokenBucket(Rate rate, double burst, Clock::time_point now = Clock::now());

  // Takes one token if there is one. The caller passes the time so tests can drive the clock.
  Admission try_take(Clock::time_point now);

  bool unlimited() const { return rate_.per_second <= 0; }

 private:
  void refill(Clock::time_point now);

  const Rate rate_;
  const double burst_;
  std::mutex mutex_;  // held only for the arithmetic of one refill-and-take
  double tokens_;
  Clock::time_point refilled_at_;
};

}  // namespace stampede::target
