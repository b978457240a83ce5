#include "controller/observed.h"

#include <charconv>

#include "base/text.h"
#include "controller/names.h"

namespace stampede::op {
namespace {

// Keeps a status message readable: the end of a container's termination message (its log's last
// lines, with FallbackToLogsOnError), on one line.
constexpr std::size_t kMaxTerminationMessage = 400;

std::string one_line_tail(const std::string& text) {
  std::string joined;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find_first_of("\r\n", begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = trim(std::string_view(text).substr(begin, end - begin));
    if (!line.empty()) {
      if (!joined.empty()) joined += "; ";
      joined += line;
    }
    begin = end + 1;
  }
  if (joined.size() <= kMaxTerminationMessage) return joined;
  // Cut at a character's first byte: the status must stay valid UTF-8.
  std::size_t cut = joined.size() - kMaxTerminationMessage;
  while (cut < joined.size() && (static_cast<unsigned char>(joined[cut]) & 0xC0) == 0x80) ++cut;
  return "..." + joined.substr(cut);
}

// The first reason a container is stuck or died: what a user should read in the status.
void container_problem(const nlohmann::json& statuses, RunnerObservation& o) {
  if (!statuses.is_array()) return;
  for (const auto& c : statuses) {
    const nlohmann::json state = c.value("state", nlohmann::json::object());
    if (state.contains("waiting")) {
      const std::string reason = state["waiting"].value("reason", "");
      if (!reason.empty() && reason != "ContainerCreating" && reason != "PodInitializing") {
        o.problem = reason + ": " + state["waiting"].value("message", "");
      }
    }
    if (state.contains("terminated")) {
      o.terminated = true;
      o.exit_code = state["terminated"].value("exitCode", 0);
      const std::string reason = state["terminated"].value("reason", "");
      if (o.exit_code != 0 && o.exit_code != 99) {
        o.problem =
            (reason.empty() ? "Error" : reason) + ": exit code " + std::to_string(o.exit_code);
        const std::string said = one_line_tail(state["terminated"].value("message", ""));
        if (!said.empty()) o.problem += ": " + said;
      }
    }
  }
}

// A label holding a number ("3"); 0 when absent or not a number.
std::uint32_t label_number(const nlohmann::json& labels, const char* key) {
  const nlohmann::json value =
      labels.is_object() ? labels.value(key, nlohmann::json()) : nlohmann::json();
  if (!value.is_string()) return 0;
  std::uint32_t n = 0;
  const std::string& text = value.get_ref<const std::string&>();
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  return error == std::errc() && end == text.data() + text.size() ? n : 0;
}

}  // namespace

RunnerObservation observe_pod(const nlohmann::json& pod) {
  RunnerObservation o;
  o.pod_exists = true;
  const nlohmann::json meta = pod.value("metadata", nlohmann::json::object());
  o.pod_name = meta.value("name", "");
  const nlohmann::json labels = meta.value("labels", nlohmann::json::object());
  o.index = label_number(labels, kRunnerIndexLabel);
  o.run = label_number(labels, kRunLabel);
  o.attempt = label_number(labels, kAttemptLabel);
  o.deleting = meta.contains("deletionTimestamp");
  const nlohmann::json status = pod.value("status", nlohmann::json::object());
  o.phase = status.value("phase", "Pending");
  o.pod_ip = status.value("podIP", "");
  for (const auto& c : status.value("conditions", nlohmann::json::array())) {
    const std::string type = c.value("type", "");
    if (type == "Ready") o.ready = c.value("status", "") == "True";
    if (type == "PodScheduled" && c.value("status", "") == "False") {
      o.problem = c.value("reason", "Unschedulable") + ": " + c.value("message", "");
    }
  }
  container_problem(status.value("containerStatuses", nlohmann::json::array()), o);
  if (o.phase == "Failed" && o.problem.empty()) {
    o.problem = status.value("reason", "Failed") + ": " + status.value("message", "");
  }
  return o;
}

void observe_plan(Observed& o) {
  o.plan_errors.clear();
  o.plan = plan_of(o.lt, &o.plan_errors);
}

std::string plan_errors_text(const Observed& o) {
  std::string message;
  for (const auto& e : o.plan_errors) message += (message.empty() ? "" : "; ") + e.format("spec");
  return message.empty() ? "the plan does not parse" : message;
}

}  // namespace stampede::op
