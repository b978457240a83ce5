#pragma once
// When each frame of a paced stream falls due. Deadlines are absolute (frame n at
// anchor + n / rate), so a late wake-up delays that frame only, never the ones after it: the
// stream keeps its rate without drift. A rate change re-anchors at the last deadline, so the
// frames after it follow the new rate from where the old one left off.

#include <chrono>
#include <cstdint>

namespace stampede::target {

class FrameSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  // The first frame falls due one period after `start`. `rate` is frames per second, at least 1.
  FrameSchedule(Clock::time_point start, std::uint64_t rate) : anchor_(start), rate_(rate) {}

  Clock::time_point next_due() const { return due(next_); }
  // The frame due at next_due() was sent (or skipped): the one after it is next.
  void advance() { ++next_; }
  void set_rate(std::uint64_t rate) {
    anchor_ = due(next_ - 1);
    next_ = 1;
    rate_ = rate;
  }

 private:
  // n * 1e9 / rate in integer nanoseconds: exact for every n, however long the stream runs (a
  // sum of rounded periods would drift). n * 1e9 fits 64 bits for 213 days at 1000 Hz.
  Clock::time_point due(std::uint64_t n) const {
    constexpr std::uint64_t kNanosPerSecond = 1'000'000'000;
    return anchor_ + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::nanoseconds(n * kNanosPerSecond / rate_));
  }

  Clock::time_point anchor_;
  std::uint64_t rate_;
  std::uint64_t next_ = 1;  // frames are numbered from the anchor; frame 0 is the anchor itself
};

}  // namespace stampede::target
