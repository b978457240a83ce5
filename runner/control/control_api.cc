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

constexpr std::array<Route, 9> kRoutes = {{
    {"/metrics", "GET", false},
    {"/healthz", "GET", false},
    {"/readyz", "GET", false},
    {"/v1/status", "GET", false},
    {"/v1/result", "GET", false},
    {"/v1/start", "POST", true},
    {"/v1/stop", "POST", true},
    {"/v1/load", "POST", true},
    {"/v1/result/ack", "POST", true},
}};

// Parses {"startAt": "<RFC 3339>"}; an empty body or {} means "now".
bool parse_start(const std::string& body, std::optional<WallTime>* at, std::string* why) {
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
    if (key != "startAt") {
      *why = "unknown field '" + key + "' (expected startAt)";
      return false;
    }
  }
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
  return stop();
}

HttpResponse ControlApi::start(const HttpRequest& request) const {
  std::optional<WallTime> at;
  std::string why;
  if (!parse_start(request.body, &at, &why)) return error(400, why);
  if (at && !within_horizon(*at, &why)) return error(400, why);
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
