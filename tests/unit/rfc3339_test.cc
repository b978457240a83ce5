#include "model/rfc3339.h"

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

TEST(Rfc3339, FormatsUtcWithMillisecondsAndRoundTrips) {
  const WallTime t{milliseconds(1795365600123)};
  EXPECT_EQ(format_rfc3339(t), "2026-11-22T16:40:00.123Z");
  std::string error;
  EXPECT_EQ(*parse_rfc3339(format_rfc3339(t), &error), t);
  EXPECT_EQ(format_rfc3339(WallTime{}), "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace stampede
