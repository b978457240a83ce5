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

void set_health_conditions(nlohmann::json& status, std::int64_t generation,
                           const std::string& now) {
  const std::string phase = status.value("phase", "");
  const std::string reason = status.value("reason", "");
  const std::string message = status.value("message", "");
  const bool passed = phase == "Succeeded";
  const bool failed = phase == "Failed";
  const std::string in_progress = phase.empty() ? "Pending" : phase;
  const std::string progress_message = "the test is " + in_progress;
  set_condition(status, kReconciling, !passed && !failed, in_progress,
                passed || failed ? message : progress_message, generation, now);
  set_condition(status, kReady, passed,
                passed   ? "Passed"
                : failed ? reason
                         : in_progress,
                passed || failed ? message : progress_message, generation, now);
  set_condition(status, kStalled, failed, failed ? reason : in_progress,
                failed ? message : "the test has not failed", generation, now);
}

std::string condition_status(const nlohmann::json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return "";
  for (const auto& c : status["conditions"]) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

}  // namespace stampede::op
