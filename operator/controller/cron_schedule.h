#pragma once
// A cron schedule as a Kubernetes CronJob writes it (five fields, or @hourly, @daily, @weekly,
// @monthly, @yearly), in an IANA time zone: when a scheduled LoadTest runs (docs/runs.md).
//
// Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-7
// or SUN-SAT (0 and 7 are Sunday); each a list of `*` (or `?`), N, N-M, with /STEP, and N/STEP
// (N to the end). As in Vixie cron, when both day fields are restricted a day matching either
// runs; when either starts with `*` (without a step) both must match.
//
// Daylight saving time: a local time that does not exist (the clocks went forward over it) is
// skipped; one that happens twice (they went back) runs once, the first time.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace stampede::op {

class CronSchedule {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // nullopt and *error, naming the field and what is wrong with it, for a bad expression or an
  // unknown time zone ("" is UTC).
  static std::optional<CronSchedule> parse(std::string_view expression, std::string_view time_zone,
                                           std::string* error);

  // The first scheduled instant strictly after `after` (whole minutes); nullopt when none
  // comes within five years (such as "0 0 30 2 *").
  std::optional<TimePoint> next(TimePoint after) const;

 private:
  bool day_matches(unsigned day_of_month, unsigned weekday) const;

  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;      // 1-31
  std::bitset<13> months_;    // 1-12
  std::bitset<7> weekdays_;   // 0 = Sunday
  bool any_day_ = false;      // the day-of-month field starts with * or ?
  bool any_weekday_ = false;  // the day-of-week field does
  const date::time_zone* zone_ = nullptr;
};

}  // namespace stampede::op
