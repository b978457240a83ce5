#include "controller/cron_schedule.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <sstream>

namespace stampede::op {
namespace {

using TimePoint = CronSchedule::TimePoint;

// "2027-03-14T06:30:00Z" as a time point.
TimePoint at(const std::string& text) {
  std::istringstream in(text);
  date::sys_seconds t;
  in >> date::parse("%Y-%m-%dT%H:%M:%SZ", t);
  EXPECT_FALSE(in.fail()) << text;
  return TimePoint{t};
}

std::string text(const std::optional<TimePoint>& t) {
  if (!t) return "none";
  return date::format("%Y-%m-%dT%H:%M:%SZ", std::chrono::floor<std::chrono::seconds>(*t));
}

CronSchedule schedule(const std::string& expression, const std::string& zone = "") {
  std::string error;
  auto s = CronSchedule::parse(expression, zone, &error);
  EXPECT_TRUE(s) << expression << ": " << error;
  return s.value_or(*CronSchedule::parse("* * * * *", "", &error));
}

std::string next(const std::string& expression, const std::string& after,
                 const std::string& zone = "") {
  return text(schedule(expression, zone).next(at(after)));
}

TEST(CronSchedule, StepsListsRangesAndNames) {
  EXPECT_EQ(next("*/15 * * * *", "2027-01-04T10:07:30Z"), "2027-01-04T10:15:00Z");
  EXPECT_EQ(next("*/15 * * * *", "2027-01-04T10:15:00Z"), "2027-01-04T10:30:00Z")
      << "strictly after";
  EXPECT_EQ(next("0 2 * * 1-5", "2027-01-08T03:00:00Z"), "2027-01-11T02:00:00Z")
      << "Friday 03:00 -> Monday 02:00";
  EXPECT_EQ(next("5,35 9-10 * * *", "2027-01-04T09:40:00Z"), "2027-01-04T10:05:00Z");
  EXPECT_EQ(next("0 0 * jan,JUL sun", "2027-02-01T00:00:00Z"), "2027-07-04T00:00:00Z");
  EXPECT_EQ(next("0 0 * * 7", "2027-01-04T00:00:00Z"), "2027-01-10T00:00:00Z") << "7 is Sunday";
  EXPECT_EQ(next("30 4/6 * * *", "2027-01-04T05:00:00Z"), "2027-01-04T10:30:00Z") << "N/STEP";
  EXPECT_EQ(next("0 0 1 */3 *", "2027-02-15T00:00:00Z"), "2027-04-01T00:00:00Z");
}

TEST(CronSchedule, Descriptors) {
  EXPECT_EQ(next("@hourly", "2027-01-04T10:07:00Z"), "2027-01-04T11:00:00Z");
  EXPECT_EQ(next("@daily", "2027-01-04T10:07:00Z"), "2027-01-05T00:00:00Z");
  EXPECT_EQ(next("@midnight", "2027-01-04T10:07:00Z"), "2027-01-05T00:00:00Z");
  EXPECT_EQ(next("@weekly", "2027-01-04T10:07:00Z"), "2027-01-10T00:00:00Z");
  EXPECT_EQ(next("@monthly", "2027-01-04T10:07:00Z"), "2027-02-01T00:00:00Z");
  EXPECT_EQ(next("@yearly", "2027-01-04T10:07:00Z"), "2028-01-01T00:00:00Z");
  EXPECT_EQ(next("@ANNUALLY", "2027-01-04T10:07:00Z"), "2028-01-01T00:00:00Z");
}

// Vixie cron: both day fields restricted -> either; one of them * -> both.
TEST(CronSchedule, DayOfMonthOrDayOfWeek) {
  EXPECT_EQ(next("0 0 13 * 5", "2027-08-01T00:00:00Z"), "2027-08-06T00:00:00Z")
      << "Friday the 6th comes before the 13th";
  EXPECT_EQ(next("0 0 13 * *", "2027-08-01T00:00:00Z"), "2027-08-13T00:00:00Z");
  EXPECT_EQ(next("0 0 * * 5", "2027-08-01T00:00:00Z"), "2027-08-06T00:00:00Z");
  EXPECT_EQ(next("0 0 */2 * 5", "2027-08-01T00:00:00Z"), "2027-08-03T00:00:00Z")
      << "a step clears the wildcard: odd days or Fridays";
}

TEST(CronSchedule, RareAndImpossibleDates) {
  EXPECT_EQ(next("0 0 29 2 *", "2027-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next("0 0 30 2 *", "2027-03-01T00:00:00Z"), "none");
  EXPECT_EQ(next("0 0 31 4 *", "2027-03-01T00:00:00Z"), "none");
}

TEST(CronSchedule, LocalTimeInTheTimeZone) {
  EXPECT_EQ(next("0 9 * * *", "2027-01-04T00:00:00Z", "Europe/Berlin"), "2027-01-04T08:00:00Z");
  EXPECT_EQ(next("0 9 * * *", "2027-07-05T00:00:00Z", "Europe/Berlin"), "2027-07-05T07:00:00Z");
  EXPECT_EQ(next("0 9 * * *", "2027-07-05T00:00:00Z", "Asia/Kolkata"), "2027-07-05T03:30:00Z");
}

// New York, 2027-03-14: 02:00 EST becomes 03:00 EDT; 02:30 does not exist that day.
TEST(CronSchedule, ALocalTimeSkippedByTheClocksDoesNotRun) {
  EXPECT_EQ(next("30 2 * * *", "2027-03-13T12:00:00Z", "America/New_York"), "2027-03-15T06:30:00Z");
  EXPECT_EQ(next("30 3 * * *", "2027-03-13T12:00:00Z", "America/New_York"), "2027-03-14T07:30:00Z");
}

// New York, 2027-11-07: 02:00 EDT becomes 01:00 EST; 01:30 happens twice and runs once.
TEST(CronSchedule, ALocalTimeRepeatedByTheClocksRunsOnce) {
  const CronSchedule s = schedule("30 1 * * *", "America/New_York");
  const auto first = s.next(at("2027-11-07T00:00:00Z"));
  EXPECT_EQ(text(first), "2027-11-07T05:30:00Z") << "01:30 EDT";
  EXPECT_EQ(text(s.next(*first)), "2027-11-08T06:30:00Z") << "not 01:30 EST the same night";
  EXPECT_EQ(text(s.next(at("2027-11-07T06:10:00Z"))), "2027-11-08T06:30:00Z")
      << "from within the repeated hour";
}

TEST(CronSchedule, ErrorsNameTheFieldAndTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"* * * *", "expected five fields (minute hour day-of-month month day-of-week), got 4"},
      {"60 * * * *", "minute: 60 is out of range 0-59"},
      {"* 24 * * *", "hour: 24 is out of range 0-23"},
      {"* * 0 * *", "day of month: 0 is out of range 1-31"},
      {"* * * 13 *", "month: 13 is out of range 1-12"},
      {"* * * * 8", "day of week: 8 is out of range 0-7"},
      {"* * * FOO *", "month: \"FOO\" is not a number or a name"},
      {"*/0 * * * *", "minute: the step \"0\" is not a whole number of at least 1"},
      {"5-1 * * * *", "minute: the range \"5-1\" ends before it starts"},
      {"1/2/3 * * * *", "minute: \"1/2/3\" has two steps"},
      {"x * * * *", "minute: \"x\" is not a number"},
      {"@every 5m", "expected five fields (minute hour day-of-month month day-of-week), got 2"},
      {"@fortnightly",
       "\"@fortnightly\" is not one of @yearly, @annually, @monthly, @weekly, "
       "@daily, @midnight, @hourly"},
  };
  for (const auto& [expression, message] : cases) {
    std::string error;
    EXPECT_FALSE(CronSchedule::parse(expression, "", &error)) << expression;
    EXPECT_EQ(error, message) << expression;
  }
  std::string error;
  EXPECT_FALSE(CronSchedule::parse("0 0 * * *", "Mars/Olympus_Mons", &error));
  EXPECT_EQ(error, "time zone: \"Mars/Olympus_Mons\" is not a known IANA time zone");
}

}  // namespace
}  // namespace stampede::op
