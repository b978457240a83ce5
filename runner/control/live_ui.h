#pragma once
// The live web UI's routes on the runner's port: GET / (the page), GET /v1/events (its
// Server-Sent Events: one `update` per second), and the downloads of the result so far,
// GET /v1/report.html and GET /v1/stats.csv. All read-only; the page's controls call the control
// API (/v1/start, /v1/stop, /v1/load), which checks the bearer token.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "control/live_feed.h"
#include "server/http_server.h"

namespace stampede {

class LiveUi {
 public:
  // `page_config` is what the page is told about its runner (report/live_page.h).
  LiveUi(const LiveFeed& feed, const nlohmann::json& page_config);

  // The response when `request` is for one of these routes; nullopt otherwise.
  std::optional<HttpResponse> handle(const HttpRequest& request) const;

 private:
  HttpResponse download(const std::string& path) const;

  const LiveFeed& feed_;
  std::string page_;       // rendered once: the data arrives through the events
  std::string file_stem_;  // of the downloads: the plan's name, made safe for a file name
};

}  // namespace stampede
