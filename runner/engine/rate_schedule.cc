#include "engine/rate_schedule.h"

#include <algorithm>
#include <cmath>

namespace stampede {

RateSchedule RateSchedule::constant(double rate, Duration duration) {
  return RateSchedule({Stage{duration, rate, ""}}, rate);
}

RateSchedule RateSchedule::of(const OpenModel& model) {
  if (model.stages.empty()) return constant(model.rate, model.duration);
  return RateSchedule(model.stages, 0.0);
}

RateSchedule::RateSchedule(const std::vector<Stage>& stages, double start_rate) {
  double offset = 0;
  double before = 0;
  double from = start_rate;
  for (const Stage& stage : stages) {
    const double length = to_seconds(stage.duration);
    segments_.push_back({offset, length, from, stage.target, before});
    before += (from + stage.target) / 2 * length;
    offset += length;
    from = stage.target;
    total_ += stage.duration;
  }
}

RateSchedule RateSchedule::changed(Duration at, double rate) const {
  RateSchedule out;
  out.total_ = total_;
  const double cut = std::max(0.0, to_seconds(at));
  double before = 0;  // expected arrivals before the cut
  for (const Segment& s : segments_) {
    if (s.start_s >= cut) break;
    Segment kept = s;
    if (s.start_s + s.length_s > cut) {  // the segment running at the cut ends there
      kept.length_s = cut - s.start_s;
      kept.to = s.from + (s.to - s.from) * (kept.length_s / s.length_s);
    }
    out.segments_.push_back(kept);
    before = kept.before + (kept.from + kept.to) / 2 * kept.length_s;
  }
  const double end = to_seconds(total_);
  if (end > cut) out.segments_.push_back({cut, end - cut, rate, rate, before});
  return out;
}

std::optional<Duration> RateSchedule::arrival_time(std::uint64_t n) const {
  const double wanted = static_cast<double>(n);
  for (const Segment& s : segments_) {
    const double inside = (s.from + s.to) / 2 * s.length_s;
    if (wanted >= s.before + inside) continue;
    // Solve before + from*t + slope/2*t^2 = wanted for t; this form of the quadratic root is
    // stable when the slope is zero or tiny, and never divides by the rate itself.
    const double c = wanted - s.before;
    const double half_slope = (s.to - s.from) / (2 * s.length_s);
    const double disc = s.from * s.from + 4 * half_slope * c;
    const double t = 2 * c / (s.from + std::sqrt(std::max(0.0, disc)));
    if (!std::isfinite(t)) return from_seconds(s.start_s);
    return from_seconds(s.start_s + std::min(t, s.length_s));
  }
  return std::nullopt;
}

double RateSchedule::expected_arrivals(Duration t) const {
  const double at = to_seconds(t);
  double total = 0;
  for (const Segment& s : segments_) {
    if (at <= s.start_s) break;
    const double in = std::min(at - s.start_s, s.length_s);
    const double rate_end = s.from + (s.to - s.from) * (in / s.length_s);
    total = s.before + (s.from + rate_end) / 2 * in;
  }
  return total;
}

double RateSchedule::rate_at(Duration t) const {
  const double at = to_seconds(t);
  for (const Segment& s : segments_) {
    if (at < s.start_s + s.length_s)
      return s.from + (s.to - s.from) * ((at - s.start_s) / s.length_s);
  }
  return 0;
}

double RateSchedule::peak_rate() const {
  double peak = 0;
  for (const Segment& s : segments_) peak = std::max({peak, s.from, s.to});
  return peak;
}

}  // namespace stampede
