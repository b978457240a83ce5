#pragma once
// When each arrival of an open model is due. A pure function of the stages and of the rate
// changes made while it runs: no clock, no state, so tests check exact times and every thread or
// runner can compute its own share.

#include <cstdint>
#include <optional>
#include <vector>

#include "plan/plan.h"

namespace stampede {

class RateSchedule {
 public:
  // The schedule of an open model: its stages from 0/s, or its constant rate.
  static RateSchedule of(const OpenModel& model);
  // Constant `rate` per second for `duration`.
  static RateSchedule constant(double rate, Duration duration);
  // Piecewise-linear rate: from `start_rate` to each stage's target over the stage's duration.
  RateSchedule(const std::vector<Stage>& stages, double start_rate);

  // This schedule with a constant `rate` from offset `at` (0: from the start) to its end. The
  // arrivals due before `at` keep their numbers and times and the later ones continue the
  // numbering, so every share (engine/share.h) keeps taking exactly its slice.
  RateSchedule changed(Duration at, double rate) const;

  // Offset from the start of arrival n (0-based), the instant at which the expected number of
  // arrivals reaches n; nullopt if that is at or after the end of the schedule.
  std::optional<Duration> arrival_time(std::uint64_t n) const;
  // Expected arrivals in [0, t): the integral of the rate.
  double expected_arrivals(Duration t) const;
  double rate_at(Duration t) const;
  // The largest rate of the segments; for RateSchedule::of(m) it is peak_rate(m) of
  // plan/load_peak.h, which the operator sizes runners by.
  double peak_rate() const;
  Duration total() const { return total_; }

 private:
  RateSchedule() = default;

  struct Segment {
    double start_s;   // offset of the segment start, seconds
    double length_s;  // seconds
    double from;      // rate at the segment start
    double to;        // rate at the segment end
    double before;    // expected arrivals before the segment
  };
  std::vector<Segment> segments_;
  Duration total_{};
};

}  // namespace stampede
