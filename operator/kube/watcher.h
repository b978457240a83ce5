#pragma once
// LIST then WATCH one resource type on a thread of its own, as client-go's reflector does: the
// list replaces the caller's view, watch events update it, bookmarks move the resourceVersion
// on, 410 Gone relists, and a dropped connection reconnects with exponential backoff.

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "kube/api_client.h"
#include "kube/resource.h"

namespace stampede::kube {

enum class WatchEventType { kAdded, kModified, kDeleted };

struct WatchHandlers {
  // Every object there is, after each (re)list.
  std::function<void(const std::vector<nlohmann::json>& items)> on_list;
  std::function<void(WatchEventType type, const nlohmann::json& object)> on_event;
};

struct WatchOptions {
  std::string ns;  // empty: all namespaces
  std::string label_selector;
  std::chrono::seconds server_timeout{300};  // the server ends each watch after this
  Millis min_backoff{500};
  Millis max_backoff{30'000};
};

class Watcher {
 public:
  Watcher(KubeConfig config, ResourceType type, WatchOptions options, WatchHandlers handlers);
  ~Watcher();  // stop()s
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void start();
  void stop();
  // True once the first list has been delivered.
  bool synced() const { return synced_; }

 private:
  void run();
  bool relist(std::string& resource_version);
  // Watches from resource_version until the stream ends; false when a relist is needed.
  bool watch(std::string& resource_version);
  void backoff_sleep(Millis& delay);

  ApiClient client_;
  ResourceType type_;
  WatchOptions options_;
  WatchHandlers handlers_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> synced_{false};
};

}  // namespace stampede::kube
