#include "cli/serving.h"

#include <spdlog/spdlog.h>

#include "plan/version.h"

namespace stampede {
namespace {

const char* page_mode(CliOptions::Command command) {
  if (command == CliOptions::Command::kUi) return "ui";
  if (command == CliOptions::Command::kAgent) return "agent";
  return "run";
}

// What the live page is told about its runner: its mode, whether it may offer controls and
// needs a token for them, and the load its forms start from.
nlohmann::json page_config(const CliOptions& options, const Plan& plan) {
  nlohmann::json config = {{"mode", page_mode(options.command)},
                           {"controls", options.command != CliOptions::Command::kAgent},
                           {"token_required", !options.serve.token.empty()},
                           {"plan", plan.name},
                           {"events", "/v1/events"},
                           {"report", "/v1/report.html"},
                           {"csv", "/v1/stats.csv"}};
  if (const auto* open = std::get_if<OpenModel>(&plan.load.model)) {
    config["model"] = "open";
    config["defaults"] = {{"rate", open->stages.empty() ? open->rate : 0.0}};
  } else {
    const auto& closed = std::get<ClosedModel>(plan.load.model);
    config["model"] = "closed";
    config["defaults"] = {{"users", closed.users}, {"spawn_rate", closed.spawn_rate}};
  }
  return config;
}

}  // namespace

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
  if (options.serve.ui) {
    live_ = std::make_unique<LiveFeed>();
    ui_ = std::make_unique<LiveUi>(*live_, page_config(options, plan));
  }
}

bool Serving::start(std::string* error) {
  if (!api_) return true;  // nothing to serve
  const auto address = parse_listen_address(options_.serve.listen, error);
  if (!address) return false;
  auto server =
      std::make_unique<HttpServer>([api = api_.get(), ui = ui_.get()](const HttpRequest& request) {
        if (ui != nullptr) {
          if (auto response = ui->handle(request)) return std::move(*response);
        }
        return api->handle(request);
      });
  if (!server->start(*address, error)) return false;
  server_ = std::move(server);
  if (live_) {
    live_->publish(control_.state(), control_.status());
    const bool v6 = address->host.find(':') != std::string::npos;
    spdlog::info("live web UI: http://{}{}{}:{}/", v6 ? "[" : "", address->host, v6 ? "]" : "",
                 server_->port());
  }
  spdlog::info("serving {}the control API on {}:{}{}", exporter_ ? "/metrics and " : "",
               address->host, server_->port(),
               options_.serve.token.empty() ? " (no control token: start/stop are open)" : "");
  return true;
}

}  // namespace stampede
