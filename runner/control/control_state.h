#pragma once
// What the control API's server thread and the engine's control thread share: the runner's
// state, its latest status document, its result, and the start, stop and load-change requests.
// Guarded by one mutex; touched once per second and per API call, never on the request path.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/rfc3339.h"
#include "control/phase_requests.h"
#include "control/run_state.h"
#include "engine/load_change.h"

namespace stampede {

class ControlState {
 public:
  // --- server thread (API calls) ---
  struct Readiness {
    bool ready = false;
    std::string reason;  // why not, for /readyz
  };
  Readiness readiness() const;
  RunState state() const;
  nlohmann::json status() const;
  // The result document once finished, nullopt before.
  std::optional<std::string> result() const;
  // Asks for the load to start at `at` (now when unset). false + *error when it cannot
  // (already started at another instant, not ready). Repeating the same startAt succeeds, so
  // a controller may retry.
  bool request_start(std::optional<WallTime> at, std::string* error);
  // Asks a running test to stop gracefully. false + *error when it is not running.
  bool request_stop(std::string* error);
  // Changes the load (POST /v1/load); before the start the change is kept and applies from t0.
  // kTooLate once the test is stopping or finished (unless reopened for another run) or when
  // nothing takes changes yet, kInvalid for what the plan's load model cannot take.
  LoadChangeOutcome request_load_change(const LoadChange& change);
  // GET /metrics was served: a scraper now holds the numbers of this moment.
  void note_scrape();
  // The operator has stored the result (POST /v1/result/ack): the agent may exit. false +
  // *error before there is a result. Repeating it succeeds.
  bool acknowledge_result(std::string* error);

  // /v1/setup, /v1/teardown and what /v1/start carries for them (both threads: its own lock).
  PhaseRequests& phases() { return phases_; }

  // --- control thread ---
  void set_ready(bool ready, std::string reason = "");
  // `change` applies load changes (thread-safe, e.g. Engine::change_load). Set once the engine
  // exists, before the start, so that a change made while waiting is kept.
  using LoadChanger = std::function<LoadChangeOutcome(const LoadChange&)>;
  void accept_load_changes(LoadChanger change);
  // Blocks until a start is requested; returns the requested instant (if any).
  std::optional<WallTime> wait_for_start();
  // Waits at most `timeout` for a start request; true once one has been made.
  bool wait_for_start_for(std::chrono::milliseconds timeout);
  // `stampede ui` after a run: the finished result stays (state, status, /v1/result) and
  // another start is taken, with load changes for the next run (set accept_load_changes first).
  void reopen_for_start();
  // The load begins at `now`: how many seconds after the requested startAt (0 when there is
  // none or it is still ahead, since the engine then waits for it). /v1/status shows it as
  // started_late_seconds: a runner of a multi-runner test that began after the others.
  double note_start_lateness(WallTime now);
  // Marks the test as started: `stop` ends it early (thread-safe, e.g. Engine::request_stop).
  // Until the start instant requested through request_start() the state is `scheduled`.
  void started(std::function<void()> stop);
  void set_state(RunState state);
  void set_status(nlohmann::json status);
  void finished(std::string result_json);
  // Waits until the result has been acknowledged or `linger` has passed; true when it was.
  // A fetch alone is no handover: the fetching operator may die before storing the result.
  bool wait_until_acknowledged(std::chrono::steady_clock::duration linger);
  // Until when a finished agent waits for a scraper to see its final numbers: nullopt when
  // nothing scraped the run (no one to wait for) or a scrape has come since the end. Otherwise
  // the last scrape plus the longest gap between two scrapes seen (the scraper's interval) and
  // a second, or plus 15 s after a single scrape; at most a minute after the last scrape.
  std::optional<std::chrono::steady_clock::time_point> final_scrape_deadline() const;
  // Waits at most `timeout` for a scrape after the end; true once one has come.
  bool wait_for_final_scrape(std::chrono::steady_clock::duration timeout);

 private:
  // state_, except that `running` reads `scheduled` before the start instant.
  RunState current_state() const;

  PhaseRequests phases_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  Readiness readiness_;
  RunState state_ = RunState::kWaiting;
  bool start_requested_ = false;
  std::optional<WallTime> start_at_;
  double started_late_seconds_ = 0;
  std::function<void()> stop_;
  LoadChanger change_load_;
  nlohmann::json status_;
  std::optional<std::string> result_;
  bool acknowledged_ = false;
  bool reopened_ = false;  // finished, and a new run may be started (reopen_for_start)
  // GET /metrics: when it was last served and the longest gap between two, and whether it was
  // served after finished() (the scraper has the final numbers).
  std::optional<std::chrono::steady_clock::time_point> last_scrape_;
  std::chrono::steady_clock::duration longest_scrape_gap_{};
  bool scraped_since_finish_ = false;
};

}  // namespace stampede
