#include "control/live_feed.h"

#include "report/html_report.h"

namespace stampede {

using nlohmann::json;

// Copies what it keeps only: the histograms are most of a result's size.
json without_histograms(const json& result) {
  if (result.is_object()) {
    json out = json::object();
    for (const auto& [key, value] : result.items()) {
      if (key != "histograms" && key != "histogram") out[key] = without_histograms(value);
    }
    return out;
  }
  if (result.is_array()) {
    json out = json::array();
    for (const json& item : result) out.push_back(without_histograms(item));
    return out;
  }
  return result;
}

LiveFeed::LiveFeed() : events_(std::make_shared<EventFeed>()) {}

void LiveFeed::publish(RunState state, const json& status) {
  send(state, status, nullptr, nullptr);
}

void LiveFeed::publish(RunState state, const json& status, const json& result,
                       const std::vector<TimeSeriesPoint>& series) {
  send(state, status, result, report_display(result, series, kLiveDisplayBuckets));
  keep(result, series);
}

void LiveFeed::publish_final(RunState state, const json& status, const json& document,
                             const std::vector<TimeSeriesPoint>& series) {
  // The last points' times were clipped to the run's end: serialized again, once.
  series_text_.reset();
  send(state, status, document, report_display(document, series, kLiveDisplayBuckets));
  keep(document, series);
}

// The page draws the display's buckets, never the result's own series, and merges no
// histograms or window series (a quota's share is in its threshold): the update carries none of
// them. The kept result (downloads, the operator's polls) keeps the window series: a runner
// replaced mid-run must still add its send times to the merged quota.
void LiveFeed::send(RunState state, const json& status, const json& result, json display) {
  json shown = without_histograms(result);
  if (shown.is_object()) {
    shown.erase("series");
    shown.erase("windows");
  }
  const json update = {{"state", std::string(to_string(state))},
                       {"status", status},
                       {"result", std::move(shown)},
                       {"display", std::move(display)}};
  // Names or messages may hold bytes that are not UTF-8: replaced rather than thrown on.
  events_->publish("update", update.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LiveFeed::keep(const json& result, const std::vector<TimeSeriesPoint>& series) {
  series_text_.update(series);
  auto kept = std::make_shared<Kept>();
  if (result.contains("series")) {
    json head = result;
    head.erase("series");
    kept->head = head.dump(-1, ' ', false, json::error_handler_t::replace);
  } else {
    kept->head = result.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  kept->series = series_text_.chunks();
  const std::lock_guard lock(mutex_);
  kept_ = std::move(kept);
}

std::shared_ptr<const std::string> LiveFeed::result() const {
  std::shared_ptr<const Kept> kept;
  {
    const std::lock_guard lock(mutex_);
    kept = kept_;
  }
  if (!kept) return nullptr;
  return std::make_shared<const std::string>(with_series(kept->head, kept->series));
}

}  // namespace stampede
