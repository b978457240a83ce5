#include "controller/object_cache.h"

namespace stampede::op {

std::string object_key(const nlohmann::json& object) {
  const nlohmann::json meta = object.value("metadata", nlohmann::json::object());
  return meta.value("namespace", "") + "/" + meta.value("name", "");
}

kube::WatchHandlers ObjectCache::handlers() {
  return {[this](const std::vector<nlohmann::json>& items) { replace(items); },
          [this](kube::WatchEventType type, const nlohmann::json& object) { apply(type, object); }};
}

void ObjectCache::replace(const std::vector<nlohmann::json>& items) {
  std::map<std::string, nlohmann::json> fresh;
  for (const auto& item : items) fresh[object_key(item)] = item;
  std::vector<nlohmann::json> changed;
  {
    const std::lock_guard lock(mutex_);
    // Objects that vanished while the watch was down count as changes too.
    for (const auto& [key, old] : objects_) {
      if (fresh.count(key) == 0) changed.push_back(old);
    }
    for (const auto& [key, object] : fresh) changed.push_back(object);
    objects_ = std::move(fresh);
  }
  if (on_change_) {
    for (const auto& object : changed) on_change_(object);
  }
}

void ObjectCache::apply(kube::WatchEventType type, const nlohmann::json& object) {
  {
    const std::lock_guard lock(mutex_);
    if (type == kube::WatchEventType::kDeleted) {
      objects_.erase(object_key(object));
    } else {
      objects_[object_key(object)] = object;
    }
  }
  if (on_change_) on_change_(object);
}

namespace {

std::uint64_t resource_version(const nlohmann::json& object) {
  try {
    return std::stoull(object["metadata"].value("resourceVersion", "0"));
  } catch (const std::exception&) {
    return 0;  // resourceVersions are opaque; etcd's are numbers, and only those are compared
  }
}

}  // namespace

void ObjectCache::upsert(const nlohmann::json& object) {
  const std::lock_guard lock(mutex_);
  auto& slot = objects_[object_key(object)];
  if (slot.is_null() || resource_version(object) >= resource_version(slot)) slot = object;
}

std::optional<nlohmann::json> ObjectCache::get(const std::string& key) const {
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> ObjectCache::with_label(const std::string& ns, const std::string& label,
                                                    const std::string& value) const {
  std::vector<nlohmann::json> out;
  const std::lock_guard lock(mutex_);
  for (const auto& [key, object] : objects_) {
    const nlohmann::json& meta = object["metadata"];
    if (meta.value("namespace", "") != ns) continue;
    const nlohmann::json labels = meta.value("labels", nlohmann::json::object());
    if (labels.value(label, "") == value) out.push_back(object);
  }
  return out;
}

std::vector<std::string> ObjectCache::keys() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, object] : objects_) out.push_back(key);
  return out;
}

std::size_t ObjectCache::size() const {
  const std::lock_guard lock(mutex_);
  return objects_.size();
}

}  // namespace stampede::op
