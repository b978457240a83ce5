#pragma once
// Keys of objects to reconcile ("namespace/name"), as client-go's rate-limited work queue: a key
// is queued at most once however often it is added; a key being processed is not handed to a
// second worker, and if it is added meanwhile it comes back once the first is done; failures
// come back after an exponential backoff; delayed adds for polling, one per key: a key asked
// for again later keeps its earliest due time, as controller-runtime's queue does.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace stampede::op {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  explicit WorkQueue(Duration base_backoff = std::chrono::milliseconds(500),
                     Duration max_backoff = std::chrono::minutes(2));

  void add(const std::string& key);
  void add_after(const std::string& key, Duration delay);
  // After a failure: add_after with the key's next backoff (doubling per consecutive failure).
  void add_rate_limited(const std::string& key);
  // The key succeeded: its backoff starts over.
  void forget(const std::string& key);
  std::size_t failures(const std::string& key) const;

  // Blocks until a key is ready or shutdown(); nullopt after shutdown.
  std::optional<std::string> get();
  // The worker finished `key`.
  void done(const std::string& key);
  void shutdown();

  std::size_t depth() const;    // keys ready now (not the delayed ones)
  std::size_t waiting() const;  // delayed keys, not yet due

 private:
  void promote_due(Clock::time_point now);

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;                                 // in queue_
  std::set<std::string> processing_;                             // handed out, not done yet
  std::set<std::string> dirty_;                                  // added while processing
  std::set<std::pair<Clock::time_point, std::string>> delayed_;  // by due time
  std::map<std::string, Clock::time_point> due_;                 // the same, by key
  std::map<std::string, std::size_t> failures_;
  Duration base_backoff_;
  Duration max_backoff_;
  bool shutting_down_ = false;
};

}  // namespace stampede::op
