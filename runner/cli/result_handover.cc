#include "cli/result_handover.h"

#include <algorithm>

namespace stampede {
namespace {

// How often serve() looks for a signal while it waits for the acknowledgement.
constexpr auto kSignalPoll = std::chrono::milliseconds(100);

}  // namespace

std::chrono::steady_clock::time_point ResultHandover::deadline() const {
  // A second signal (someone pressing Ctrl-C again) means: exit now.
  if (signals_.count() > 1) return since_;
  auto until = since_ + linger_;
  // A signal during the run is first seen at the first poll, when serving starts.
  if (const auto first = signals_.first_seen()) until = std::min(until, *first + kSignalHandover);
  return until;
}

bool ResultHandover::serve(ControlState& control, const std::function<void()>& each_poll) {
  since_ = std::chrono::steady_clock::now();
  for (;;) {
    signals_.poll();
    if (each_poll) each_poll();
    const auto left = deadline() - std::chrono::steady_clock::now();
    if (left <= Duration::zero()) return false;
    if (control.wait_until_acknowledged(std::min<Duration>(left, kSignalPoll))) return true;
  }
}

bool ResultHandover::await_final_scrape(ControlState& control) {
  const auto deadline = control.final_scrape_deadline();
  if (!deadline) return true;
  for (;;) {
    signals_.poll();
    if (signals_.count() > 0) return false;  // Kubernetes is ending the pod: no time to wait
    const auto left = *deadline - std::chrono::steady_clock::now();
    if (left <= Duration::zero()) return false;
    if (control.wait_for_final_scrape(std::min<Duration>(left, kSignalPoll))) return true;
  }
}

}  // namespace stampede
