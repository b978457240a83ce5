#pragma once
// Takes SIGINT and SIGTERM away from their default action (ending the process) for as long as
// it lives, and remembers them. The engine handles the signals of a run with its own signal_set,
// which receives them too; this watch covers the moments around the run, when a second Ctrl-C
// used to kill the process while the summary and the result were being written.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <optional>

namespace stampede {

class SignalWatch {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // Takes note of the signals received so far (their handlers run here, on the caller's thread).
  void poll();
  int count() const { return count_; }
  // When poll() first saw a signal.
  std::optional<TimePoint> first_seen() const { return first_seen_; }

 private:
  void await();

  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  int count_ = 0;
  std::optional<TimePoint> first_seen_;
};

// SIGINT and SIGTERM never get their default action again in this process: from the start of a
// run to the exit, a signal after the load has ended must not kill the process before the result
// is written, nor turn the exit code into "killed by a signal" while it shuts down. (A
// SignalWatch that is destroyed hands the signals back to the default action for the last
// moments of the process.)
void hold_signals_until_exit();

}  // namespace stampede
