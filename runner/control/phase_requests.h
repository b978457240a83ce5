#pragma once
// POST /v1/setup and POST /v1/teardown (docs/setup-teardown.md): in a cluster the operator asks
// runner 0 to run the plan's setup before the start and its teardown after the load, and passes
// the setup's values to every runner in /v1/start. The agent's main thread runs a phase (it
// polls here while it waits for the start or for the acknowledgement); the server thread answers
// with the phase's state. A phase runs once: asking again reports how it went.

#include <array>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stampede {

enum class Phase : unsigned char { kSetup, kTeardown };

// What /v1/start carries besides startAt when the operator drives the phases.
struct StartPhases {
  // The setup's values (runner 0's /v1/setup), for a runner that does not run the setup itself.
  std::optional<std::map<std::string, std::string>> setup_values;
  // The operator asks for the teardown (POST /v1/teardown) once every runner has finished: the
  // runner does not run it on its own after the load.
  bool teardown_by_operator = false;
};

class PhaseRequests {
 public:
  enum class State : unsigned char { kIdle, kRunning, kDone, kFailed };
  struct Report {
    State state = State::kIdle;
    // kDone and kFailed: {"state": "done"|"failed", ...what finish() gave}.
    nlohmann::json body;
  };

  // --- server thread ---
  // Asks for `phase` (the first call) and says where it is; nullopt + *error when it cannot
  // run now (the plan has none, or it is not the time).
  std::optional<Report> request(Phase phase, std::string* error);
  // A start call's phases, kept for the main thread. nullopt + *error when this runner needs the
  // setup's values and the call has none.
  bool offer_start(const StartPhases& start, std::string* error);

  // --- main thread ---
  // Whether `phase` may be asked for now, and why not.
  void allow(Phase phase, bool allowed, std::string why_not);
  // A runner of several must be given the setup's values at the start (it never runs the setup
  // itself: runner 0 does, on the operator's request).
  void require_setup_values(bool required);
  // The phase ran elsewhere: it answers as done with `body` (a replacement of runner 0 that
  // was given the setup's values) and is never run here.
  void preset(Phase phase, nlohmann::json body);
  // True once for a phase that was asked for: it is now running, and finish() must follow.
  bool take(Phase phase);
  void finish(Phase phase, bool ok, nlohmann::json body);
  // What the start call carried (taken once the start has come).
  StartPhases start_phases() const;

 private:
  struct Slot {
    bool allowed = false;
    std::string why_not = "not now";
    bool requested = false;
    bool taken = false;  // the main thread has begun running it
    State state = State::kIdle;
    nlohmann::json body;
  };
  Slot& slot(Phase phase) { return slots_[static_cast<std::size_t>(phase)]; }

  mutable std::mutex mutex_;
  std::array<Slot, 2> slots_;
  bool setup_values_required_ = false;
  StartPhases start_;
};

}  // namespace stampede
