#include "controller/replacements.h"

#include <algorithm>

#include "base/rfc3339.h"
#include "controller/conditions.h"
#include "controller/names.h"

namespace stampede::op {
namespace {

nlohmann::json& replacements(nlohmann::json& status) {
  if (!status.contains("runners") || !status["runners"].is_object()) {
    status["runners"] = nlohmann::json::object();
  }
  nlohmann::json& list = status["runners"]["replacements"];
  if (!list.is_array()) list = nlohmann::json::array();
  return list;
}

const nlohmann::json* replacements_if_any(const nlohmann::json& status) {
  if (!status.contains("runners") || !status["runners"].is_object()) return nullptr;
  const nlohmann::json& runners = status["runners"];
  if (!runners.contains("replacements") || !runners["replacements"].is_array()) return nullptr;
  return &runners["replacements"];
}

}  // namespace

const RunnerObservation* current_runner(const Observed& o, std::uint32_t index) {
  const RunnerObservation* current = nullptr;
  for (const auto& r : o.runners) {
    if (r.index == index && (current == nullptr || r.attempt > current->attempt)) current = &r;
  }
  return current;
}

std::uint32_t replacements_of(const nlohmann::json& status, std::uint32_t index) {
  const nlohmann::json* list = replacements_if_any(status);
  if (list == nullptr) return 0;
  return static_cast<std::uint32_t>(std::count_if(
      list->begin(), list->end(),
      [&](const nlohmann::json& e) { return e.value("index", UINT32_MAX) == index; }));
}

RunnerLoss loss_of(const RunnerObservation& r) {
  const bool finished = r.status && r.status->value("state", "") == "finished";
  if (r.deleting) {
    // Stopped by SIGTERM, the runner ends its load within seconds and serves its result.
    if (r.status && !finished && !r.terminated) return RunnerLoss::kStopping;
    return RunnerLoss::kLost;
  }
  if (finished) return RunnerLoss::kNone;
  if (r.terminated || r.phase == "Failed" || r.phase == "Succeeded") return RunnerLoss::kLost;
  return RunnerLoss::kNone;
}

bool replace_runner(Decision& d, const Observed& o, std::uint32_t index, std::uint32_t attempt,
                    const std::string& pod, const std::string& why, std::uint32_t count) {
  if (!o.lt.runners.replace_on_failure || attempt >= o.lt.runners.max_replacements) return false;
  const std::string now = format_rfc3339(o.now);
  replacements(d.status).push_back({{"index", index},
                                    {"attempt", attempt},
                                    {"pod", pod},
                                    {"reason", why},
                                    {"lostAt", now},
                                    {"source", "None"},
                                    {"dataSeconds", 0.0}});
  d.actions.push_back({Action::Kind::kKeepRunnerResult, index, count, {}, attempt});
  d.actions.push_back({Action::Kind::kCreatePod, index, count, {}, attempt + 1});
  const std::string successor = runner_pod_name(o.lt.name, o.lt.run(), index, attempt + 1);
  const std::string message = pod + " lost (" + why + "): " + successor +
                              " takes over its segment; what it measured is kept";
  set_condition(d.status, kDegraded, true, "RunnerReplaced", message, now);
  d.events.push_back({"Warning", "RunnerReplaced", message});
  return true;
}

const nlohmann::json* replacement_entry(const nlohmann::json& status, std::uint32_t index,
                                        std::uint32_t attempt) {
  const nlohmann::json* list = replacements_if_any(status);
  if (list == nullptr) return nullptr;
  for (const auto& e : *list) {
    if (e.value("index", UINT32_MAX) == index && e.value("attempt", UINT32_MAX) == attempt) {
      return &e;
    }
  }
  return nullptr;
}

nlohmann::json* replacement_entry(nlohmann::json& status, std::uint32_t index,
                                  std::uint32_t attempt) {
  // The entry found by the const overload, in the same document.
  return const_cast<nlohmann::json*>(
      replacement_entry(static_cast<const nlohmann::json&>(status), index, attempt));
}

void note_resumptions(nlohmann::json& status, const Observed& o) {
  if (replacements_if_any(status) == nullptr) return;
  for (auto& e : replacements(status)) {
    if (e.contains("resumedAtSeconds")) continue;
    const auto index = e.value("index", 0u);
    const RunnerObservation* next = current_runner(o, index);
    if (next == nullptr || next->attempt != e.value("attempt", 0u) + 1 || !next->status) continue;
    const std::string state = next->status->value("state", "");
    if (state != "running" && state != "stopping" && state != "finished") continue;
    // A runner that joined late began started_late_seconds after the test's startTime.
    const double resumed = next->status->value("started_late_seconds", 0.0);
    e["resumedAtSeconds"] = resumed;
    e["gapSeconds"] = std::max(0.0, resumed - e.value("dataSeconds", 0.0));
  }
}

std::uint32_t desired_runners_of(const Observed& o) {
  const nlohmann::json& s = o.lt.status;
  if (!s.contains("runners") || !s["runners"].is_object()) return 0;
  return s["runners"].value("desired", 0u);
}

std::vector<std::string> kept_results(const nlohmann::json& status) {
  std::vector<std::string> names;
  const nlohmann::json* list = replacements_if_any(status);
  if (list == nullptr) return names;
  for (const auto& e : *list) {
    const std::string name = e.value("resultConfigMap", "");
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

bool note_degraded_result(nlohmann::json& status) {
  const nlohmann::json* list = replacements_if_any(status);
  if (list == nullptr || list->empty() || !status.contains("results")) return false;
  double gap = 0;
  for (const auto& e : *list) gap += e.value("gapSeconds", 0.0);
  status["results"]["degraded"] = true;
  status["results"]["gapSeconds"] = gap;
  return true;
}

}  // namespace stampede::op
