#pragma once
// The runner's HTTP endpoints on one port: /metrics, /healthz, /readyz and the control API
// (/v1/status, /v1/start, /v1/stop, /v1/load, /v1/result, /v1/result/ack) the operator drives
// runners with.

#include <string>

#include "control/control_state.h"
#include "control/metrics_exporter.h"
#include "server/http_server.h"

namespace stampede {

class ControlApi {
 public:
  // `exporter` may be null (metrics export off: /metrics answers 404). An empty `token`
  // leaves the mutating calls open (a local run); otherwise they need "Bearer <token>".
  ControlApi(ControlState& state, const MetricsExporter* exporter, std::string token);

  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse start(const HttpRequest& request) const;
  HttpResponse stop() const;
  HttpResponse change_load(const HttpRequest& request) const;
  HttpResponse result() const;
  HttpResponse acknowledge() const;
  HttpResponse phase(Phase which) const;
  bool authorized(const HttpRequest& request) const;

  ControlState& state_;
  const MetricsExporter* exporter_;
  std::string token_;
};

}  // namespace stampede
