#include "stats/adaptive_users_stats.h"

#include <algorithm>
#include <exception>

#include "stats/json_count.h"

namespace stampede {

void AdaptiveUsersStats::merge(const AdaptiveUsersStats& other) {
  planned_users += other.planned_users;
  users += other.users;
  lowest_users += other.lowest_users;
  signals += other.signals;
  decreases += other.decreases;
  // Runners are throttled side by side, not one after the other.
  throttled_seconds = std::max(throttled_seconds, other.throttled_seconds);
}

nlohmann::json AdaptiveUsersStats::to_json() const {
  return {{"plannedUsers", planned_users}, {"users", users},
          {"lowestUsers", lowest_users},   {"signals", signals},
          {"decreases", decreases},        {"throttledSeconds", throttled_seconds}};
}

std::optional<AdaptiveUsersStats> AdaptiveUsersStats::from_json(const nlohmann::json& j,
                                                                std::string* error) {
  try {
    AdaptiveUsersStats s;
    s.planned_users = json_non_negative(j, "plannedUsers");
    s.users = json_non_negative(j, "users");
    s.lowest_users = json_non_negative(j, "lowestUsers");
    s.signals = json_count(j, "signals");
    s.decreases = json_count(j, "decreases");
    s.throttled_seconds = json_non_negative(j, "throttledSeconds");
    return s;
  } catch (const std::exception& e) {
    *error = std::string("adaptiveUsers: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
