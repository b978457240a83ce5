#pragma once
// JSON merge patches (RFC 7386) computed from two versions of a document. A merge patch merges
// objects key by key and keeps what it does not name, so a key that `after` no longer has must
// be sent as null, at every depth, or the server keeps it.

#include <nlohmann/json.hpp>

namespace stampede::kube {

// The merge patch that turns `before` into `after`: `after`'s values, null for the keys of
// `before` it lacks, nested objects patched the same way. Arrays and scalars are replaced whole.
inline nlohmann::json merge_patch_between(const nlohmann::json& before,
                                          const nlohmann::json& after) {
  if (!before.is_object() || !after.is_object()) return after;
  nlohmann::json patch = nlohmann::json::object();
  for (const auto& [key, value] : after.items()) {
    const auto old = before.find(key);
    if (old == before.end()) {
      patch[key] = value;
    } else if (*old != value) {
      patch[key] = merge_patch_between(*old, value);
    }
  }
  for (const auto& [key, value] : before.items()) {
    if (!after.contains(key)) patch[key] = nullptr;
  }
  return patch;
}

}  // namespace stampede::kube
