#include "cli/serving.h"

#include <spdlog/spdlog.h>

#include "plan/version.h"

namespace stampede {

Serving::Serving(const CliOptions& options, const Plan& plan) : options_(options) {
  identity_.testid = !options.testid.empty() ? options.testid
                     : !plan.name.empty()    ? plan.name
                                             : "local";
  identity_.runner = std::to_string(options.segment) + "/" + std::to_string(options.segments);
  if (options.serve.listen.empty()) return;
  if (options.serve.metrics) {
    ExporterIdentity id{identity_.testid, std::to_string(options.segment), kVersion};
    exporter_ = std::make_unique<MetricsExporter>(id);
    exporter_->set_planned_duration(to_seconds(plan.load.duration()));
  }
  api_ = std::make_unique<ControlApi>(control_, exporter_.get(), options.serve.token);
}

bool Serving::start(std::string* error) {
  if (!api_) return true;  // nothing to serve
  const auto address = parse_listen_address(options_.serve.listen, error);
  if (!address) return false;
  auto server = std::make_unique<HttpServer>(
      [api = api_.get()](const HttpRequest& request) { return api->handle(request); });
  if (!server->start(*address, error)) return false;
  server_ = std::move(server);
  spdlog::info("serving {}the control API on {}:{}{}", exporter_ ? "/metrics and " : "",
               address->host, server_->port(),
               options_.serve.token.empty() ? " (no control token: start/stop are open)" : "");
  return true;
}

}  // namespace stampede
