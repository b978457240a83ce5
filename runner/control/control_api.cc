#include "control/control_api.h"

#include <array>
#include <chrono>

#include "control/load_request.h"
#include "server/bearer_auth.h"

namespace stampede {
namespace {

HttpResponse json_response(unsigned status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  // Messages may quote bytes that are not UTF-8 (a request path, a host name): replaced with
  // U+FFFD rather than throwing.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

HttpResponse error(unsigned status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

HttpResponse text(unsigned status, std::string body, std::string content_type = "text/plain") {
  HttpResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

struct Route {
  const char* path;
  const char* method;
  bool mutating;
};

constexpr std::array<Route, 11> kRoutes = {{
    {"/metrics", "GET", false},
    {"/healthz", "GET", false},
    {"/readyz", "GET", false},
    {"/v1/status", "GET", false},
    {"/v1/result", "GET", false},
    {"/v1/start", "POST", true},
    {"/v1/stop", "POST", true},
    {"/v1/load", "POST", true},
    {"/v1/result/ack", "POST", true},
    // They answer with the setup's values, which may be secrets: a token holder's only.
    {"/v1/setup", "POST", true},
    {"/v1/teardown", "POST", true},
}};

// setupValues (an object of strings) and teardownBy ("runner", the default, or "operator").
bool parse_start_phases(const nlohmann::json& doc, StartPhases* phases, std::string* why) {
  if (const auto values = doc.find("setupValues"); values != doc.end()) {
    if (!values->is_object()) {
      *why = "setupValues must be an object of strings";
      return false;
    }
    auto& out = phases->setup_values.emplace();
    for (const auto& [name, value] : values->items()) {
      if (!value.is_string()) {
        *why = "setupValues." + name + " must be a string";
        return false;
      }
      out[name] = value.get<std::string>();
    }
  }
  const std::string by = doc.value("teardownBy", "runner");
  if (by != "runner" && by != "operator") {
    *why = "teardownBy must be runner or operator";
    return false;
  }
  phases->teardown_by_operator = by == "operator";
  return true;
}

// Parses {"startAt": "<RFC 3339>", "setupValues": {...}, "teardownBy": "..."}; an empty body
// or {} means "now", the runner running its own phases.
bool parse_start(const std::string& body, std::optional<WallTime>* at, StartPhases* phases,
                 std::string* why) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return true;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    *why = "the body is not valid JSON";
    return false;
  }
  if (!doc.is_object()) {
    *why = "the body must be a JSON object, e.g. {\"startAt\": \"2026-01-02T15:04:05Z\"}";
    return false;
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "startAt" && key != "setupValues" && key != "teardownBy") {
      *why = "unknown field '" + key + "' (expected startAt, setupValues or teardownBy)";
      return false;
    }
  }
  if (!parse_start_phases(doc, phases, why)) return false;
  if (!doc.contains("startAt") || doc["startAt"].is_null()) return true;
  if (!doc["startAt"].is_string()) {
    *why = "startAt must be an RFC 3339 time string";
    return false;
  }
  std::string parse_error;
  *at = parse_rfc3339(doc["startAt"].get<std::string>(), &parse_error);
  if (!*at) *why = "startAt: " + parse_error;
  return at->has_value();
}

// A scheduled start is seconds ahead (the operator uses now + 3 s); one already past starts at
// once. An instant more than a day away either way is a mistake, and far enough off it would
// overflow the engine's nanosecond arithmetic (a wait of centuries, or none at all).
constexpr auto kStartHorizon = std::chrono::hours(24);

bool within_horizon(WallTime at, std::string* why) {
  const WallTime now = std::chrono::system_clock::now();
  if (at <= now + kStartHorizon && at >= now - kStartHorizon) return true;
  *why = "startAt " + format_rfc3339(at) + " is more than 24h " +
         (at > now ? "ahead" : "in the past") + " (the horizon for a scheduled start is now ± 24h)";
  return false;
}

}  // namespace

ControlApi::ControlApi(ControlState& state, const MetricsExporter* exporter, std::string token)
    : state_(state), exporter_(exporter), token_(std::move(token)) {}

bool ControlApi::authorized(const HttpRequest& request) const {
  return token_.empty() || bearer_matches(request.authorization, token_);
}

HttpResponse ControlApi::handle(const HttpRequest& request) const {
  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (request.path == r.path) route = &r;
  }
  if (route == nullptr) return error(404, "no such endpoint: " + request.path);
  if (request.method != route->method) {
    HttpResponse r = error(405, "use " + std::string(route->method) + " for " + request.path);
    r.headers.emplace_back("Allow", route->method);
    return r;
  }
  if (route->mutating && !authorized(request)) {
    HttpResponse r = error(401, "missing or wrong bearer token");
    r.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="stampede")");
    return r;
  }
  const std::string path = request.path;
  if (path == "/healthz") return text(200, "ok\n");
  if (path == "/readyz") {
    const auto readiness = state_.readiness();
    return readiness.ready ? text(200, "ready\n")
                           : text(503, "not ready: " + readiness.reason + "\n");
  }
  if (path == "/metrics") {
    if (exporter_ == nullptr) return error(404, "metrics export is off (--no-metrics)");
    HttpResponse r = text(200, exporter_->serialize(), "text/plain; version=0.0.4; charset=utf-8");
    state_.note_scrape();  // after serializing: the scraper holds at least these numbers
    return r;
  }
  if (path == "/v1/status") return json_response(200, state_.status());
  if (path == "/v1/result") return result();
  if (path == "/v1/start") return start(request);
  if (path == "/v1/result/ack") return acknowledge();
  if (path == "/v1/load") return change_load(request);
  if (path == "/v1/setup") return phase(Phase::kSetup);
  if (path == "/v1/teardown") return phase(Phase::kTeardown);
  return stop();
}

// 202 while it runs, 200 with its outcome when it succeeded, 422 when it failed.
HttpResponse ControlApi::phase(Phase which) const {
  std::string why;
  const auto report = state_.phases().request(which, &why);
  if (!report) return error(409, why);
  switch (report->state) {
    case PhaseRequests::State::kDone:
      return json_response(200, report->body);
    case PhaseRequests::State::kFailed:
      return json_response(422, report->body);
    case PhaseRequests::State::kIdle:
    case PhaseRequests::State::kRunning:
      break;
  }
  return json_response(202, {{"state", "running"}});
}

HttpResponse ControlApi::start(const HttpRequest& request) const {
  std::optional<WallTime> at;
  StartPhases phases;
  std::string why;
  if (!parse_start(request.body, &at, &phases, &why)) return error(400, why);
  if (at && !within_horizon(*at, &why)) return error(400, why);
  // Kept before the start is requested: the main thread reads them once it wakes for it.
  if (!state_.phases().offer_start(phases, &why)) return error(409, why);
  if (!state_.request_start(at, &why)) return error(409, why);
  nlohmann::json body = {{"state", "starting"}};
  if (at) body["startAt"] = format_rfc3339(*at);
  return json_response(202, body);
}

HttpResponse ControlApi::stop() const {
  std::string why;
  if (!state_.request_stop(&why)) return error(409, why);
  return json_response(202, {{"state", "stopping"}});
}

HttpResponse ControlApi::change_load(const HttpRequest& request) const {
  LoadChange change;
  std::string why;
  if (!parse_load_request(request.body, &change, &why)) return error(400, why);
  const LoadChangeOutcome outcome = state_.request_load_change(change);
  switch (outcome.status) {
    case LoadChangeOutcome::Status::kApplied:
      return json_response(202, load_change_json(outcome.applied));
    case LoadChangeOutcome::Status::kInvalid:
      return error(400, outcome.error);
    case LoadChangeOutcome::Status::kTooLate:
      break;
  }
  return error(409, outcome.error);
}

HttpResponse ControlApi::result() const {
  auto result = state_.result();
  if (!result) {
    return error(
        409, "the test has not finished (state " + std::string(to_string(state_.state())) + ")");
  }
  // Fetching hands nothing over: the result stays until the fetcher acknowledges it.
  return text(200, std::move(*result), "application/json");
}

HttpResponse ControlApi::acknowledge() const {
  std::string why;
  if (!state_.acknowledge_result(&why)) return error(409, why);
  return json_response(200, {{"state", "acknowledged"}});
}

}  // namespace stampede
