#include "controller/conditions.h"

namespace stampede::op {

void set_condition(nlohmann::json& status, const std::string& type, bool value,
                   const std::string& reason, const std::string& message, std::int64_t generation,
                   const std::string& now) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    status["conditions"] = nlohmann::json::array();
  }
  const std::string text = value ? "True" : "False";
  nlohmann::json entry = {{"type", type},
                          {"status", text},
                          {"reason", reason},
                          {"message", message},
                          {"observedGeneration", generation},
                          {"lastTransitionTime", now}};
  for (auto& c : status["conditions"]) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") == text)
      entry["lastTransitionTime"] = c.value("lastTransitionTime", now);
    c = entry;
    return;
  }
  status["conditions"].push_back(entry);
}

std::string condition_status(const nlohmann::json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return "";
  for (const auto& c : status["conditions"]) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

}  // namespace stampede::op
