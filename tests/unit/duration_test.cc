#include "plan/duration.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Duration duration_ok(std::string_view text) {
  std::string error;
  std::optional<Duration> d = parse_duration(text, &error);
  EXPECT_TRUE(d.has_value()) << text << ": " << error;
  return d.value_or(Duration(-1));
}

std::string duration_error(std::string_view text) {
  std::string error;
  std::optional<Duration> d = parse_duration(text, &error);
  EXPECT_FALSE(d.has_value()) << "'" << text << "' parsed as " << (d ? d->count() : 0) << "ns";
  return error;
}

TEST(DurationTest, SingleUnits) {
  EXPECT_EQ(duration_ok("250ms"), milliseconds(250));
  EXPECT_EQ(duration_ok("30s"), seconds(30));
  EXPECT_EQ(duration_ok("5m"), minutes(5));
  EXPECT_EQ(duration_ok("1h"), hours(1));
  EXPECT_EQ(duration_ok("2d"), hours(48));
  EXPECT_EQ(duration_ok("100us"), microseconds(100));
  EXPECT_EQ(duration_ok("100\u00b5s"), microseconds(100));
  EXPECT_EQ(duration_ok("15ns"), nanoseconds(15));
  EXPECT_EQ(duration_ok("0s"), Duration::zero());
}

TEST(DurationTest, CompoundAndDecimal) {
  EXPECT_EQ(duration_ok("1h30m"), minutes(90));
  EXPECT_EQ(duration_ok("1m30s"), seconds(90));
  EXPECT_EQ(duration_ok("1h0m5s"), seconds(3605));
  EXPECT_EQ(duration_ok("1.5s"), milliseconds(1500));
  EXPECT_EQ(duration_ok("0.1s"), milliseconds(100));
  EXPECT_EQ(duration_ok(".5s"), milliseconds(500));
  EXPECT_EQ(duration_ok("1.25m"), seconds(75));
  EXPECT_EQ(duration_ok("2.5ms"), microseconds(2500));
}

TEST(DurationTest, PlainNumbersAreSeconds) {
  EXPECT_EQ(duration_ok("30"), seconds(30));
  EXPECT_EQ(duration_ok("0.5"), milliseconds(500));
  EXPECT_EQ(duration_ok("0"), Duration::zero());
  EXPECT_EQ(duration_ok(" 10 "), seconds(10));
}

TEST(DurationTest, RejectsNegativeEmptyAndJunk) {
  EXPECT_NE(duration_error("-5s").find("negative"), std::string::npos);
  EXPECT_NE(duration_error("-1").find("negative"), std::string::npos);
  EXPECT_NE(duration_error("").find("empty"), std::string::npos);
  EXPECT_NE(duration_error("   ").find("empty"), std::string::npos);
  EXPECT_NE(duration_error("abc").find("invalid duration"), std::string::npos);
  EXPECT_NE(duration_error("5 sec").find("unknown unit ' sec'"), std::string::npos);
  EXPECT_NE(duration_error("10x").find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(duration_error("1h30").find("missing unit"), std::string::npos);
  EXPECT_NE(duration_error("s").find("invalid duration"), std::string::npos);
  EXPECT_NE(duration_error("1e3s").find("unknown unit"), std::string::npos);
  EXPECT_NE(duration_error("+5s").find("invalid duration"), std::string::npos);
  duration_error("5s-");
  duration_error("1..5s");
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_NE(duration_error("300000d").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("99999999999999999999").find("too large"), std::string::npos);
}

TEST(DurationTest, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(parse_duration("bad", nullptr));
  EXPECT_FALSE(parse_duration("", nullptr));
}

TEST(DurationTest, FormatIsShort) {
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_duration(seconds(30)), "30s");
  EXPECT_EQ(format_duration(seconds(90)), "1m30s");
  EXPECT_EQ(format_duration(minutes(90)), "1h30m");
  EXPECT_EQ(format_duration(hours(1)), "1h");
  EXPECT_EQ(format_duration(hours(50)), "2d2h");
  EXPECT_EQ(format_duration(microseconds(100)), "100us");
  EXPECT_EQ(format_duration(microseconds(2500)), "2.5ms");
  EXPECT_EQ(format_duration(nanoseconds(42)), "42ns");
  EXPECT_EQ(format_duration(milliseconds(90500)), "1m30.5s");
  EXPECT_EQ(format_duration(-seconds(2)), "-2s");
}

TEST(DurationTest, FormatRoundTrips) {
  for (Duration d :
       {Duration::zero(), Duration(nanoseconds(1)), Duration(nanoseconds(999)),
        Duration(microseconds(1)), Duration(nanoseconds(1001)), Duration(milliseconds(1)),
        Duration(nanoseconds(123456789)), Duration(seconds(1)), Duration(milliseconds(59999)),
        Duration(minutes(1)), Duration(nanoseconds(61'000'000'001)),
        Duration(hours(25) + seconds(1)), Duration(hours(24 * 365))}) {
    const std::string text = format_duration(d);
    EXPECT_EQ(duration_ok(text), d) << text;
  }
  for (std::string_view text : {"250ms", "1.5s", "1m30s", "1h30m", "2d", "100us", "45s"}) {
    EXPECT_EQ(format_duration(duration_ok(text)), text);
  }
}

}  // namespace
}  // namespace stampede
