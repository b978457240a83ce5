#include "control/phase_requests.h"

namespace stampede {

std::optional<PhaseRequests::Report> PhaseRequests::request(Phase phase, std::string* error) {
  const std::lock_guard lock(mutex_);
  Slot& s = slot(phase);
  // Once asked for, it answers with its state even when no longer allowed (a retry after the
  // start still learns the setup's values).
  if (!s.requested && !s.allowed) {
    *error = s.why_not;
    return std::nullopt;
  }
  s.requested = true;
  if (s.state == State::kIdle) s.state = State::kRunning;
  return Report{s.state, s.body};
}

bool PhaseRequests::offer_start(const StartPhases& start, std::string* error) {
  const std::lock_guard lock(mutex_);
  if (setup_values_required_ && !start.setup_values) {
    *error =
        "this runner needs the setup's values: POST /v1/setup on runner 0, then pass its values "
        "as setupValues";
    return false;
  }
  start_ = start;
  return true;
}

void PhaseRequests::allow(Phase phase, bool allowed, std::string why_not) {
  const std::lock_guard lock(mutex_);
  Slot& s = slot(phase);
  s.allowed = allowed;
  s.why_not = std::move(why_not);
}

void PhaseRequests::require_setup_values(bool required) {
  const std::lock_guard lock(mutex_);
  setup_values_required_ = required;
}

void PhaseRequests::preset(Phase phase, nlohmann::json body) {
  const std::lock_guard lock(mutex_);
  Slot& s = slot(phase);
  s.requested = true;
  s.state = State::kDone;
  body["state"] = "done";
  s.body = std::move(body);
}

bool PhaseRequests::take(Phase phase) {
  const std::lock_guard lock(mutex_);
  Slot& s = slot(phase);
  if (!s.requested || s.state != State::kRunning || s.taken) return false;
  s.taken = true;  // running on the main thread now; finish() brings its outcome
  return true;
}

void PhaseRequests::finish(Phase phase, bool ok, nlohmann::json body) {
  const std::lock_guard lock(mutex_);
  Slot& s = slot(phase);
  s.state = ok ? State::kDone : State::kFailed;
  body["state"] = ok ? "done" : "failed";
  s.body = std::move(body);
}

StartPhases PhaseRequests::start_phases() const {
  const std::lock_guard lock(mutex_);
  return start_;
}

}  // namespace stampede
