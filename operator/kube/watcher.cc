#include "kube/watcher.h"

#include <spdlog/spdlog.h>

#include "kube/kube_client.h"

namespace stampede::kube {

Watcher::Watcher(KubeConfig config, ResourceType type, WatchOptions options, WatchHandlers handlers)
    : client_(std::move(config)),
      type_(std::move(type)),
      options_(std::move(options)),
      handlers_(std::move(handlers)) {}

Watcher::~Watcher() {
  stop();
}

void Watcher::start() {
  thread_ = std::thread([this] { run(); });
}

void Watcher::stop() {
  stopping_ = true;
  client_.cancel();
  if (thread_.joinable()) thread_.join();
}

void Watcher::backoff_sleep(Millis& delay) {
  // Sleeps in small steps so that stop() is never kept waiting.
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(Millis(50));
  }
  delay = std::min(delay * 2, options_.max_backoff);
}

bool Watcher::relist(std::string& resource_version) {
  std::string path = resource_path(type_, options_.ns);
  if (!options_.label_selector.empty()) {
    path += "?labelSelector=" + query_escape(options_.label_selector);
  }
  const Result r = to_result(client_.send({"GET", path, "", "", Millis(60'000)}));
  if (!r.ok()) {
    if (!stopping_) spdlog::warn("list {}: {} ({})", type_.plural, r.message, to_string(r.error));
    return false;
  }
  std::vector<nlohmann::json> items;
  if (r.object.contains("items") && r.object["items"].is_array()) {
    for (const auto& item : r.object["items"]) items.push_back(item);
  }
  resource_version = r.object["metadata"].value("resourceVersion", "");
  if (handlers_.on_list) handlers_.on_list(items);
  synced_ = true;
  return true;
}

bool Watcher::watch(std::string& resource_version) {
  std::string path = resource_path(type_, options_.ns) + "?watch=1&allowWatchBookmarks=true" +
                     "&timeoutSeconds=" + std::to_string(options_.server_timeout.count()) +
                     "&resourceVersion=" + query_escape(resource_version);
  if (!options_.label_selector.empty()) {
    path += "&labelSelector=" + query_escape(options_.label_selector);
  }
  bool gone = false;
  auto on_line = [&](std::string_view line) {
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (!event.is_object()) return true;  // not JSON: skip the line, keep the stream
    const std::string type = event.value("type", "");
    const nlohmann::json& object = event.contains("object") ? event["object"] : nlohmann::json();
    if (type == "ERROR") {
      // {"type":"ERROR","object":{"kind":"Status","code":410,...}}: our version is too old.
      gone = object.value("code", 0) == 410;
      if (!gone) spdlog::warn("watch {}: {}", type_.plural, object.value("message", ""));
      return false;
    }
    if (object.contains("metadata")) {
      resource_version = object["metadata"].value("resourceVersion", resource_version);
    }
    if (type == "BOOKMARK" || !handlers_.on_event) return true;
    if (type == "ADDED") handlers_.on_event(WatchEventType::kAdded, object);
    if (type == "MODIFIED") handlers_.on_event(WatchEventType::kModified, object);
    if (type == "DELETED") handlers_.on_event(WatchEventType::kDeleted, object);
    return !stopping_;
  };
  // The server sends bookmarks about once a minute; silence well past the server's timeout
  // means a dead connection.
  const Millis idle = std::chrono::duration_cast<Millis>(options_.server_timeout) + Millis(30'000);
  const ApiResponse response = client_.stream({"GET", path, "", "", Millis(30'000)}, on_line, idle);
  if (gone || response.status == 410) {
    // The history since our version was compacted (or the API server's new watch cache starts
    // later): what changed meanwhile is only in a fresh list.
    spdlog::info("watch {}: resource version {} is gone (410)", type_.plural, resource_version);
    return false;
  }
  if (!response.transport_error.empty()) {
    // Dropped or timed out: watch again from where we are (410 then sends us to a relist).
    if (!stopping_) spdlog::warn("watch {}: {}", type_.plural, response.transport_error);
    return true;
  }
  if (response.status != 200) {
    spdlog::warn("watch {}: HTTP {}: {}", type_.plural, response.status, response.body);
    return false;
  }
  return true;
}

void Watcher::run() {
  Millis delay = options_.min_backoff;
  std::string resource_version;
  bool listed = false;
  bool ever_listed = false;
  while (!stopping_) {
    if (!listed) {
      // After a 410, or an error a watch cannot resume from (a restarted API server may refuse
      // requests until its authorizer is warm): what changed meanwhile is only in a new list.
      if (ever_listed) spdlog::info("watch {}: listing again", type_.plural);
      listed = relist(resource_version);
      ever_listed = ever_listed || listed;
      if (!listed) {
        backoff_sleep(delay);
        continue;
      }
      delay = options_.min_backoff;
    }
    const auto started = std::chrono::steady_clock::now();
    listed = watch(resource_version);
    if (stopping_) break;
    // A watch that ended quickly points at trouble: back off before the next attempt.
    if (std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
      backoff_sleep(delay);
    } else {
      delay = options_.min_backoff;
    }
  }
}

}  // namespace stampede::kube
