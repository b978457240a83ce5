#pragma once
// The phases of a runner, as /v1/status and stampede_test_state report them.

#include <array>
#include <string_view>

namespace stampede {

// kScheduled: started with a startAt still in the future; no load is sent before it.
enum class RunState { kWaiting, kScheduled, kRunning, kStopping, kFinished };

inline constexpr std::array<RunState, 5> kRunStates = {RunState::kWaiting, RunState::kScheduled,
                                                       RunState::kRunning, RunState::kStopping,
                                                       RunState::kFinished};

constexpr std::string_view to_string(RunState s) {
  switch (s) {
    case RunState::kWaiting:
      return "waiting";
    case RunState::kScheduled:
      return "scheduled";
    case RunState::kRunning:
      return "running";
    case RunState::kStopping:
      return "stopping";
    case RunState::kFinished:
      return "finished";
  }
  return "unknown";
}

}  // namespace stampede
