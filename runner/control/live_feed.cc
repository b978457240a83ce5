#include "control/live_feed.h"

#include "report/html_report.h"

namespace stampede {

using nlohmann::json;

json without_histograms(json result) {
  if (result.is_object()) {
    result.erase("histograms");
    result.erase("histogram");
  }
  if (result.is_structured()) {
    for (json& member : result) member = without_histograms(std::move(member));
  }
  return result;
}

LiveFeed::LiveFeed() : events_(std::make_shared<EventFeed>()) {}

void LiveFeed::publish(RunState state, const json& status, const json* result) {
  json update = {{"state", std::string(to_string(state))},
                 {"status", status},
                 {"result", nullptr},
                 {"display", nullptr}};
  std::shared_ptr<const json> kept;
  if (result != nullptr) {
    update["display"] = report_display(*result);
    update["result"] = without_histograms(*result);
    kept = std::make_shared<const json>(*result);
  }
  // Names or messages may hold bytes that are not UTF-8: replaced rather than thrown on.
  events_->publish("update", update.dump(-1, ' ', false, json::error_handler_t::replace));
  const std::lock_guard lock(mutex_);
  if (kept) result_ = std::move(kept);
}

std::shared_ptr<const json> LiveFeed::result() const {
  const std::lock_guard lock(mutex_);
  return result_;
}

}  // namespace stampede
