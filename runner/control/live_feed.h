#pragma once
// What the live web UI shows, published by the engine's control thread once per second and read
// by the server thread: the page's `update` event (state, /v1/status, the result so far and what
// its charts draw) and the result so far itself, for the page's report and CSV downloads.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "control/run_state.h"
#include "server/event_feed.h"

namespace stampede {

class LiveFeed {
 public:
  LiveFeed();

  // --- control thread ---
  // `status` is ControlState::status(); `result` the result document so far (null before the
  // start). Builds the update event: the result without its histograms (the page draws what
  // the runner computed from them) beside the charts' display document.
  void publish(RunState state, const nlohmann::json& status, const nlohmann::json* result);

  // --- server thread ---
  std::shared_ptr<const EventFeed> events() const { return events_; }
  // The last published result document, whole; null before the start.
  std::shared_ptr<const nlohmann::json> result() const;

 private:
  std::shared_ptr<EventFeed> events_;
  mutable std::mutex mutex_;
  std::shared_ptr<const nlohmann::json> result_;
};

// `result` without any "histograms" or "histogram" member, at any depth: what a page that does
// not merge histograms needs, at a fraction of the size.
nlohmann::json without_histograms(nlohmann::json result);

}  // namespace stampede
