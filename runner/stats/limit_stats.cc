#include "stats/limit_stats.h"

#include <algorithm>
#include <exception>

#include "stats/json_count.h"

namespace stampede {
void LimitStats::merge(const LimitStats& other) {
  adaptive = adaptive || other.adaptive;
  per_user = per_user || other.per_user;
  // A per-user rate is every user's, on whichever runner: runners do not add it up.
  if (!per_user) configured_rate += other.configured_rate;
  rate += other.rate;
  lowest_rate += other.lowest_rate;
  requests += other.requests;
  delayed += other.delayed;
  skipped += other.skipped;
  delay_seconds += other.delay_seconds;
  // Runners are throttled side by side, not one after the other.
  throttled_seconds = std::max(throttled_seconds, other.throttled_seconds);
  signals += other.signals;
  decreases += other.decreases;
  pauses += other.pauses;
}

nlohmann::json LimitStats::to_json() const {
  nlohmann::json j = {{"selector", selector},
                      {"adaptive", adaptive},
                      {"configuredRate", configured_rate},
                      {"requests", requests},
                      {"delayed", delayed},
                      {"skipped", skipped},
                      {"delaySeconds", delay_seconds},
                      {"throttledSeconds", throttled_seconds}};
  if (per_user) j["perUser"] = true;
  if (adaptive) {
    j["rate"] = rate;
    j["lowestRate"] = lowest_rate;
    j["signals"] = signals;
    j["decreases"] = decreases;
    j["pauses"] = pauses;
  }
  return j;
}

std::optional<LimitStats> LimitStats::from_json(const nlohmann::json& j, std::string* error) {
  try {
    LimitStats s;
    s.selector = j.at("selector").get<std::string>();
    s.adaptive = j.value("adaptive", false);
    s.per_user = j.value("perUser", false);
    s.configured_rate = json_non_negative(j, "configuredRate");
    s.rate = json_non_negative(j, "rate");
    s.lowest_rate = json_non_negative(j, "lowestRate");
    s.requests = json_count(j.at("requests"));
    s.delayed = json_count(j.at("delayed"));
    s.skipped = json_count(j.value("skipped", nlohmann::json(0)));
    s.delay_seconds = json_non_negative(j, "delaySeconds");
    s.throttled_seconds = json_non_negative(j, "throttledSeconds");
    s.signals = json_count(j.value("signals", nlohmann::json(0)));
    s.decreases = json_count(j.value("decreases", nlohmann::json(0)));
    s.pauses = json_count(j.value("pauses", nlohmann::json(0)));
    return s;
  } catch (const std::exception& e) {
    *error = std::string("limits: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace stampede
