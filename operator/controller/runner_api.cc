#include "controller/runner_api.h"

#include "kube/api_client.h"

namespace stampede::op {
namespace {

kube::ApiResponse call(const RunnerAddress& runner, const std::string& method,
                       const std::string& path, const std::string& body) {
  kube::KubeConfig config;
  config.scheme = "http";
  config.host = runner.host;
  config.port = std::to_string(runner.port);
  config.token = runner.token;
  kube::ApiClient client(config);
  return client.send({method, path, body, "application/json", kube::Millis(5000)});
}

// "WHAT: HTTP 503 <body>" or "WHAT: <why the call failed>".
std::string failure(const kube::ApiResponse& r, const std::string& what) {
  return what + ": " +
         (r.transport_error.empty() ? "HTTP " + std::to_string(r.status) + " " + r.body
                                    : r.transport_error);
}

bool check(const kube::ApiResponse& r, const std::string& what, std::string* error) {
  if (r.ok()) return true;
  *error = failure(r, what);
  return false;
}

}  // namespace

std::optional<nlohmann::json> HttpRunnerApi::status(const RunnerAddress& runner,
                                                    std::string* error) {
  const auto r = call(runner, "GET", "/v1/status", "");
  if (!check(r, "status of " + runner.host, error)) return std::nullopt;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object()) {
    *error = "status of " + runner.host + ": not JSON";
    return std::nullopt;
  }
  return doc;
}

bool HttpRunnerApi::start(const RunnerAddress& runner, WallTime at, const RunnerStart& with,
                          std::string* error) {
  nlohmann::json body = {{"startAt", format_rfc3339(at)}};
  if (with.setup_values.is_object()) body["setupValues"] = with.setup_values;
  if (with.teardown_by_operator) body["teardownBy"] = "operator";
  return check(call(runner, "POST", "/v1/start", body.dump()), "start " + runner.host, error);
}

std::optional<PhaseAnswer> HttpRunnerApi::run_phase(const RunnerAddress& runner,
                                                    const std::string& phase, std::string* error) {
  const auto r = call(runner, "POST", "/v1/" + phase, "");
  // 202: running; 200: done; 422: failed (the phase did, the call did not).
  if (r.transport_error.empty() && (r.status == 202 || r.status == 200 || r.status == 422)) {
    PhaseAnswer answer;
    answer.state = r.status == 202   ? PhaseAnswer::State::kInProgress
                   : r.status == 200 ? PhaseAnswer::State::kDone
                                     : PhaseAnswer::State::kFailed;
    answer.body = nlohmann::json::parse(r.body, nullptr, false);
    if (!answer.body.is_object()) answer.body = nlohmann::json::object();
    return answer;
  }
  *error = failure(r, phase + " on " + runner.host);  // any other answer, 2xx ones included
  return std::nullopt;
}

bool HttpRunnerApi::stop(const RunnerAddress& runner, std::string* error) {
  return check(call(runner, "POST", "/v1/stop", ""), "stop " + runner.host, error);
}

std::optional<std::string> HttpRunnerApi::result(const RunnerAddress& runner, std::string* error) {
  const auto r = call(runner, "GET", "/v1/result", "");
  if (!check(r, "result of " + runner.host, error)) return std::nullopt;
  return r.body;
}

std::optional<std::string> HttpRunnerApi::live_result(const RunnerAddress& runner,
                                                      std::string* error) {
  const auto r = call(runner, "GET", "/v1/result/live", "");
  if (!check(r, "result so far of " + runner.host, error)) return std::nullopt;
  return r.body;
}

bool HttpRunnerApi::acknowledge(const RunnerAddress& runner, std::string* error) {
  return check(call(runner, "POST", "/v1/result/ack", ""),
               "acknowledge the result of " + runner.host, error);
}

}  // namespace stampede::op
