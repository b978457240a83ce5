#include "control/control_state.h"

#include <algorithm>

namespace stampede {

ControlState::Readiness ControlState::readiness() const {
  const std::lock_guard lock(mutex_);
  return readiness_;
}

RunState ControlState::state() const {
  const std::lock_guard lock(mutex_);
  return current_state();
}

RunState ControlState::current_state() const {
  if (state_ == RunState::kRunning && start_at_ && std::chrono::system_clock::now() < *start_at_) {
    return RunState::kScheduled;
  }
  return state_;
}

nlohmann::json ControlState::status() const {
  const std::lock_guard lock(mutex_);
  nlohmann::json s = status_.is_object() ? status_ : nlohmann::json::object();
  s["state"] = std::string(to_string(current_state()));
  if (start_at_) s["start_at"] = format_rfc3339(*start_at_);
  s["started_late_seconds"] = started_late_seconds_;
  return s;
}

std::optional<std::string> ControlState::result() const {
  const std::lock_guard lock(mutex_);
  return result_;
}

bool ControlState::request_start(std::optional<WallTime> at, std::string* error) {
  {
    const std::lock_guard lock(mutex_);
    if (start_requested_) {
      // The same call again (a controller retrying) is not an error; another instant is.
      if (at && start_at_ && *at == *start_at_) return true;
      *error = "the test has already been started";
      return false;
    }
    if (!readiness_.ready) {
      *error = "not ready: " + readiness_.reason;
      return false;
    }
    start_requested_ = true;
    start_at_ = at;
  }
  changed_.notify_all();
  return true;
}

bool ControlState::request_stop(std::string* error) {
  // The hook is called under the lock so that the engine cannot go away meanwhile (it only
  // posts to the engine's control thread and never blocks).
  const std::lock_guard lock(mutex_);
  // A scheduled test may be called off before its start instant.
  if (state_ != RunState::kRunning && state_ != RunState::kStopping) {
    *error = "the test is not running (state " + std::string(to_string(current_state())) + ")";
    return false;
  }
  if (stop_) stop_();
  return true;
}

LoadChangeOutcome ControlState::request_load_change(const LoadChange& change) {
  // As for the stop: called under the lock so that the engine cannot go away meanwhile (it
  // takes its own load lock briefly and never calls back).
  const std::lock_guard lock(mutex_);
  // After reopen_for_start() a finished runner takes the next run's load.
  const bool over = state_ == RunState::kFinished && !reopened_;
  const char* refusal = over                            ? "the test has finished"
                        : state_ == RunState::kStopping ? "the load phase is over (state stopping)"
                        : !change_load_                 ? "this runner takes no load changes yet"
                                                        : nullptr;
  if (refusal == nullptr) return change_load_(change);
  LoadChangeOutcome outcome;
  outcome.status = LoadChangeOutcome::Status::kTooLate;
  outcome.error = refusal;
  return outcome;
}

bool ControlState::acknowledge_result(std::string* error) {
  {
    const std::lock_guard lock(mutex_);
    if (!result_) {
      *error =
          "there is no result to acknowledge yet (state " + std::string(to_string(state_)) + ")";
      return false;
    }
    acknowledged_ = true;
  }
  changed_.notify_all();
  return true;
}

void ControlState::set_ready(bool ready, std::string reason) {
  const std::lock_guard lock(mutex_);
  readiness_ = {ready, std::move(reason)};
}

void ControlState::accept_load_changes(LoadChanger change) {
  const std::lock_guard lock(mutex_);
  change_load_ = std::move(change);
}

std::optional<WallTime> ControlState::wait_for_start() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return start_requested_; });
  return start_at_;
}

bool ControlState::wait_for_start_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return start_requested_; });
}

void ControlState::reopen_for_start() {
  const std::lock_guard lock(mutex_);
  start_requested_ = false;
  start_at_.reset();
  started_late_seconds_ = 0;
  reopened_ = true;
}

double ControlState::note_start_lateness(WallTime now) {
  const std::lock_guard lock(mutex_);
  if (!start_at_ || now <= *start_at_) return 0;
  started_late_seconds_ = std::chrono::duration<double>(now - *start_at_).count();
  return started_late_seconds_;
}

void ControlState::started(std::function<void()> stop) {
  const std::lock_guard lock(mutex_);
  start_requested_ = true;
  reopened_ = false;
  state_ = RunState::kRunning;
  stop_ = std::move(stop);
}

void ControlState::set_state(RunState state) {
  const std::lock_guard lock(mutex_);
  state_ = state;
}

void ControlState::set_status(nlohmann::json status) {
  const std::lock_guard lock(mutex_);
  status_ = std::move(status);
}

void ControlState::finished(std::string result_json) {
  {
    const std::lock_guard lock(mutex_);
    result_ = std::move(result_json);
    scraped_since_finish_ = false;
    state_ = RunState::kFinished;
    stop_ = nullptr;  // the engine is gone
    change_load_ = nullptr;
  }
  changed_.notify_all();
}

void ControlState::note_scrape() {
  const auto now = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(mutex_);
    if (last_scrape_) longest_scrape_gap_ = std::max(longest_scrape_gap_, now - *last_scrape_);
    last_scrape_ = now;
    if (result_) scraped_since_finish_ = true;
  }
  changed_.notify_all();
}

std::optional<std::chrono::steady_clock::time_point> ControlState::final_scrape_deadline() const {
  constexpr auto kAfterOneScrape = std::chrono::seconds(15);
  constexpr auto kMargin = std::chrono::seconds(1);
  constexpr auto kAtMost = std::chrono::seconds(60);
  const std::lock_guard lock(mutex_);
  if (!last_scrape_ || scraped_since_finish_) return std::nullopt;
  const std::chrono::steady_clock::duration wait =
      longest_scrape_gap_ == std::chrono::steady_clock::duration::zero()
          ? std::chrono::steady_clock::duration(kAfterOneScrape)
          : longest_scrape_gap_ + kMargin;
  return *last_scrape_ + std::min<std::chrono::steady_clock::duration>(wait, kAtMost);
}

bool ControlState::wait_for_final_scrape(std::chrono::steady_clock::duration timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return scraped_since_finish_; });
}

bool ControlState::wait_until_acknowledged(std::chrono::steady_clock::duration linger) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, linger, [&] { return acknowledged_; });
}

}  // namespace stampede
