#include "report/progress.h"

#include <fmt/format.h>

#include "report/format.h"

namespace stampede {
namespace {

constexpr double kLogEverySeconds = 10;

// "3.00s / 10.00s" while the load runs; past the planned end the graceful stop is shown as
// such ("10.00s / 10.00s  stopping +1.00s"), never as more time than planned.
std::string clock_text(const Snapshot& s) {
  const double over = s.elapsed_seconds - s.planned_seconds;
  if (over <= 0) {
    return fmt::format("{:>7} / {}", human_seconds(s.elapsed_seconds),
                       human_seconds(s.planned_seconds));
  }
  return fmt::format("{:>7} / {}  stopping +{}", human_seconds(s.planned_seconds),
                     human_seconds(s.planned_seconds), human_seconds(over));
}

// The closed model runs a number of users; the open model a rate, with iterations in flight.
std::string load_text(const Snapshot& s) {
  if (!s.open_model) return fmt::format("users {}", s.users);
  return fmt::format("rate {}/s  in flight {}", human_rate(s.target_rate), s.users);
}

std::string progress_text(const Snapshot& s) {
  const double failure_share =
      s.totals.requests ? static_cast<double>(s.totals.failures) / s.totals.requests : 0.0;
  return fmt::format("{}  {}  rps {}  requests {}  failures {} ({})  p95 {}", clock_text(s),
                     load_text(s), human_rate(static_cast<double>(s.last.requests)),
                     human_count(s.totals.requests), human_count(s.totals.failures),
                     human_percent(failure_share),
                     human_seconds(s.totals.latency.percentile_seconds(95)));
}

}  // namespace

Progress::Progress(std::FILE* out, bool interactive) : out_(out), interactive_(interactive) {}

void Progress::update(const Snapshot& s) {
  if (interactive_) {
    fmt::print(out_, "\r\x1b[2K{}", progress_text(s));
    line_open_ = true;
  } else if (last_logged_ < 0 || s.elapsed_seconds - last_logged_ >= kLogEverySeconds) {
    fmt::print(out_, "{}\n", progress_text(s));
    last_logged_ = s.elapsed_seconds;
  }
  std::fflush(out_);
}

void Progress::finish() {
  if (line_open_) fmt::print(out_, "\r\x1b[2K");
  line_open_ = false;
  std::fflush(out_);
}

}  // namespace stampede
