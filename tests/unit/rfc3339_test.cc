#include "base/rfc3339.h"

#include <gtest/gtest.h>

namespace stampede {
namespace {

using std::chrono::milliseconds;

std::int64_t unix_ms(WallTime t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  std::string error;
  EXPECT_EQ(unix_ms(*parse_rfc3339("1970-01-01T00:00:00Z", &error)), 0);
  EXPECT_EQ(unix_ms(*parse_rfc3339("2026-11-22T16:40:00.123Z", &error)), 1795365600123);
  EXPECT_EQ(unix_ms(*parse_rfc3339("2026-11-22T17:40:00.123+01:00", &error)), 1795365600123);
  EXPECT_EQ(unix_ms(*parse_rfc3339("2026-11-22t16:40:00.123456789z", &error)), 1795365600123);
  EXPECT_EQ(unix_ms(*parse_rfc3339("2026-11-22T12:10:00-04:30", &error)), 1795365600000);
  EXPECT_EQ(unix_ms(*parse_rfc3339("2024-02-29T00:00:00Z", &error)), 1709164800000);
}

TEST(Rfc3339, RejectsWhatIsNotATime) {
  for (const char* bad :
       {"", "tomorrow", "2026-11-22", "2026-11-22T16:40:00", "2026-11-22 16:40:00Z",
        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22T16:40:00.Z", "2026-11-22T16:40:00+0100",
        "2026-11-22T16:40:00Zjunk", "2026-11-22T16:4:00Z"}) {
    std::string error;
    EXPECT_FALSE(parse_rfc3339(bad, &error).has_value()) << bad;
    EXPECT_NE(error.find("RFC 3339"), std::string::npos) << bad;
  }
}

// The clock counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. Four-digit years go far
// beyond that, and must be refused rather than wrap around to some other instant.
TEST(Rfc3339, RefusesInstantsTheClockCannotHold) {
  for (const char* bad :
       {"9999-12-31T23:59:59Z", "2263-01-01T00:00:00Z", "2262-04-12T00:00:00Z",
        "2262-04-11T23:47:17Z", "2262-04-11T23:30:00-00:30", "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z", "1677-09-21T00:12:43Z", "1677-01-01T00:00:00+01:00"}) {
    std::string error;
    EXPECT_FALSE(parse_rfc3339(bad, &error).has_value()) << bad;
    EXPECT_NE(error.find("outside"), std::string::npos) << bad << ": " << error;
    EXPECT_NE(error.find("2262"), std::string::npos) << bad << ": " << error;
  }
  std::string error;
  const auto last = parse_rfc3339("2262-04-11T23:47:15.999Z", &error);
  ASSERT_TRUE(last.has_value()) << error;
  EXPECT_EQ(format_rfc3339(*last), "2262-04-11T23:47:15.999Z");
  const auto first = parse_rfc3339("1677-09-21T00:12:45Z", &error);
  ASSERT_TRUE(first.has_value()) << error;
  EXPECT_EQ(format_rfc3339(*first), "1677-09-21T00:12:45.000Z");
}

TEST(Rfc3339, FormatsUtcWithMillisecondsAndRoundTrips) {
  const WallTime t{milliseconds(1795365600123)};
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T16:40:00.123Z");
  std::string error;
  EXPECT_EQ(*parse_rfc3339(format_rfc3339(t), &error), t);
  EXPECT_EQ(format_rfc3339(WallTime{}), "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace stampede
