// The control API's routing, authentication and state machine, without a network: requests go
// straight to ControlApi::handle.
#include "control/control_api.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "engine/load_control.h"

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

// An instant `offset` from now, in whole milliseconds (what the API's RFC 3339 carries).
WallTime from_now(std::chrono::milliseconds offset) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() +
                                                                 offset);
}

std::string start_body(WallTime at) {
  return R"({"startAt": ")" + format_rfc3339(at) + R"("})";
}

TEST(ControlApi, StartCarriesTheInstantToTheWaitingRunner) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  auto waiting = std::async(std::launch::async, [&] { return state.wait_for_start(); });
  const WallTime at = from_now(std::chrono::seconds(3));
  const auto response = api.handle(request("POST", "/v1/start", start_body(at)));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(body_of(response)["startAt"], format_rfc3339(at));
  const auto waited = waiting.get();
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(*waited, at);
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["start_at"], format_rfc3339(at));
  EXPECT_EQ(api.handle(request("POST", "/v1/start")).status, 409) << "only one start";
  EXPECT_EQ(api.handle(request("POST", "/v1/start", start_body(at))).status, 202)
      << "the same instant again is a retry, not a second start";
  EXPECT_EQ(
      api.handle(request("POST", "/v1/start", start_body(at + std::chrono::seconds(1)))).status,
      409);
}

// A runner whose startAt had passed starts at once, late: /v1/status says by how much.
TEST(ControlApi, ALateStartShowsInTheStatus) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  // Within the start horizon (24 h), already past.
  const WallTime at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - std::chrono::seconds(10));
  ASSERT_EQ(api.handle(request("POST", "/v1/start", start_body(at))).status, 202);
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["started_late_seconds"], 0.0);
  EXPECT_DOUBLE_EQ(state.note_start_lateness(at + std::chrono::milliseconds(2500)), 2.5);
  EXPECT_DOUBLE_EQ(
      body_of(api.handle(request("GET", "/v1/status")))["started_late_seconds"].get<double>(), 2.5);
}

TEST(ControlApi, AStartOnTimeOrWithoutAnInstantIsNotLate) {
  ControlState on_time;
  on_time.set_ready(true);
  const WallTime at = *parse_rfc3339("2026-11-22T16:40:00Z", nullptr);
  std::string why;
  ASSERT_TRUE(on_time.request_start(at, &why)) << why;
  EXPECT_EQ(on_time.note_start_lateness(at - std::chrono::seconds(3)), 0.0);
  EXPECT_EQ(on_time.status()["started_late_seconds"], 0.0);
  ControlState now;
  now.set_ready(true);
  ASSERT_TRUE(now.request_start(std::nullopt, &why)) << why;
  EXPECT_EQ(now.note_start_lateness(at), 0.0);
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

// Past year 2262 the nanosecond clock overflows: 9999-12-31 used to start at once and
// 2263-01-01 to say "running" and never send. Far-off instants are a mistake, not a plan.
TEST(ControlApi, StartAtBeyondTheHorizonIs400) {
  using std::chrono::hours;
  using std::chrono::minutes;
  for (const std::string& body :
       {std::string(R"({"startAt": "9999-12-31T23:59:59Z"})"),
        std::string(R"({"startAt": "2263-01-01T00:00:00Z"})"),
        std::string(R"({"startAt": "2262-04-11T00:00:00Z"})"),
        std::string(R"({"startAt": "1700-01-01T00:00:00Z"})"),
        std::string(R"({"startAt": "0001-01-01T00:00:00Z"})"), start_body(from_now(hours(25))),
        start_body(from_now(hours(24) + minutes(1))), start_body(from_now(-hours(25)))}) {
    ControlState state;
    state.set_ready(true);
    ControlApi api(state, nullptr, "");
    const auto response = api.handle(request("POST", "/v1/start", body));
    EXPECT_EQ(response.status, 400) << body;
    const std::string message = body_of(response).value("error", "");
    EXPECT_EQ(message.rfind("startAt", 0), 0u) << message;
    EXPECT_EQ(state.state(), RunState::kWaiting) << body;
    EXPECT_EQ(api.handle(request("GET", "/v1/status")).body.find("start_at"), std::string::npos);
  }
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  const auto beyond = api.handle(request("POST", "/v1/start", start_body(from_now(hours(48)))));
  EXPECT_NE(body_of(beyond).value("error", "").find("24h"), std::string::npos)
      << "the message names the horizon: " << beyond.body;
  EXPECT_EQ(api.handle(request("POST", "/v1/start", start_body(from_now(-hours(23))))).status, 202)
      << "already past, within the horizon: starts at once";
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

TEST(ControlApi, AStartInstantInTheFutureIsScheduledAndCanBeCalledOff) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  const WallTime at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() + std::chrono::hours(1));
  const auto started =
      api.handle(request("POST", "/v1/start", R"({"startAt": ")" + format_rfc3339(at) + R"("})"));
  ASSERT_EQ(started.status, 202) << started.body;
  int stops = 0;
  state.started([&] { ++stops; });
  EXPECT_EQ(state.state(), RunState::kScheduled);
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["state"], "scheduled");
  EXPECT_EQ(api.handle(request("POST", "/v1/stop")).status, 202)
      << "a scheduled test can be stopped";
  EXPECT_EQ(stops, 1);
}

TEST(ControlApi, AStartInstantInThePastIsRunningAtOnce) {
  ControlState state;
  state.set_ready(true);
  ControlApi api(state, nullptr, "");
  const WallTime at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - std::chrono::seconds(1));
  ASSERT_EQ(
      api.handle(request("POST", "/v1/start", R"({"startAt": ")" + format_rfc3339(at) + R"("})"))
          .status,
      202);
  state.started([] {});
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["state"], "running");
}

TEST(ControlApi, ResultIs409UntilFinishedAndServedUntilAcknowledged) {
  ControlState state;
  ControlApi api(state, nullptr, "tok");
  state.started([] {});
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).status, 409);
  EXPECT_EQ(api.handle(request("POST", "/v1/result/ack", "", "Bearer tok")).status, 409)
      << "nothing to acknowledge before the result exists";
  state.finished(R"({"schema":"stampede.result/v1"})");
  auto response = api.handle(request("GET", "/v1/result"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response)["schema"], "stampede.result/v1");
  if (response.after_sent) response.after_sent();
  EXPECT_FALSE(state.wait_until_acknowledged(std::chrono::milliseconds(1)))
      << "a fetch alone is no handover";
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).body, response.body) << "served again";
  EXPECT_EQ(api.handle(request("POST", "/v1/result/ack")).status, 401) << "needs the token";
  EXPECT_EQ(api.handle(request("GET", "/v1/result/ack")).status, 405);
  EXPECT_FALSE(state.wait_until_acknowledged(std::chrono::milliseconds(1)));
  const auto ack = api.handle(request("POST", "/v1/result/ack", "", "Bearer tok"));
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(body_of(ack)["state"], "acknowledged");
  EXPECT_TRUE(state.wait_until_acknowledged(std::chrono::milliseconds(1)));
  EXPECT_EQ(api.handle(request("POST", "/v1/result/ack", "", "Bearer tok")).status, 200)
      << "repeating it is harmless";
}

// The agent's wait ends when the acknowledgement arrives, not at the end of --linger.
TEST(ControlApi, AnAcknowledgementWakesTheWaitingAgent) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  state.finished("{}");
  auto waiting = std::async(
      std::launch::async, [&] { return state.wait_until_acknowledged(std::chrono::seconds(30)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(api.handle(request("POST", "/v1/result/ack")).status, 200);
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(waiting.get());
}

// POST /v1/load reaches the engine's load control through ControlState; a LoadControl of a
// closed-model plan (2 users, spawnRate 1) stands in for the engine.
TEST(ControlApi, LoadChangesReachTheEngine) {
  ClosedModel plan;
  plan.users = 2;
  plan.spawn_rate = 1;
  plan.duration = std::chrono::seconds(60);
  LoadControl load(LoadModel{plan}, {1});
  ControlState state;
  ControlApi api(state, nullptr, "tok");
  const auto post = [&](const std::string& body) {
    return api.handle(request("POST", "/v1/load", body, "Bearer tok"));
  };
  const std::string body = R"({"users": 10, "spawnRate": 100})";
  EXPECT_EQ(api.handle(request("POST", "/v1/load", body)).status, 401);
  EXPECT_EQ(api.handle(request("POST", "/v1/load", body, "Bearer nope")).status, 401);
  EXPECT_EQ(api.handle(request("GET", "/v1/load")).status, 405);
  EXPECT_EQ(post(body).status, 409) << "nothing takes changes yet";

  state.accept_load_changes([&](const LoadChange& c) { return load.change(c, Clock::now()); });
  const auto waiting = post(body);  // before the start: kept, applies from t0
  ASSERT_EQ(waiting.status, 202) << waiting.body;
  EXPECT_EQ(body_of(waiting), nlohmann::json::parse(R"({"users": 10, "spawnRate": 100.0})"));
  EXPECT_EQ(load.version(), 1u);
  state.started([] {});
  const auto running = post(R"({"users": 3})");
  ASSERT_EQ(running.status, 202) << running.body;
  EXPECT_EQ(body_of(running)["spawnRate"], 1.0) << "the plan's spawn rate";

  const auto wrong_model = post(R"({"rate": 5})");
  EXPECT_EQ(wrong_model.status, 400);
  EXPECT_EQ(body_of(wrong_model)["error"].get<std::string>().rfind("rate", 0), 0u);
  const auto bad_number = post(R"({"users": -3})");
  EXPECT_EQ(bad_number.status, 400);
  EXPECT_EQ(body_of(bad_number)["error"].get<std::string>().rfind("users", 0), 0u);

  state.set_state(RunState::kStopping);
  const auto stopping = post(body);
  EXPECT_EQ(stopping.status, 409);
  EXPECT_NE(body_of(stopping)["error"].get<std::string>().find("over"), std::string::npos);
  state.finished("{}");
  const auto finished = post(body);
  EXPECT_EQ(finished.status, 409);
  EXPECT_NE(body_of(finished)["error"].get<std::string>().find("finished"), std::string::npos);
  EXPECT_EQ(load.version(), 2u) << "refused changes change nothing";
}

// `stampede ui` after a run (New test): the finished result stays and is served, the next
// engine takes the form's load, and a start begins the next run; a finished `run` takes neither.
TEST(ControlApi, AReopenedRunnerTakesTheNextRunsLoadAndStart) {
  ControlState state;
  ControlApi api(state, nullptr, "");
  state.set_ready(true);
  EXPECT_FALSE(state.wait_for_start_for(std::chrono::milliseconds(0)));
  ASSERT_EQ(api.handle(request("POST", "/v1/start")).status, 202);
  EXPECT_TRUE(state.wait_for_start_for(std::chrono::milliseconds(0)));
  state.started([] {});
  state.finished(R"({"run":1})");
  EXPECT_EQ(api.handle(request("POST", "/v1/start")).status, 409) << "a finished run is over";
  EXPECT_EQ(api.handle(request("POST", "/v1/load", R"({"users": 5})")).status, 409);

  ClosedModel plan;
  plan.users = 2;
  plan.duration = std::chrono::seconds(60);
  LoadControl next(LoadModel{plan}, {1});
  state.accept_load_changes([&](const LoadChange& c) { return next.change(c, Clock::now()); });
  state.reopen_for_start();
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["state"], "finished");
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).body, R"({"run":1})") << "kept until the next";
  EXPECT_FALSE(state.wait_for_start_for(std::chrono::milliseconds(0)));
  const auto load = api.handle(request("POST", "/v1/load", R"({"users": 5})"));
  ASSERT_EQ(load.status, 202) << load.body;
  EXPECT_EQ(next.version(), 1u);
  auto waiting = std::async(std::launch::async,
                            [&] { return state.wait_for_start_for(std::chrono::seconds(30)); });
  ASSERT_EQ(api.handle(request("POST", "/v1/start")).status, 202);
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(waiting.get());
  state.started([] {});
  EXPECT_EQ(body_of(api.handle(request("GET", "/v1/status")))["state"], "running");
  state.finished(R"({"run":2})");
  EXPECT_EQ(api.handle(request("GET", "/v1/result")).body, R"({"run":2})");
  const auto after = api.handle(request("POST", "/v1/load", R"({"users": 1})"));
  EXPECT_EQ(after.status, 409) << "not reopened: the load change is refused";
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

// A finished agent waits for one more scrape only when something scraped it during the run, and
// no longer than the scraper's interval (the longest gap seen) and a second.
TEST(ControlApi, AFinishedAgentWaitsForTheScraperOnlyWhenThereIsOne) {
  using Steady = std::chrono::steady_clock;
  MetricsExporter exporter({"t1", "0", "test"});
  {
    ControlState unscraped;
    unscraped.finished("{}");
    EXPECT_FALSE(unscraped.final_scrape_deadline().has_value());
  }
  ControlState state;
  ControlApi api(state, &exporter, "");
  ASSERT_EQ(api.handle(request("GET", "/metrics")).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto before_last = Steady::now();
  ASSERT_EQ(api.handle(request("GET", "/metrics")).status, 200);
  const auto after_last = Steady::now();
  state.finished("{}");
  const auto deadline = state.final_scrape_deadline();
  ASSERT_TRUE(deadline.has_value());
  // The gap was at least 200 ms and at most 200 ms plus the time between the two calls.
  EXPECT_GE(*deadline, before_last + std::chrono::milliseconds(1200));
  EXPECT_LE(*deadline, after_last + (after_last - before_last) + std::chrono::milliseconds(1400));

  EXPECT_FALSE(state.wait_for_final_scrape(std::chrono::milliseconds(10)));
  auto waiting = std::async(std::launch::async,
                            [&] { return state.wait_for_final_scrape(std::chrono::seconds(30)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(api.handle(request("GET", "/metrics")).status, 200);
  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(waiting.get());
  EXPECT_FALSE(state.final_scrape_deadline().has_value()) << "the final numbers were scraped";
}

}  // namespace
}  // namespace stampede
