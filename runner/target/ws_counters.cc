#include "target/ws_counters.h"

#include <string>
#include <string_view>

namespace stampede::target {
namespace {

// The /__stats key of each WsEvent, in enum order.
constexpr std::array<std::string_view, static_cast<std::size_t>(WsEvent::kCount)> kEventNames{
    "ws_sessions_opened", "ws_sessions_closed", "ws_sessions_refused", "ws_messages_received",
    "ws_messages_sent",   "ws_frames_sent",     "ws_pings_received",
};

}  // namespace

void WsCounters::record(WsEvent event) {
  events_[static_cast<std::size_t>(event)].fetch_add(1, std::memory_order_relaxed);
}

void WsCounters::reset() {
  for (auto& count : events_) count.store(0, std::memory_order_relaxed);
}

nlohmann::json WsCounters::to_json() const {
  nlohmann::json document = nlohmann::json::object();
  for (std::size_t i = 0; i < events_.size(); ++i) {
    document[std::string(kEventNames[i])] = events_[i].load(std::memory_order_relaxed);
  }
  return document;
}

}  // namespace stampede::target
