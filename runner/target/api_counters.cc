#include "target/api_counters.h"

#include <string_view>

namespace stampede::target {
namespace {

// The /__stats key of each ApiEvent, in enum order.
constexpr std::array<std::string_view, static_cast<std::size_t>(ApiEvent::kCount)> kEventNames{
    "plans_created",   "plans_approved",  "approve_conflicts", "jwt_accepted",
    "jwt_rejected",    "jwt_forbidden",   "limited_accepted",  "limited_rejected",
    "chat_rejected",   "workers_created", "workers_claimed",   "claim_conflicts",
    "workers_deleted", "admin_reports",   "admin_forbidden",   "not_found",
    "bad_requests",    "streams_started", "streams_completed", "stream_events",
};

}  // namespace

void ApiCounters::record(ApiEvent event) {
  events_[static_cast<std::size_t>(event)].fetch_add(1, std::memory_order_relaxed);
}

void ApiCounters::record_chat(std::size_t provider) {
  chats_[provider % chats_.size()].fetch_add(1, std::memory_order_relaxed);
}

void ApiCounters::reset() {
  for (auto& count : events_) count.store(0, std::memory_order_relaxed);
  for (auto& count : chats_) count.store(0, std::memory_order_relaxed);
}

nlohmann::json ApiCounters::to_json() const {
  nlohmann::json document = nlohmann::json::object();
  for (std::size_t i = 0; i < events_.size(); ++i) {
    document[std::string(kEventNames[i])] = events_[i].load(std::memory_order_relaxed);
  }
  nlohmann::json by_provider = nlohmann::json::object();
  for (std::size_t i = 0; i < chats_.size(); ++i) {
    by_provider[std::string(kChatProviders[i].name)] = chats_[i].load(std::memory_order_relaxed);
  }
  document["chat_by_provider"] = std::move(by_provider);
  return document;
}

}  // namespace stampede::target
