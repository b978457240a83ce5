#include "controller/work_queue.h"

#include <algorithm>

namespace stampede::op {

WorkQueue::WorkQueue(Duration base_backoff, Duration max_backoff)
    : base_backoff_(base_backoff), max_backoff_(max_backoff) {}

void WorkQueue::add(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    if (processing_.count(key) != 0) {
      dirty_.insert(key);  // comes back when the worker is done
      return;
    }
    if (!queued_.insert(key).second) return;
    queue_.push_back(key);
  }
  ready_.notify_one();
}

void WorkQueue::add_after(const std::string& key, Duration delay) {
  if (delay <= Duration::zero()) {
    add(key);
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    const Clock::time_point due = Clock::now() + delay;
    const auto [it, inserted] = due_.try_emplace(key, due);
    if (!inserted) {
      // Already waiting: each event-driven reconcile of a running test asks again, and a new
      // entry each time would start another polling chain.
      if (it->second <= due) return;
      delayed_.erase({it->second, key});
      it->second = due;
    }
    delayed_.emplace(due, key);
  }
  ready_.notify_one();  // a waiting get() must re-arm its wake-up time
}

void WorkQueue::add_rate_limited(const std::string& key) {
  Duration delay;
  {
    const std::lock_guard lock(mutex_);
    const std::size_t n = failures_[key]++;
    delay = base_backoff_ * (std::size_t{1} << std::min<std::size_t>(n, 20));
    delay = std::min(delay, max_backoff_);
  }
  add_after(key, delay);
}

void WorkQueue::forget(const std::string& key) {
  const std::lock_guard lock(mutex_);
  failures_.erase(key);
}

std::size_t WorkQueue::failures(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promote_due(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    const std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    due_.erase(key);
    if (processing_.count(key) != 0) {
      dirty_.insert(key);
    } else if (queued_.insert(key).second) {
      queue_.push_back(key);
    }
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (shutting_down_) return std::nullopt;
    promote_due(Clock::now());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      ready_.wait(lock);
    } else {
      // A copy: while this waits, another thread may promote and erase that entry.
      const Clock::time_point next = delayed_.begin()->first;
      ready_.wait_until(lock, next);
    }
  }
  std::string key = queue_.front();
  queue_.pop_front();
  queued_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    processing_.erase(key);
    if (dirty_.erase(key) == 0 || shutting_down_) return;
    if (queued_.insert(key).second) queue_.push_back(key);
  }
  ready_.notify_one();
}

void WorkQueue::shutdown() {
  {
    const std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  ready_.notify_all();
}

std::size_t WorkQueue::depth() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkQueue::waiting() const {
  const std::lock_guard lock(mutex_);
  return delayed_.size();
}

}  // namespace stampede::op
