#include "engine/load_change.h"

#include <cmath>

#include "plan/limits.h"

namespace stampede {
namespace {

// "spawnRate must be a finite number from 0 to 1000000 (users per second; 0: all at once)".
std::optional<std::string> range_error(const char* field, double value, double max,
                                       const char* unit) {
  if (std::isfinite(value) && value >= 0 && value <= max) return std::nullopt;
  return std::string(field) + " must be a finite number from 0 to " +
         std::to_string(static_cast<std::int64_t>(max)) + " (" + unit + ")";
}

}  // namespace

std::optional<std::string> load_change_error(const LoadChange& change) {
  if (change.users && change.rate) {
    return "give either users (closed model) or rate (open model), not both";
  }
  if (!change.users && !change.rate) {
    return change.spawn_rate ? "spawnRate goes with users: give users too"
                             : "give users (closed model) or rate (open model)";
  }
  if (change.rate && change.spawn_rate) return "spawnRate goes with users, not with rate";
  if (change.users && *change.users > limits::kMaxUsers) {
    return "users must be a whole number from 0 to " + std::to_string(limits::kMaxUsers);
  }
  if (change.spawn_rate) {
    if (auto why = range_error("spawnRate", *change.spawn_rate, limits::kMaxSpawnRate,
                               "users per second; 0: all at once")) {
      return why;
    }
  }
  if (change.rate)
    return range_error("rate", *change.rate, limits::kMaxRate, "iterations per second");
  return std::nullopt;
}

}  // namespace stampede
