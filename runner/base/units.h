#pragma once
// Small value types for quantities, so durations and rates never travel as bare numbers.

#include <chrono>
#include <cstdint>

namespace stampede {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

// Converts any duration to floating seconds (the unit of every result and metric).
template <class Rep, class Period>
constexpr double to_seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration<double>(d).count();
}

constexpr Duration from_seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

}  // namespace stampede
