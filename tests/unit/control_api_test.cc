// The control API's routing, authentication and state machine, without a network: requests go
// straight to ControlApi::handle.
#include "control/control_api.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace stampede {
namespace {

HttpRequest request(std::string method, std::string path, std::string body = "",
                    std::string authorization = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  r.authorization = std::move(authorization);
  return r;
}

nlohmann::json body_of(const HttpResponse& r) {
  return nlohmann::json::parse(r.body);
}

TEST(ControlApi, HealthAndReadiness) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  EXPECT_EQ(api.handle(request("GET", "/healthz")).status, 200);
  state.set_ready(false, "cannot resolve target.example");
  const auto not_ready = api.handle(request("GET", "/readyz"));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("target.example"), std::string::npos);
  state.set_ready(true);
  EXPECT_EQ(api.handle(request("GET", "/readyz")).status, 200);
}

TEST(ControlApi, StartCarriesTheInstantToTheWaitingRunner) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  auto waiting = std::async(std::launch::async, [&] { return state.wait_for_start(); });
  const auto response =
      api.handle(request("POST", "/v1/start", R"({"startAt": "2026-11-22T16:40:00.250Z"})"));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(body_of(response)["startAt"], "2026-11-22T16:40:00.250Z");
  const auto at = waiting.get();
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(format_rfc3339(*at), "2026-11-22T16:40:00.250Z");
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["start_at"],
            "2026-11-22T16:40:00.250Z");
  EXPECT_EQ(api.handle(request("POST", "/v1/start")).status, 409) << "only one start";
  EXPECT_EQ(
      api.handle(request("POST", "/v1/start", R"({"startAt": "2026-11-22T16:40:00.250Z"})")).status,
      202)
      << "the same instant again is a retry, not a second start";
  EXPECT_EQ(
      api.handle(request("POST", "/v1/start", R"({"startAt": "2026-11-22T16:40:01Z"})")).status,
      409);
}

TEST(ControlApi, StartWithoutABodyMeansNow) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  EXPECT_EQ(api.handle(request("POST", "/v1/start", " \n")).status, 202);
  EXPECT_FALSE(state.wait_for_start().has_value());
}

TEST(ControlApi, StartIsRefusedUntilReady) {
  ControlState state;
  state.set_ready(false, "resolving");
  ControlApi api(state, nullptr, "");
  const auto response = api.handle(request("POST", "/v1/start"));
  EXPECT_EQ(response.status, 409);
  EXPECT_NE(response.body.find("resolving"), std::string::npos);
}

TEST(ControlApi, BadBodiesAre400WithAMessage) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  for (const char* body :
       {"{", "[]", "\"x\"", R"({"startAt": 5})", R"({"startAt": "soon"})", R"({"when": "x"})"}) {
    const auto response = api.handle(request("POST", "/v1/start", body));
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_FALSE(body_of(response)["error"].get<std::string>().empty()) << body;
  }
  EXPECT_EQ(state.state(), RunState::kWaiting);
}

TEST(ControlApi, TokenGuardsOnlyMutatingCalls) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "tok");
  const auto refused = api.handle(request("POST", "/v1/start", "", "Bearer nope"));
  EXPECT_EQ(refused.status, 401);
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(api.handle(request("POST", "/v1/stop")).status, 401);
  EXPECT_EQ(api.handle(request("GET", "/v1/status")).status, 200);
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).status, 409);
  EXPECT_EQ(api.handle(request("POST", "/v1/start", "", "Bearer tok")).status, 202);
}

TEST(ControlApi, StopReachesTheRunningEngine) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  EXPECT_EQ(api.handle(request("POST", "/v1/stop")).status, 409);
  int stops = 0;
  state.started([&] { ++stops; });
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["state"], "running");
  EXPECT_EQ(api.handle(request("POST", "/v1/stop")).status, 202);
  EXPECT_EQ(stops, 1);
  state.finished("{}");
  EXPECT_EQ(api.handle(request("POST", "/v1/stop")).status, 409);
  EXPECT_EQ(stops, 1);
}

TEST(ControlApi, ResultIs409UntilFinishedThenMarksItFetched) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  state.started([] {});
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).status, 409);
  state.finished(R"({"schema":"stampede.result/v1"})");
  auto response = api.handle(request("GET", "/v1/result"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response)["schema"], "stampede.result/v1");
  EXPECT_FALSE(state.wait_until_fetched(std::chrono::milliseconds(1)));
  ASSERT_TRUE(response.after_sent);
  response.after_sent();
  EXPECT_TRUE(state.wait_until_fetched(std::chrono::milliseconds(1)));
}

TEST(ControlApi, UnknownPathsAndWrongMethods) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  EXPECT_EQ(api.handle(request("GET", "/nope")).status, 404);
  EXPECT_EQ(api.handle(request("GET", "/metrics")).status, 404) << "export off";
  const auto wrong = api.handle(request("POST", "/v1/status"));
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].second, "GET");
}

// Found by the control fuzz target: a path or a readiness reason that is not UTF-8 made the
// JSON error body throw (the server answered 500 "internal error" instead of 404 or 409).
TEST(ControlApi, ErrorsNamingBytesThatAreNotUtf8AreStillJson) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  const auto unknown = api.handle(request("GET", "/v1/\xff\xfe"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(nlohmann::json::accept(unknown.body)) << unknown.body;
  state.set_ready(false, "cannot resolve h\xc3\x28st");
  const auto refused = api.handle(request("POST", "/v1/start"));
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(body_of(refused)["error"].get<std::string>().find("cannot resolve h"),
            std::string::npos);
}

TEST(ControlApi, ServesMetricsWhenExportIsOn) {
  ControlState state;
  MetricsExporter exporter({"t1", "0", "test"});
  ControlApi api(state, &exporter, "");
  const auto response = api.handle(request("GET", "/metrics"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(response.body.find(R"(stampede_runner_info{runner="0",testid="t1",version="test"} 1)"),
            std::string::npos)
      << response.body;
}

}  // namespace
}  // namespace stampede
