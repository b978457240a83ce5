#pragma once
// How long a finished agent keeps serving its result. Normally until the operator acknowledges
// that it has stored it (POST /v1/result/ack: a fetch alone hands nothing over, the fetcher
// may die before storing it) or --linger passes. SIGTERM is how Kubernetes ends a pod, which then
// has its grace period (30 s by default) before SIGKILL: once a signal has arrived, the result is
// served for a short handover only, so the operator can still fetch and acknowledge it and the
// agent exits inside that period.

#include <chrono>
#include <functional>

#include "base/units.h"
#include "cli/signal_watch.h"
#include "control/control_state.h"

namespace stampede {

// The graceful stop of an agent's run after SIGINT/SIGTERM is at most this long (the plan's
// gracefulStop may be longer) ...
inline constexpr Duration kAgentSignalGrace = std::chrono::seconds(5);
// ... and its result is then served for at most this long: 5 s + 20 s fit a 30 s grace period.
inline constexpr Duration kSignalHandover = std::chrono::seconds(20);

class ResultHandover {
 public:
  // Watches SIGINT and SIGTERM from now on (create it just before the run: the engine's own
  // handling stops the run, this one remembers that a signal came).
  explicit ResultHandover(Duration linger) : linger_(linger) {}

  // Blocks until the result has been acknowledged (true), or until --linger has passed, or the
  // handover time since the first signal, or a second signal came (false).
  // `each_poll` runs on every poll (every 100 ms): the agent's teardown, when asked for.
  bool serve(ControlState& control, const std::function<void()>& each_poll = {});
  // Then, when something scraped /metrics during the run, waits for one more scrape so that
  // Prometheus holds the final counts of a pod about to exit (ControlState's
  // final_scrape_deadline()); any signal ends the wait. True when that scrape came or none was
  // awaited.
  bool await_final_scrape(ControlState& control);

 private:
  std::chrono::steady_clock::time_point deadline() const;

  Duration linger_;
  std::chrono::steady_clock::time_point since_;  // set when serve() starts
  SignalWatch signals_;
};

}  // namespace stampede
