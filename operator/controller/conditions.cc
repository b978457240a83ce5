#include "controller/conditions.h"

namespace stampede::op {

namespace {

std::int64_t number(const nlohmann::json& status, const char* key) {
  if (!status.contains(key) || !status[key].is_number_integer()) return 0;
  return status[key].get<std::int64_t>();
}

}  // namespace

void set_condition(nlohmann::json& status, const std::string& type, bool value,
                   const std::string& reason, const std::string& message, const std::string& now) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) {
    status["conditions"] = nlohmann::json::array();
  }
  const std::int64_t generation = status.contains("runGeneration")
                                      ? number(status, "runGeneration")
                                      : number(status, "observedGeneration");
  const std::int64_t run = number(status, "run");
  const std::string text = value ? "True" : "False";
  nlohmann::json entry = {
      {"type", type},
      {"status", text},
      {"reason", reason},
      {"message", run > 0 ? "run " + std::to_string(run) + ": " + message : message},
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

void set_health_conditions(nlohmann::json& status, const std::string& now) {
  const std::string phase = status.value("phase", "");
  if (phase.empty()) {
    const std::string next = status.value("nextScheduleTime", "");
    const std::string why = next.empty() ? "not run yet" : "not run yet, next run at " + next;
    set_condition(status, kReconciling, false, "Scheduled", why, now);
    set_condition(status, kReady, true, "Scheduled", why, now);
    set_condition(status, kStalled, false, "Scheduled", why, now);
    return;
  }
  const std::string reason = status.value("reason", "");
  const std::string message = status.value("message", "");
  const bool passed = phase == "Succeeded";
  const bool failed = phase == "Failed";
  if (passed || failed) status["lastResult"] = status.value("result", passed ? "Passed" : "Failed");
  const std::string progress_message = "the test is " + phase;
  set_condition(status, kReconciling, !passed && !failed, phase,
                passed || failed ? message : progress_message, now);
  set_condition(status, kReady, passed,
                passed   ? "Passed"
                : failed ? reason
                         : phase,
                passed || failed ? message : progress_message, now);
  set_condition(status, kStalled, failed, failed ? reason : phase,
                failed ? message : "the test has not failed", now);
}

std::string condition_status(const nlohmann::json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return "";
  for (const auto& c : status["conditions"]) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "";
}

}  // namespace stampede::op
