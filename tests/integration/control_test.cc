// `stampede agent` and `run --listen` against the bundled target: readiness, synchronized
// start, stop, result, authentication, metrics export switches and segments.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "base/rfc3339.h"
#include "support/agent.h"
#include "support/nginx.h"
#include "support/stampede_run.h"

namespace stampede::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

#ifdef STAMPEDE_SANITIZED
constexpr double kStartTolerance = 0.050;  // instrumented builds are several times slower
#else
constexpr double kStartTolerance = 0.010;
#endif

std::string plan_for(const TargetProcess& target, const std::string& load) {
  return "name: control\ntarget: " + target.url() + "\nload: " + load +
         "\nscenarios: [{name: s, steps: [{get: /}]}]\n"
         "thresholds: {http_req_failed: [\"rate < 0.01\"]}\n";
}

nlohmann::json target_stats(const TargetProcess& target) {
  return nlohmann::json::parse(target.get("/__stats").body);
}

// A start instant in the future, whole milliseconds (what RFC 3339 in the API carries).
WallTime start_in(milliseconds offset) {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now() + offset);
}

double unix_seconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string start_body(WallTime at) {
  return R"({"startAt": ")" + format_rfc3339(at) + R"("})";
}

TEST(Agent, IsReadyAndWaitsForStart) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  EXPECT_EQ(agent.get("/healthz").status, 200);
  EXPECT_EQ(agent.status()["state"], "waiting");
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(target_stats(target)["requests"], 0) << "no load before /v1/start";
  const auto result = agent.get("/v1/result");
  EXPECT_EQ(result.status, 409) << result.body;
  EXPECT_NE(result.body.find("not finished"), std::string::npos) << result.body;
}

TEST(Agent, StartsAtTheRequestedInstant) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const WallTime at = start_in(milliseconds(1500));
  const auto started = agent.post("/v1/start", start_body(at));
  ASSERT_EQ(started.status, 202) << started.body;
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(target_stats(target)["requests"], 0) << "started before startAt";
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10))) << agent.process().stderr_text();
  const double first = target_stats(target)["first_request_at"].get<double>();
  EXPECT_GE(first, unix_seconds(at));
  EXPECT_LT(first - unix_seconds(at), kStartTolerance) << "first request long after startAt";
  std::printf("first request %.3f ms after startAt\n", (first - unix_seconds(at)) * 1e3);
}

// A startAt already past (the start call came late) starts at once, with a warning and
// started_late_seconds in /v1/status.
TEST(Agent, ALateStartIsLoggedAndShownInTheStatus) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const WallTime at = start_in(-milliseconds(3000));
  ASSERT_EQ(agent.post("/v1/start", start_body(at)).status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10))) << agent.process().stderr_text();
  const double late = agent.status()["started_late_seconds"].get<double>();
  EXPECT_GE(late, 3.0);
  EXPECT_LT(late, 8.0);
  EXPECT_NE(agent.process().stderr_text().find("starting now, late"), std::string::npos)
      << agent.process().stderr_text();
}

// A replacement runner (agent --resume) started 3 s after the shared startAt joins the
// schedule where it is: it ends with the others and makes only the arrivals still to come,
// exactly what it reports. While it runs, /v1/result/live serves the result so far.
TEST(Agent, AResumedAgentJoinsTheTestWhereItIs) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{rate: 50, duration: 6s}"), {"--resume"});
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  EXPECT_EQ(agent.get("/v1/result/live").status, 409) << "nothing before the start";
  const WallTime at = start_in(-milliseconds(3000));
  const auto posted = std::chrono::steady_clock::now();
  ASSERT_EQ(agent.post("/v1/start", start_body(at)).status, 202);
  bool live = false;
  for (int i = 0; i < 40 && !live; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    const auto r = agent.get("/v1/result/live");
    live = r.status == 200 && nlohmann::json::parse(r.body).contains("totals");
  }
  EXPECT_TRUE(live) << "the result so far, while running";
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10))) << agent.process().stderr_text();
  EXPECT_LT(std::chrono::steady_clock::now() - posted, seconds(5))
      << "it ended with the test, not 6 s after joining";
  const double late = agent.status()["started_late_seconds"].get<double>();
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  const auto requests = result["totals"]["requests"].get<std::uint64_t>();
  EXPECT_EQ(requests, target_stats(target)["requests"].get<std::uint64_t>());
  // Arrivals every 20 ms; those due in the `late` seconds before it joined were not its own.
  const double expected = 50 * (6 - late);
  EXPECT_NEAR(static_cast<double>(requests), expected, 2.0) << "late " << late;
  // The live document is the final result once the test is over.
  EXPECT_EQ(nlohmann::json::parse(agent.get("/v1/result/live").body)["totals"]["requests"],
            requests);
}

TEST(Agent, TwoAgentsWithOneStartAtBeginTogether) {
  TargetProcess target_a(STAMPEDE_TARGET_BIN);
  TargetProcess target_b(STAMPEDE_TARGET_BIN);
  AgentProcess a(plan_for(target_a, "{users: 1, duration: 1s}"));
  AgentProcess b(plan_for(target_b, "{users: 1, duration: 1s}"));
  ASSERT_TRUE(a.wait_ready()) << a.process().stderr_text();
  ASSERT_TRUE(b.wait_ready()) << b.process().stderr_text();
  const WallTime at = start_in(milliseconds(800));
  ASSERT_EQ(a.post("/v1/start", start_body(at)).status, 202);
  ASSERT_EQ(b.post("/v1/start", start_body(at)).status, 202);
  ASSERT_TRUE(a.wait_for_state("finished", seconds(10)));
  ASSERT_TRUE(b.wait_for_state("finished", seconds(10)));
  const double first_a = target_stats(target_a)["first_request_at"].get<double>();
  const double first_b = target_stats(target_b)["first_request_at"].get<double>();
  EXPECT_LT(std::abs(first_a - first_b), kStartTolerance);
  std::printf("first requests %.3f ms apart\n", std::abs(first_a - first_b) * 1e3);
  EXPECT_GE(std::min(first_a, first_b), unix_seconds(at));
}

TEST(Agent, ServesTheResultUntilAcknowledgedThenExits) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready());
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  EXPECT_EQ(agent.post("/v1/start").status, 409) << "a second start is refused";
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10)));
  const auto response = agent.get("/v1/result");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto result = nlohmann::json::parse(response.body);
  EXPECT_EQ(result["schema"], "stampede.result/v1");
  EXPECT_EQ(result["testid"], "control");
  EXPECT_EQ(result["totals"]["requests"], target_stats(target)["requests"]);
  EXPECT_TRUE(result["requests"][0].contains("histograms")) << "mergeable by the operator";
  // A fetch is no handover: the fetcher may die before storing it, and fetch it again.
  EXPECT_FALSE(agent.process().wait(milliseconds(1500)).has_value())
      << "the agent exited after a GET, before anyone confirmed the result was stored";
  EXPECT_EQ(agent.get("/v1/result").body, response.body);
  ASSERT_EQ(agent.post("/v1/result/ack").status, 200);
  const auto exit = agent.process().wait(milliseconds(5000));
  ASSERT_TRUE(exit.has_value()) << "the agent exits once the result is acknowledged";
  EXPECT_EQ(exit->code, 0);
}

// A pod about to exit leaves its final numbers with the scraper that watched it: after the
// acknowledgement the agent waits for one more GET /metrics (at most the scraper's interval and
// a second), and that scrape carries the result's counts.
TEST(Agent, WaitsForAFinalScrapeOnceAScraperWatchedTheRun) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 2s}"));
  ASSERT_TRUE(agent.wait_ready());
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_EQ(agent.get("/metrics").status, 200);
  std::this_thread::sleep_for(milliseconds(1500));  // a scraper with a 1.5 s interval
  ASSERT_EQ(agent.get("/metrics").status, 200);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10)));
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  ASSERT_EQ(agent.post("/v1/result/ack").status, 200);
  EXPECT_FALSE(agent.process().wait(milliseconds(500)).has_value())
      << "the agent exited before the scraper saw its final numbers";
  const std::string metrics = agent.get("/metrics").body;
  const auto exit = agent.process().wait(milliseconds(5000));
  ASSERT_TRUE(exit.has_value()) << "the agent exits once the final numbers were scraped";
  EXPECT_EQ(exit->code, 0);
  double scraped = 0;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("stampede_requests_total{", 0) == 0) {
      scraped += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  EXPECT_EQ(scraped, result["totals"]["requests"].get<double>()) << metrics;
}

TEST(Agent, LingersUntilTheLingerTimeWhenNobodyFetches) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"), {"--linger", "1s"});
  ASSERT_TRUE(agent.wait_ready());
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  const auto exit = agent.process().wait(milliseconds(8000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 0);
}

TEST(Agent, StopEndsTheRunGracefully) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 60s}"));
  ASSERT_TRUE(agent.wait_ready());
  EXPECT_EQ(agent.post("/v1/stop").status, 409) << "nothing to stop before the start";
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(agent.wait_for_state("running", seconds(5)));
  std::this_thread::sleep_for(milliseconds(1200));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(agent.post("/v1/stop").status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(5));
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  EXPECT_LT(result["totals"]["duration_seconds"].get<double>(), 10.0);
  EXPECT_EQ(result["aborted_by"], "stopped through /v1/stop");
}

// True when /metrics reports `state` as the runner's current state.
bool metrics_state_is(const AgentProcess& agent, const std::string& state) {
  const std::string text = agent.get("/metrics").body;
  std::size_t at = 0;
  while ((at = text.find("stampede_test_state{", at)) != std::string::npos) {
    const std::string line = text.substr(at, text.find('\n', at) - at);
    if (line.find("state=\"" + state + "\"") != std::string::npos) return line.ends_with(" 1");
    ++at;
  }
  return false;
}

TEST(Agent, IsScheduledUntilTheStartInstant) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 2s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const WallTime at = start_in(milliseconds(2000));
  ASSERT_EQ(agent.post("/v1/start", start_body(at)).status, 202);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(agent.status()["state"], "scheduled");
  EXPECT_TRUE(metrics_state_is(agent, "scheduled")) << agent.get("/metrics").body;
  ASSERT_TRUE(agent.wait_for_state("running", seconds(5))) << agent.status().dump();
  EXPECT_GE(unix_seconds(std::chrono::system_clock::now()), unix_seconds(at));
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10)));
}

TEST(Agent, StopBeforeTheStartInstantEndsARunOfLengthZero) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 2, duration: 2s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  ASSERT_EQ(agent.post("/v1/start", start_body(start_in(seconds(30)))).status, 202);
  std::this_thread::sleep_for(milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(agent.post("/v1/stop").status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(5))) << "the stop waited for the start";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(3));
  const auto status = agent.status();
  EXPECT_EQ(status.value("elapsed_seconds", 0.0), 0.0) << status.dump();
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  EXPECT_EQ(result["totals"]["requests"], 0);
  EXPECT_EQ(result["totals"]["duration_seconds"].get<double>(), 0.0) << result["totals"].dump();
  EXPECT_EQ(result["aborted_by"], "stopped through /v1/stop");
  EXPECT_EQ(target_stats(target)["requests"], 0);
}

TEST(Agent, MutatingCallsNeedTheToken) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"), {},
                     {{"STAMPEDE_CONTROL_TOKEN", "correct-horse"}});
  ASSERT_TRUE(agent.wait_ready());
  EXPECT_EQ(agent.post("/v1/start").status, 401);
  EXPECT_EQ(agent.post("/v1/start", "", "wrong-horse").status, 401);
  EXPECT_EQ(agent.post("/v1/stop").status, 401);
  EXPECT_EQ(agent.get("/v1/status").status, 200) << "reads stay open";
  EXPECT_EQ(agent.status()["state"], "waiting") << "a refused start starts nothing";
  EXPECT_EQ(agent.post("/v1/start", "", "correct-horse").status, 202);
}

TEST(Agent, TokenFromAFile) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string file = write_temp_file("from-a-file\n", ".token");
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"), {"--control-token-file", file});
  ASSERT_TRUE(agent.wait_ready());
  EXPECT_EQ(agent.post("/v1/start", "", "from-a-fil").status, 401);
  EXPECT_EQ(agent.post("/v1/start", "", "from-a-file").status, 202);
}

TEST(Agent, BadRequestsGetClearAnswers) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready());
  const auto bad_json = agent.post("/v1/start", "{not json");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_NE(bad_json.body.find("not valid JSON"), std::string::npos) << bad_json.body;
  const auto bad_time = agent.post("/v1/start", R"({"startAt": "tomorrow"})");
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_NE(bad_time.body.find("startAt"), std::string::npos) << bad_time.body;
  EXPECT_EQ(agent.post("/v1/start", R"({"start": "2026-01-01T00:00:00Z"})").status, 400);
  EXPECT_EQ(agent.post("/v1/start", "[1]").status, 400);
  EXPECT_EQ(agent.get("/v1/nothing").status, 404);
  const auto wrong_method = agent.get("/v1/start");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "POST");
  EXPECT_EQ(agent.status()["state"], "waiting");
}

// The nanosecond clock ends in 2262: 9999-12-31 used to start at once, 2263-01-01 to report
// "running" and never send. Both are refused, and the agent still starts on a sane call.
TEST(Agent, StartAtBeyondTheHorizonIsRefused) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const std::vector<std::string> far_off = {"9999-12-31T23:59:59Z", "2263-01-01T00:00:00Z",
                                            format_rfc3339(start_in(std::chrono::hours(25)))};
  for (const std::string& at : far_off) {
    const auto refused = agent.post("/v1/start", R"({"startAt": ")" + at + R"("})");
    EXPECT_EQ(refused.status, 400) << at << ": " << refused.body;
    EXPECT_NE(refused.body.find("startAt"), std::string::npos) << refused.body;
  }
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(agent.status()["state"], "waiting");
  EXPECT_EQ(target_stats(target)["requests"], 0) << "a refused start sent load";
  ASSERT_EQ(agent.post("/v1/start", start_body(start_in(milliseconds(200)))).status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(10))) << agent.process().stderr_text();
  EXPECT_GT(target_stats(target)["requests"].get<int>(), 0);
}

// CPU seconds a process has used (utime + stime from /proc/PID/stat).
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  double ticks = 0;
  for (int i = 3; fields >> field && i <= 15; ++i) {
    if (i >= 14) ticks += std::stod(field);  // fields 14 and 15: utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// With its file handles used up, the agent's accept fails with EMFILE. It used to retry at once
// (an idle agent at 60 % CPU, /healthz timing out); it must back off, and answer again as soon
// as connections close.
TEST(Agent, OutOfFileHandlesTheServerBacksOffAndRecovers) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // --threads 2: the fd budget must not depend on the machine's core count.
  AgentProcess agent(plan_for(target, "{users: 1, duration: 1s}"), {"--threads", "2"}, {}, 64);
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  // Idle connections, more than the agent has handles for (but under its cap of 256): it holds
  // each accepted one for its 10 s request timeout, and the rest make accept fail.
  std::vector<std::unique_ptr<HttpConnection>> idle;
  idle.reserve(100);
  for (int i = 0; i < 100; ++i) {
    idle.push_back(std::make_unique<HttpConnection>("127.0.0.1", agent.port()));
  }
  std::this_thread::sleep_for(milliseconds(300));
  const double before = cpu_seconds(agent.process().pid());
  std::this_thread::sleep_for(milliseconds(1000));
  const double used = cpu_seconds(agent.process().pid()) - before;
  std::printf("agent CPU while out of file handles: %.2f s in 1 s\n", used);
  EXPECT_LT(used, 0.1) << "the server spins on a failing accept";
  const std::string log = agent.process().stderr_text();
  EXPECT_NE(log.find("cannot accept a connection: Too many open files"), std::string::npos) << log;
  idle.clear();  // the agent sees them close and has handles again
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(agent.get("/healthz").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - asked, seconds(3)) << "/healthz slow to recover";
}

TEST(Agent, AnInvalidPlanExitsWithTwo) {
  AgentProcess agent(
      "target: http://127.0.0.1:1\nload: {users: -1, duration: 1s}\n"
      "scenarios: [{name: s, steps: [{get: /}]}]\n");
  const auto exit = agent.process().wait(milliseconds(5000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 2);
  EXPECT_NE(agent.process().stderr_text().find("load.users"), std::string::npos)
      << agent.process().stderr_text();
}

TEST(Agent, NotReadyWhileTheTargetDoesNotResolve) {
  AgentProcess agent(
      "target: http://no-such-host.invalid:80\nload: {users: 1, duration: 1s}\n"
      "scenarios: [{name: s, steps: [{get: /}]}]\n");
  EXPECT_FALSE(agent.wait_ready(milliseconds(1500)));
  const auto readyz = agent.get("/readyz");
  EXPECT_EQ(readyz.status, 503);
  EXPECT_NE(readyz.body.find("no-such-host.invalid"), std::string::npos) << readyz.body;
  EXPECT_EQ(agent.post("/v1/start").status, 409) << "cannot start while not ready";
}

std::string fetch_metrics(const AgentProcess& agent) {
  const auto response = agent.get("/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.header("content-type").find("text/plain"), std::string::npos);
  return response.body;
}

TEST(Metrics, PromtoolAcceptsTheLiveExposition) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent("name: promtool\ntarget: " + target.url() + R"(
load: {users: 2, duration: 2s}
scenarios:
  - name: s
    tasks:
      - {name: ok, steps: [{get: /}]}
      - {name: teapot, steps: [{get: /status/500, name: "/status/{code}"}]}
thresholds: {http_req_failed: ["rate < 0.01"]}
)");
  ASSERT_TRUE(agent.wait_ready());
  const std::string before = fetch_metrics(agent);
  EXPECT_NE(before.find(R"(stampede_test_state{runner="0",testid="promtool",state="waiting"} 1)"),
            std::string::npos)
      << before;
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  std::this_thread::sleep_for(milliseconds(1500));
  const std::string during = fetch_metrics(agent);
  for (const char* metric :
       {"stampede_requests_total{", "stampede_request_failures_total{",
        "stampede_request_duration_seconds_bucket{", "stampede_users{", "stampede_target_rate{",
        "stampede_dropped_total{", "stampede_data_sent_bytes_total{",
        "stampede_data_received_bytes_total{", "stampede_threshold_ok{", "stampede_test_state{",
        "stampede_runner_info{", "stampede_generator_cpu_seconds_total{",
        "stampede_generator_thread_cpu_seconds_total{", "stampede_generator_memory_bytes{",
        "stampede_generator_memory_peak_bytes{", "stampede_generator_connections{",
        "stampede_generator_loop_lag_seconds{", "stampede_generator_saturated{",
        "stampede_generator_saturated_seconds_total{"}) {
    EXPECT_NE(during.find(metric), std::string::npos) << metric << " missing in\n" << during;
  }
  EXPECT_NE(during.find(R"(reason="unexpected_status")"), std::string::npos);
  const std::string file = write_temp_file(during, ".prom");
  const auto check =
      run_process({"/bin/sh", "-c", "promtool check metrics < " + file}, milliseconds(20'000));
  EXPECT_EQ(check.status.code, 0) << check.stdout_text << check.stderr_text;
  EXPECT_EQ(check.stdout_text + check.stderr_text, "") << "promtool reports no problem at all";
}

TEST(Metrics, TheSwitchTurnsExportOff) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess flag(plan_for(target, "{users: 1, duration: 1s}"), {"--no-metrics"});
  AgentProcess env(plan_for(target, "{users: 1, duration: 1s}"), {},
                   {{"STAMPEDE_METRICS_EXPORT", "false"}});
  ASSERT_TRUE(flag.wait_ready());
  ASSERT_TRUE(env.wait_ready());
  EXPECT_EQ(flag.get("/metrics").status, 404);
  EXPECT_EQ(env.get("/metrics").status, 404);
  EXPECT_EQ(flag.get("/v1/status").status, 200) << "the control API stays";
}

TEST(Run, ListenServesStatusWhileRunning) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess run({STAMPEDE_BIN, "run",
                  write_temp_file(plan_for(target, "{users: 2, duration: 3s}")), "--quiet",
                  "--listen", "127.0.0.1:" + std::to_string(port)});
  nlohmann::json status = nlohmann::json::object();
  for (int i = 0; i < 100 && status.value("requests", 0) == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    try {
      status = nlohmann::json::parse(http_get("127.0.0.1", port, "/v1/status").body);
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_EQ(status["state"], "running") << status;
  EXPECT_EQ(status["users"], 2) << status;
  EXPECT_GT(status["requests"].get<int>(), 0) << status;
  EXPECT_EQ(status["thresholds"][0]["ok"], true) << status;
  EXPECT_NE(http_get("127.0.0.1", port, "/metrics").body.find("stampede_requests_total"),
            std::string::npos);
  EXPECT_EQ(run.wait_or_kill(milliseconds(15'000)).code, 0) << run.stderr_text();
}

TEST(Run, AnAddressInUseIsAnErrorBeforeTheRun) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede("run", plan_for(target, "{users: 1, duration: 1s}"),
                                {"--listen", "127.0.0.1:" + std::to_string(target.port())});
  EXPECT_EQ(run.exit_code, 1) << run.describe();
  EXPECT_NE(run.err.find("cannot listen"), std::string::npos) << run.describe();
  EXPECT_EQ(target_stats(target)["requests"], 0);
}

// N runners with segments 0..N-1 together make exactly the plan's load.
TEST(Segments, SumToThePlansUsersAndArrivals) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string plan = "target: " + target.url() + R"(
load: {users: 1, duration: 1s}
scenarios:
  - name: closed
    steps: [{get: /}]
    wait: constant(50ms)
)";
  constexpr int kSegments = 3;
  // Closed model, 10 users: 4 + 3 + 3.
  std::uint64_t users = 0;
  std::vector<std::unique_ptr<Subprocess>> runs;
  std::vector<std::string> json_files;
  for (int i = 0; i < kSegments; ++i) {
    json_files.push_back(write_temp_file("", ".json"));
    runs.push_back(std::make_unique<Subprocess>(std::vector<std::string>{
        STAMPEDE_BIN, "run", write_temp_file(plan), "-u", "10", "-t", "2s", "--quiet", "--threads",
        "2", "--segment", std::to_string(i) + "/" + std::to_string(kSegments), "--json",
        json_files.back()}));
  }
  for (int i = 0; i < kSegments; ++i) {
    ASSERT_EQ(runs[i]->wait_or_kill(milliseconds(20'000)).code, 0) << runs[i]->stderr_text();
    std::ifstream in(json_files[i]);
    const auto result = nlohmann::json::parse(in);
    double peak = 0;
    for (const auto& point : result["series"]) peak = std::max(peak, point["users"].get<double>());
    users += static_cast<std::uint64_t>(peak);
    EXPECT_EQ(result["runner"], std::to_string(i) + "/3");
  }
  EXPECT_EQ(users, 10u);

  // Open model, 250/s for 2 s: 500 arrivals, split 167 + 167 + 166.
  runs.clear();
  json_files.clear();
  for (int i = 0; i < kSegments; ++i) {
    json_files.push_back(write_temp_file("", ".json"));
    runs.push_back(std::make_unique<Subprocess>(std::vector<std::string>{
        STAMPEDE_BIN, "run", write_temp_file(plan), "--rate", "250", "-t", "2s", "--quiet",
        "--segment", std::to_string(i) + "/" + std::to_string(kSegments), "--json",
        json_files.back()}));
  }
  std::uint64_t iterations = 0;
  std::uint64_t dropped = 0;
  for (int i = 0; i < kSegments; ++i) {
    ASSERT_EQ(runs[i]->wait_or_kill(milliseconds(20'000)).code, 0) << runs[i]->stderr_text();
    std::ifstream in(json_files[i]);
    const auto result = nlohmann::json::parse(in);
    iterations += result["totals"]["iterations"].get<std::uint64_t>();
    dropped += result["totals"]["dropped"].get<std::uint64_t>();
  }
  EXPECT_EQ(iterations + dropped, 500u);
  EXPECT_EQ(dropped, 0u);
}

TEST(Segments, BadSegmentIsAUsageError) {
  for (const char* bad : {"3/3", "1", "a/b", "0/0", "-1/2"}) {
    const auto run = run_stampede("run",
                                  "target: http://127.0.0.1:1\nload: {users: 1, duration: 1s}\n"
                                  "scenarios: [{name: s, steps: [{get: /}]}]\n",
                                  {"--segment", bad});
    EXPECT_EQ(run.exit_code, 2) << bad << run.describe();
    EXPECT_NE(run.err.find("--segment"), std::string::npos) << run.describe();
  }
}

}  // namespace
}  // namespace stampede::testing
