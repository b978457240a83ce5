#include "base/rfc3339.h"

#include <cctype>
#include <cstdint>
#include <ctime>

namespace stampede {
namespace {

// Reads exactly `digits` decimal digits at text[pos]; -1 when they are not there.
int read_number(std::string_view text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

// A WallTime counts nanoseconds since 1970 in 64 bits: about 1677-09-21 to 2262-04-11. Whole
// seconds strictly inside these bounds convert with their fraction without overflow.
constexpr std::int64_t kMinSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(WallTime::duration::min()).count();
constexpr std::int64_t kMaxSeconds =
    std::chrono::duration_cast<std::chrono::seconds>(WallTime::duration::max()).count();

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::string format_rfc3339(WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count() % 1000));
  return buf;
}

std::optional<WallTime> parse_rfc3339(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<WallTime> {
    if (error)
      *error = std::string("not an RFC 3339 time (") + why + "): '" + std::string(text) + "'";
    return std::nullopt;
  };
  const int year = read_number(text, 0, 4);
  const int month = read_number(text, 5, 2);
  const int day = read_number(text, 8, 2);
  const int hour = read_number(text, 11, 2);
  const int minute = read_number(text, 14, 2);
  const int second = read_number(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 ||
      !expect(text, 4, '-') || !expect(text, 7, '-') || !expect(text, 13, ':') ||
      !expect(text, 16, ':') || !(expect(text, 10, 'T') || expect(text, 10, 't'))) {
    return fail("expected YYYY-MM-DDTHH:MM:SS");
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return fail("field out of range");
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (expect(text, pos, '.')) {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t first = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) {
      fraction += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == first) return fail("empty fraction");
  }
  int offset_minutes = 0;
  if (expect(text, pos, 'Z') || expect(text, pos, 'z')) {
    ++pos;
  } else if (expect(text, pos, '+') || expect(text, pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    const int oh = read_number(text, pos + 1, 2);
    const int om = read_number(text, pos + 4, 2);
    if (oh < 0 || om < 0 || !expect(text, pos + 3, ':') || oh > 23 || om > 59) {
      return fail("bad offset");
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return fail("missing Z or offset");
  }
  if (pos != text.size()) return fail("trailing characters");
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = std::min(second, 59);  // a leap second is read as the second before it
  const std::int64_t secs =
      static_cast<std::int64_t>(timegm(&tm)) - std::int64_t{offset_minutes} * 60;
  if (secs <= kMinSeconds || secs >= kMaxSeconds) {
    return fail("outside the instants the clock holds, 1677-09-21 to 2262-04-11");
  }
  return WallTime(std::chrono::seconds(secs)) +
         std::chrono::duration_cast<WallTime::duration>(fraction);
}

}  // namespace stampede
