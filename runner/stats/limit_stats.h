#pragma once
// What one `limits:` entry did in a run (docs/rate-limits.md): the requests it let through, the
// ones it held back and for how long, and, when adaptive, the rate it ended on and how often the
// target pushed it down. Each runner keeps its share of a limit; their entries add up.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stampede {

struct LimitStats {
  std::string selector;  // "http_reqs{scenario:groq}"
  bool adaptive = false;
  bool per_user = false;  // `per: user`: configured_rate is each user's
  // Requests per second, the runners' shares added. Fixed: the limit. Adaptive: the starting
  // rate (0: none, unlimited until the first signal).
  double configured_rate = 0;
  double rate = 0;             // adaptive: the rate at the end (0: no signal came, never limited)
  double lowest_rate = 0;      // adaptive: the lowest it was set to (0: never set)
  std::uint64_t requests = 0;  // that passed the limit (retries included)
  std::uint64_t delayed = 0;   // of which waited for it
  std::uint64_t skipped = 0;   // open-model requests not sent: the wait would pass maxDelay
  double delay_seconds = 0;    // their waits added up
  // The time during which a request was waiting for the limit: the longest of any runner.
  double throttled_seconds = 0;
  std::uint64_t signals = 0;    // adaptive: overload responses (a status or a slow answer)
  std::uint64_t decreases = 0;  // adaptive: times the rate was cut
  std::uint64_t pauses = 0;     // adaptive: Retry-After pauses honoured

  // Another runner's entry for the same selector.
  void merge(const LimitStats& other);
  nlohmann::json to_json() const;
  // nullopt + *error when the document is malformed (a runner's result read back).
  static std::optional<LimitStats> from_json(const nlohmann::json& j, std::string* error);
};

}  // namespace stampede
