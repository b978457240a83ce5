#pragma once
// The runner's HTTP side for `run --listen`, `run --ui`, `ui` and `agent`: shared control
// state, the metrics exporter (unless turned off), the live web UI (when asked for) and the
// server, wired together.

#include <memory>
#include <string>

#include "cli/options.h"
#include "control/control_api.h"
#include "control/control_state.h"
#include "control/live_feed.h"
#include "control/live_ui.h"
#include "control/metrics_exporter.h"
#include "control/status_report.h"
#include "plan/plan.h"
#include "server/http_server.h"

namespace stampede {

class Serving {
 public:
  Serving(const CliOptions& options, const Plan& plan);
  // Binds --listen (when set) and serves; false + *error when the address is unusable.
  bool start(std::string* error);
  bool active() const { return server_ != nullptr; }
  std::uint16_t port() const { return server_ ? server_->port() : 0; }

  ControlState& control() { return control_; }
  // Null when metrics export is off or nothing is served: then nothing is computed for it.
  MetricsExporter* exporter() { return exporter_.get(); }
  const StatusIdentity& identity() const { return identity_; }
  // Null unless the live web UI is served: then publish to it once per second.
  LiveFeed* live() { return live_.get(); }

 private:
  const CliOptions& options_;
  StatusIdentity identity_;
  ControlState control_;
  std::unique_ptr<MetricsExporter> exporter_;
  std::unique_ptr<ControlApi> api_;
  std::unique_ptr<LiveFeed> live_;
  std::unique_ptr<LiveUi> ui_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace stampede
