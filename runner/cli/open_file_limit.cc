#include "cli/open_file_limit.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <variant>

#include "plan/load_peak.h"

namespace stampede {
namespace {

// The runner's own handles: event loops, the control server and its clients, result and
// log files.
constexpr std::uint64_t kRunnerHandles = 64;

}  // namespace

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

std::optional<std::string> open_file_warning(const LoadModel& load, std::uint32_t segments,
                                             std::uint64_t limit) {
  // An open model opens connections as arrivals need them; its maxInFlight is a ceiling that
  // is rarely reached, so only a closed model's users are a sure count.
  if (limit == 0 || !std::holds_alternative<ClosedModel>(load.model)) return std::nullopt;
  const std::uint64_t share = segments > 1 ? segments : 1;
  const std::uint64_t users = (peak_users(load) + share - 1) / share;
  if (users + kRunnerHandles <= limit) return std::nullopt;
  return fmt::format(
      "{} users need {} connections, but only {} files can be open (ulimit -n): the users "
      "without one fail with connect_error and wait up to 1s between attempts; raise the "
      "limit (ulimit -n, or the container runtime's nofile limit)",
      users, users, limit);
}

}  // namespace stampede
