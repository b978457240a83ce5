#include "cli/result_handover.h"

#include <algorithm>
#include <csignal>

namespace stampede {
namespace {

// How often serve() looks for a signal while it waits for the fetch.
constexpr auto kSignalPoll = std::chrono::milliseconds(100);

}  // namespace

ResultHandover::ResultHandover(Duration linger) : linger_(linger), signals_(io_, SIGINT, SIGTERM) {
  await_signal();
}

void ResultHandover::await_signal() {
  // Delivered while the engine runs too; the handler runs at the next poll in serve(). Every
  // signal re-arms the wait, so none is left to the default action (which would kill the agent
  // before the handover).
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (!signalled_at_) signalled_at_ = std::chrono::steady_clock::now();
    ++signals_seen_;
    await_signal();
  });
}

std::chrono::steady_clock::time_point ResultHandover::deadline() const {
  // A second signal (someone pressing Ctrl-C again) means: exit now.
  if (signals_seen_ > 1) return since_;
  auto until = since_ + linger_;
  if (signalled_at_) until = std::min(until, *signalled_at_ + kSignalHandover);
  return until;
}

bool ResultHandover::serve(ControlState& control) {
  since_ = std::chrono::steady_clock::now();
  for (;;) {
    io_.poll();
    const auto left = deadline() - std::chrono::steady_clock::now();
    if (left <= Duration::zero()) return false;
    if (control.wait_until_fetched(std::min<Duration>(left, kSignalPoll))) return true;
  }
}

}  // namespace stampede
