#pragma once
// What a closed model's `load.adaptive` did (docs/rate-limits.md): how many users the target's
// overload signals let run, how often they cut the count and how long fewer users ran than
// planned. Each runner runs its share of the users; runners' entries add up.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stampede {

struct AdaptiveUsersStats {
  double planned_users = 0;  // what the load asked for at the end (the stages' users then)
  double users = 0;          // the ceiling the signals left at the end (= planned when none)
  // The lowest the running users were cut to (0: never cut). A runner's is its threads' users
  // added up right after a cut (AdaptiveUsersTotal); merged runners add theirs up.
  double lowest_users = 0;
  std::uint64_t signals = 0;     // overload responses: a listed status or a slow answer
  std::uint64_t decreases = 0;   // times the user count was cut
  double throttled_seconds = 0;  // time with fewer users than planned: the longest of any runner

  void merge(const AdaptiveUsersStats& other);
  nlohmann::json to_json() const;
  // nullopt + *error when the document is malformed (a runner's result read back).
  static std::optional<AdaptiveUsersStats> from_json(const nlohmann::json& j, std::string* error);
};

}  // namespace stampede
