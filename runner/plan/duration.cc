#include "plan/duration.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "base/text.h"

namespace stampede {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t nanos;
};

constexpr std::int64_t kMicro = 1'000;
constexpr std::int64_t kMilli = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

constexpr std::array<Unit, 9> kUnits = {{{"ns", 1},
                                         {"us", kMicro},
                                         {"\u00b5s", kMicro},  // micro sign
                                         {"\u03bcs", kMicro},  // Greek mu, often typed instead
                                         {"ms", kMilli},
                                         {"s", kSecond},
                                         {"m", kMinute},
                                         {"h", kHour},
                                         {"d", kDay}}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads "123", "1.5" or ".5" at the front of `text`; advances it. nullopt if no digits.
std::optional<long double> take_number(std::string_view& text) {
  long double value = 0;
  std::size_t i = 0;
  bool digits = false;
  for (; i < text.size() && is_digit(text[i]); ++i, digits = true)
    value = value * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    long double scale = 0.1L;
    for (++i; i < text.size() && is_digit(text[i]); ++i, digits = true, scale /= 10) {
      value += (text[i] - '0') * scale;
    }
  }
  if (!digits) return std::nullopt;
  text.remove_prefix(i);
  return value;
}

// Reads the unit letters at the front of `text` (everything up to the next digit or dot).
std::string_view take_unit(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && !is_digit(text[i]) && text[i] != '.') ++i;
  std::string_view unit = text.substr(0, i);
  text.remove_prefix(i);
  return unit;
}

const Unit* find_unit(std::string_view suffix) {
  for (const Unit& unit : kUnits) {
    if (unit.suffix == suffix) return &unit;
  }
  return nullptr;
}

// Parses the parts after the plain-number case is excluded; returns total nanoseconds.
std::optional<long double> parse_parts(std::string_view text, std::string* error) {
  const std::string original(text);
  long double total = 0;
  while (!text.empty()) {
    std::optional<long double> number = take_number(text);
    if (!number) {
      set_error(error, "invalid duration '" + original + "' (use e.g. 250ms, 30s, 5m or 1h30m)");
      return std::nullopt;
    }
    std::string_view suffix = take_unit(text);
    if (suffix.empty()) {
      set_error(error, "missing unit in duration '" + original + "' (use ms, s, m, h or d)");
      return std::nullopt;
    }
    const Unit* unit = find_unit(suffix);
    if (!unit) {
      set_error(error, "unknown unit '" + std::string(suffix) + "' in duration '" + original +
                           "' (use ns, us, ms, s, m, h or d)");
      return std::nullopt;
    }
    total += *number * static_cast<long double>(unit->nanos);
  }
  return total;
}

// "1.500" -> "1.5"; "2.000" -> "2". `frac` has `digits` decimal places.
std::string decimal(std::int64_t whole, std::int64_t frac, int digits) {
  std::string out = std::to_string(whole);
  if (frac == 0) return out;
  std::string tail = std::to_string(frac);
  tail.insert(0, static_cast<std::size_t>(digits) - tail.size(), '0');
  while (!tail.empty() && tail.back() == '0') tail.pop_back();
  return out + "." + tail;
}

// Formats `nanos` in one unit with as many decimals as the unit's size needs to stay exact.
std::string in_unit(std::int64_t nanos, std::int64_t unit_nanos, int digits,
                    std::string_view unit) {
  return decimal(nanos / unit_nanos, nanos % unit_nanos, digits) + std::string(unit);
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text, std::string* error) {
  text = trim(text);
  if (text.empty()) {
    set_error(error, "empty duration");
    return std::nullopt;
  }
  if (text.front() == '-') {
    set_error(error, "duration must not be negative");
    return std::nullopt;
  }
  std::string_view rest = text;
  std::optional<long double> nanos;
  if (std::optional<long double> plain = take_number(rest); plain && rest.empty()) {
    nanos = *plain * kSecond;  // a bare number means seconds
  } else {
    nanos = parse_parts(text, error);
  }
  if (!nanos) return std::nullopt;
  if (*nanos >= static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
    set_error(error, "duration '" + std::string(text) + "' is too large");
    return std::nullopt;
  }
  return Duration(std::llround(*nanos));
}

std::string format_duration(Duration duration) {
  std::int64_t nanos = duration.count();
  if (nanos < 0) {
    if (nanos == std::numeric_limits<std::int64_t>::min()) ++nanos;  // keep -nanos defined
    return "-" + format_duration(Duration(-nanos));
  }
  if (nanos == 0) return "0s";
  if (nanos < kMicro) return std::to_string(nanos) + "ns";
  if (nanos < kMilli) return in_unit(nanos, kMicro, 3, "us");
  if (nanos < kSecond) return in_unit(nanos, kMilli, 6, "ms");
  if (nanos < kMinute) return in_unit(nanos, kSecond, 9, "s");
  std::string out;
  for (const auto& [unit_nanos, suffix] : {std::pair{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}}) {
    if (nanos >= unit_nanos) out += std::to_string(nanos / unit_nanos) + suffix;
    nanos %= unit_nanos;
  }
  if (nanos > 0) out += in_unit(nanos, kSecond, 9, "s");
  return out;
}

}  // namespace stampede
