#include "target/keyed_buckets.h"

namespace stampede::target {

KeyedBuckets::KeyedBuckets(Rate rate, double burst, std::size_t max_keys)
    : rate_(rate), burst_(burst), max_keys_(max_keys) {}

KeyedBuckets::Admission KeyedBuckets::try_take(std::string_view key,
                                               TokenBucket::Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= max_keys_) return {false, {false, std::chrono::seconds(1)}};
    it = keys_.emplace(std::string(key), std::make_unique<Entry>(rate_, burst_)).first;
  }
  Entry& entry = *it->second;
  const TokenBucket::Admission admission = entry.bucket.try_take(now);
  ++(admission.admitted ? entry.accepted : entry.rejected);
  return {true, admission};
}

nlohmann::json KeyedBuckets::to_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, entry] : keys_) {
    out[key] = {{"accepted", entry->accepted}, {"rejected", entry->rejected}};
  }
  return out;
}

void KeyedBuckets::reset_counts() {
  std::lock_guard lock(mutex_);
  for (auto& [key, entry] : keys_) entry->accepted = entry->rejected = 0;
}

}  // namespace stampede::target
