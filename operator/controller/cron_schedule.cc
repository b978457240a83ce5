#include "controller/cron_schedule.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace stampede::op {
namespace {

struct Field {
  const char* name;
  unsigned min;
  unsigned max;
  std::vector<std::string_view> names;  // names[i] stands for min + i
};

const Field kMinute{"minute", 0, 59, {}};
const Field kHour{"hour", 0, 23, {}};
const Field kDayOfMonth{"day of month", 1, 31, {}};
const Field kMonth{
    "month",
    1,
    12,
    {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}};
// 7 is Sunday too; folded into 0 after parsing.
const Field kDayOfWeek{"day of week", 0, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kDescriptors = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

// A number or, where the field has them, a name; nullopt when it is neither or out of range.
std::optional<unsigned> value_of(std::string_view text, const Field& field, std::string* error) {
  for (std::size_t i = 0; i < field.names.size(); ++i) {
    if (equal_ignoring_case(text, field.names[i])) return field.min + static_cast<unsigned>(i);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    *error = std::string(field.name) + ": \"" + std::string(text) + "\" is not a number" +
             (field.names.empty() ? "" : " or a name");
    return std::nullopt;
  }
  if (value < field.min || value > field.max) {
    *error = std::string(field.name) + ": " + std::to_string(value) + " is out of range " +
             std::to_string(field.min) + "-" + std::to_string(field.max);
    return std::nullopt;
  }
  return value;
}

// One field into `bits` (indexed by value); *any is set when it starts with * or ? without a
// step. false and *error when it does not parse.
template <std::size_t N>
bool parse_field(std::string_view text, const Field& field, std::bitset<N>& bits, bool* any,
                 std::string* error) {
  for (const std::string_view item : split(text, ',')) {
    const std::vector<std::string_view> range_step = split(item, '/');
    if (range_step.size() > 2) {
      *error = std::string(field.name) + ": \"" + std::string(item) + "\" has two steps";
      return false;
    }
    const std::string_view range = range_step[0];
    unsigned first = field.min, last = field.max, step = 1;
    const bool star = range == "*" || range == "?";
    if (!star) {
      const std::vector<std::string_view> bounds = split(range, '-');
      if (bounds.size() > 2) {
        *error = std::string(field.name) + ": \"" + std::string(range) + "\" is not a range";
        return false;
      }
      const auto low = value_of(bounds[0], field, error);
      if (!low) return false;
      first = *low;
      last = first;
      if (bounds.size() == 2) {
        const auto high = value_of(bounds[1], field, error);
        if (!high) return false;
        last = *high;
      } else if (range_step.size() == 2) {
        last = field.max;  // N/STEP: from N to the end
      }
      if (first > last) {
        *error = std::string(field.name) + ": the range \"" + std::string(range) +
                 "\" ends before it starts";
        return false;
      }
    }
    if (range_step.size() == 2) {
      const auto [end, ec] =
          std::from_chars(range_step[1].data(), range_step[1].data() + range_step[1].size(), step);
      if (range_step[1].empty() || ec != std::errc() ||
          end != range_step[1].data() + range_step[1].size() || step == 0) {
        *error = std::string(field.name) + ": the step \"" + std::string(range_step[1]) +
                 "\" is not a whole number of at least 1";
        return false;
      }
    }
    if (star && step == 1 && any != nullptr) *any = true;
    for (unsigned v = first; v <= last; v += step) bits.set(v);
  }
  return true;
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(std::string_view expression,
                                                std::string_view time_zone, std::string* error) {
  std::vector<std::string_view> fields = words(expression);
  for (const auto& [descriptor, standing_for] : kDescriptors) {
    if (fields.size() == 1 && equal_ignoring_case(fields[0], descriptor)) {
      fields = words(standing_for);
      break;
    }
  }
  if (fields.size() != 5) {
    *error = fields.size() == 1 && !fields[0].empty() && fields[0][0] == '@'
                 ? "\"" + std::string(fields[0]) +
                       "\" is not one of @yearly, @annually, @monthly, @weekly, @daily, "
                       "@midnight, @hourly"
                 : "expected five fields (minute hour day-of-month month day-of-week), got " +
                       std::to_string(fields.size());
    return std::nullopt;
  }
  CronSchedule s;
  std::bitset<8> weekdays;
  if (!parse_field(fields[0], kMinute, s.minutes_, nullptr, error) ||
      !parse_field(fields[1], kHour, s.hours_, nullptr, error) ||
      !parse_field(fields[2], kDayOfMonth, s.days_, &s.any_day_, error) ||
      !parse_field(fields[3], kMonth, s.months_, nullptr, error) ||
      !parse_field(fields[4], kDayOfWeek, weekdays, &s.any_weekday_, error)) {
    return std::nullopt;
  }
  for (unsigned d = 0; d < 7; ++d) s.weekdays_[d] = weekdays[d];
  if (weekdays[7]) s.weekdays_.set(0);
  try {
    s.zone_ = date::locate_zone(time_zone.empty() ? "UTC" : std::string(time_zone));
  } catch (const std::exception&) {
    *error = "time zone: \"" + std::string(time_zone) + "\" is not a known IANA time zone";
    return std::nullopt;
  }
  return s;
}

bool CronSchedule::day_matches(unsigned day_of_month, unsigned weekday) const {
  const bool day = days_[day_of_month];
  const bool wday = weekdays_[weekday];
  return any_day_ || any_weekday_ ? day && wday : day || wday;
}

std::optional<CronSchedule::TimePoint> CronSchedule::next(TimePoint after) const {
  using std::chrono::floor;
  using std::chrono::hours;
  using std::chrono::minutes;
  const date::sys_time<minutes> after_minute = floor<minutes>(after);
  // Walked in local time, a field at a time: a month, a day or an hour that cannot match is
  // skipped whole.
  date::local_time<minutes> t = floor<minutes>(zone_->to_local(after_minute)) + minutes(1);
  const date::local_time<minutes> limit = t + date::days(5 * 366);
  while (t < limit) {
    const date::local_days day = floor<date::days>(t);
    const date::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      const date::year_month next_month = ymd.year() / ymd.month() + date::months(1);
      t = date::local_days{next_month / 1};
      continue;
    }
    if (!day_matches(static_cast<unsigned>(ymd.day()), date::weekday{day}.c_encoding())) {
      t = day + date::days(1);
      continue;
    }
    const auto of_day = t - day;
    const auto hour = static_cast<unsigned>(floor<hours>(of_day).count());
    if (!hours_[hour]) {
      t = day + hours(hour + 1);
      continue;
    }
    const auto minute = static_cast<unsigned>((of_day - hours(hour)).count());
    if (!minutes_[minute]) {
      t += minutes(1);
      continue;
    }
    const date::local_info info = zone_->get_info(date::local_seconds{t});
    if (info.result != date::local_info::nonexistent) {
      // Unique, or the first of two (clocks going back): the earlier offset.
      const date::sys_seconds at{(t - info.first.offset).time_since_epoch()};
      if (at > after_minute) return TimePoint{at};
    }
    t += minutes(1);
  }
  return std::nullopt;
}

}  // namespace stampede::op
