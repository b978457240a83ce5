#pragma once
// The latest known state of watched objects, by "namespace/name". Filled by a Watcher, read by
// reconciles (thread-safe), so a reconcile costs no API call for what is watched.

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kube/watcher.h"

namespace stampede::op {

std::string object_key(const nlohmann::json& object);

class ObjectCache {
 public:
  // Called after every change with the changed object (for the old state of a deleted one).
  using OnChange = std::function<void(const nlohmann::json& object)>;

  explicit ObjectCache(OnChange on_change = nullptr) : on_change_(std::move(on_change)) {}

  // Handlers that keep this cache in step with a Watcher.
  kube::WatchHandlers handlers();

  // Our own write, known before its watch event arrives: later reconciles must not act on the
  // state from before it (a stale cache would, say, take a collected runner for a lost one).
  // Kept only when newer than what the cache holds.
  void upsert(const nlohmann::json& object);

  std::optional<nlohmann::json> get(const std::string& key) const;
  // Objects in namespace `ns` whose label `label` is `value`.
  std::vector<nlohmann::json> with_label(const std::string& ns, const std::string& label,
                                         const std::string& value) const;
  std::vector<std::string> keys() const;
  std::size_t size() const;

 private:
  void replace(const std::vector<nlohmann::json>& items);
  void apply(kube::WatchEventType type, const nlohmann::json& object);

  mutable std::mutex mutex_;
  std::map<std::string, nlohmann::json> objects_;
  OnChange on_change_;
};

}  // namespace stampede::op
