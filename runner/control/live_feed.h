#pragma once
// What the live web UI shows, published by the engine's control thread once per second and read
// by the server thread: the page's `update` event (state, /v1/status, the result so far and what
// its charts draw) and the result so far itself, for the page's report and CSV downloads and for
// the operator's GET /v1/result/live.
//
// What it keeps stays small however long the run: the per-second series (86,400 points in a
// day) is never built as a JSON document while the load runs. The charts get it bucketed
// (series_display.h, kLiveDisplayBuckets) and the result's text gets it from SeriesText, which
// serializes and keeps each completed second once; the whole text is put together only when
// someone asks for it.

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "control/run_state.h"
#include "control/series_text.h"
#include "server/event_feed.h"
#include "stats/result.h"

namespace stampede {

class LiveFeed {
 public:
  LiveFeed();

  // --- control thread ---
  // `status` is ControlState::status(). Before the start: no result.
  void publish(RunState state, const nlohmann::json& status);
  // While the load runs: `result` is the result document so far without its "series" (the
  // points so far are `series`).
  void publish(RunState state, const nlohmann::json& status, const nlohmann::json& result,
               const std::vector<TimeSeriesPoint>& series);
  // At the end: the final result document, whole, and its series (the document's "series").
  void publish_final(RunState state, const nlohmann::json& status, const nlohmann::json& document,
                     const std::vector<TimeSeriesPoint>& series);

  // --- server thread ---
  std::shared_ptr<const EventFeed> events() const { return events_; }
  // The last published result document as JSON text, whole; null before the start.
  std::shared_ptr<const std::string> result() const;

 private:
  // The result as kept: its text without the series, and the series' text.
  struct Kept {
    std::string head;
    SeriesChunks series;
  };
  void send(RunState state, const nlohmann::json& status, const nlohmann::json& result,
            nlohmann::json display);
  void keep(const nlohmann::json& result, const std::vector<TimeSeriesPoint>& series);

  std::shared_ptr<EventFeed> events_;
  SeriesText series_text_;  // control thread only
  mutable std::mutex mutex_;
  std::shared_ptr<const Kept> kept_;
};

// The live page's charts draw at most this many buckets (twice as many points) of the series:
// a screen's width, so that the page's updates stop growing after the first 20 minutes.
inline constexpr std::size_t kLiveDisplayBuckets = 600;

// `result` without any "histograms" or "histogram" member, at any depth: what a page that does
// not merge histograms needs, at a fraction of the size.
nlohmann::json without_histograms(const nlohmann::json& result);

}  // namespace stampede
