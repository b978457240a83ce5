#include "cli/signal_watch.h"

#include <csignal>

namespace stampede {

SignalWatch::SignalWatch() : signals_(io_, SIGINT, SIGTERM) {
  await();
}

void SignalWatch::await() {
  // Re-armed after every signal, so that none is ever left to the default action.
  signals_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (!first_seen_) first_seen_ = std::chrono::steady_clock::now();
    ++count_;
    await();
  });
}

void SignalWatch::poll() {
  io_.poll();
}

void hold_signals_until_exit() {
  // Never destroyed, on purpose (see the header); creating it twice would change nothing.
  static SignalWatch* const kHeld = new SignalWatch();
  (void)kHeld;
}

}  // namespace stampede
