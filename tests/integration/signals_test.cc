// SIGINT and SIGTERM to `stampede run` and `stampede agent`, once and twice, against a fast
// target and a stalled one: the summary is printed, the result is written with every request
// accounted for (those still open when the run was cut short counted as `interrupted`), the
// exit code says the run was stopped by a signal, and the process ends within a bound.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "support/agent.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// The exit code of a run stopped by SIGINT or SIGTERM (README, "Exit codes").
constexpr int kExitInterrupted = 105;
// Users that hold a request open on the stalled target.
constexpr int kStalledUsers = 3;

#ifdef STAMPEDE_SANITIZED
constexpr auto kSlack = seconds(6);  // instrumented builds start and stop several times slower
#else
constexpr auto kSlack = seconds(3);  // a busy 2-core machine; the work itself takes milliseconds
#endif

nlohmann::json target_stats(const TargetProcess& target) {
  return nlohmann::json::parse(target.get("/__stats").body);
}

std::uint64_t server_requests(const TargetProcess& target) {
  return target_stats(target)["requests"].get<std::uint64_t>();
}

bool wait_until(const std::function<bool()>& done, Millis timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

std::uint64_t count(const nlohmann::json& result, const std::string& category) {
  return result["errors"].value(category, std::uint64_t{0});
}

std::uint64_t total(const nlohmann::json& result, const std::string& field) {
  return result["totals"][field].get<std::uint64_t>();
}

// A plan whose users hit `path` of the target for far longer than any test waits.
std::string plan_for(const TargetProcess& target, int users, const std::string& path,
                     const std::string& graceful_stop) {
  return "name: signals\ntarget: {url: " + target.url() +
         ", timeout: 60s}\n"
         "load: {users: " +
         std::to_string(users) + ", duration: 5m, gracefulStop: " + graceful_stop +
         "}\n"
         "scenarios: [{name: s, steps: [{get: \"" +
         path + "\", name: req}]}]\n";
}

// `stampede run PLAN --json FILE --quiet` as a child process the test can signal.
class SignalledRun {
 public:
  explicit SignalledRun(const std::string& plan_yaml)
      : json_path_(write_temp_file("", ".json")),
        process_(
            {STAMPEDE_BIN, "run", write_temp_file(plan_yaml), "--json", json_path_, "--quiet"}) {}

  Subprocess& process() { return process_; }

  // Sends `signal` and notes when, for exit_within().
  void signal(int signal) {
    process_.send_signal(signal);
    last_signal_ = SteadyClock::now();
  }

  // The exit status once the process has ended, at most `bound` after the last signal; nullopt
  // (and the process is killed) when it runs longer.
  std::optional<ExitStatus> exit_within(Millis bound) {
    const auto left = std::chrono::duration_cast<Millis>(last_signal_ + bound - SteadyClock::now());
    auto status = process_.wait(std::max(left, Millis(0)));
    if (!status) process_.wait_or_kill(Millis(0));
    return status;
  }

  nlohmann::json result() const {
    std::ifstream in(json_path_);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, false);
  }

 private:
  std::string json_path_;
  Subprocess process_;
  SteadyClock::time_point last_signal_ = SteadyClock::now();
};

// The summary went to stdout and says why the run ended early.
void expect_summary(Subprocess& process) {
  const std::string out = process.stdout_text();
  EXPECT_NE(out.find("requests"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped early: signal"), std::string::npos) << out;
}

// The summary's errors line counts `n` interrupted requests.
void expect_interrupted_in_summary(Subprocess& process, int n) {
  const std::string out = process.stdout_text();
  EXPECT_NE(out.find("interrupted: " + std::to_string(n)), std::string::npos) << out;
}

const int kSignals[] = {SIGINT, SIGTERM};

std::string signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

TEST(RunSignals, OneSignalStopsGracefullyAndKeepsEveryCount) {
  for (const int sig : kSignals) {
    SCOPED_TRACE(signal_name(sig));
    TargetProcess target(STAMPEDE_TARGET_BIN);
    SignalledRun run(plan_for(target, 4, "/", "30s"));
    ASSERT_TRUE(wait_until([&] { return server_requests(target) >= 200; }, seconds(20)))
        << run.process().stderr_text();
    run.signal(sig);
    const auto status = run.exit_within(kSlack);
    ASSERT_TRUE(status.has_value()) << "still running after the signal";
    EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
    expect_summary(run.process());
    const auto result = run.result();
    ASSERT_TRUE(result.is_object()) << "no result JSON";
    EXPECT_EQ(result["aborted_by"], "signal");
    EXPECT_EQ(total(result, "requests"), server_requests(target));
    EXPECT_EQ(total(result, "failures"), 0u) << "a graceful stop lets fast requests finish";
  }
}

TEST(RunSignals, OpenRequestsAreInterruptedWhenTheGracefulStopEnds) {
  for (const int sig : kSignals) {
    SCOPED_TRACE(signal_name(sig));
    TargetProcess target(STAMPEDE_TARGET_BIN);
    SignalledRun run(plan_for(target, kStalledUsers, "/delay?ms=60000", "1s"));
    ASSERT_TRUE(wait_until([&] { return server_requests(target) == kStalledUsers; }, seconds(20)))
        << run.process().stderr_text();
    run.signal(sig);
    std::this_thread::sleep_for(milliseconds(500));
    EXPECT_TRUE(run.process().running()) << "the graceful stop (1 s) was not given";
    const auto status = run.exit_within(seconds(1) + kSlack);
    ASSERT_TRUE(status.has_value()) << "still running after the graceful stop";
    EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
    expect_summary(run.process());
    const auto result = run.result();
    ASSERT_TRUE(result.is_object()) << "no result JSON";
    EXPECT_EQ(total(result, "requests"), kStalledUsers);
    EXPECT_EQ(count(result, "interrupted"), kStalledUsers);
    EXPECT_EQ(server_requests(target), kStalledUsers);
    expect_interrupted_in_summary(run.process(), kStalledUsers);
  }
}

TEST(RunSignals, SecondSignalAbandonsOpenRequestsAtOnce) {
  for (const int sig : kSignals) {
    SCOPED_TRACE(signal_name(sig));
    TargetProcess target(STAMPEDE_TARGET_BIN);
    SignalledRun run(plan_for(target, kStalledUsers, "/delay?ms=60000", "30s"));
    ASSERT_TRUE(wait_until([&] { return server_requests(target) == kStalledUsers; }, seconds(20)))
        << run.process().stderr_text();
    run.signal(sig);
    std::this_thread::sleep_for(milliseconds(300));
    ASSERT_TRUE(run.process().running()) << "the first signal must stop gracefully";
    run.signal(sig);
    const auto status = run.exit_within(kSlack);
    ASSERT_TRUE(status.has_value()) << "the second signal did not stop the run at once";
    EXPECT_EQ(status->code, kExitInterrupted) << status->to_string() << "\n"
                                              << run.process().stderr_text();
    expect_summary(run.process());
    const auto result = run.result();
    ASSERT_TRUE(result.is_object()) << "no result JSON";
    EXPECT_EQ(total(result, "requests"), kStalledUsers);
    EXPECT_EQ(count(result, "interrupted"), kStalledUsers);
    EXPECT_EQ(total(result, "failures"), kStalledUsers);
    expect_interrupted_in_summary(run.process(), kStalledUsers);
  }
}

TEST(RunSignals, TwoQuickSignalsOnAFastTargetAccountForEveryRequest) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  SignalledRun run(plan_for(target, 8, "/", "30s"));
  ASSERT_TRUE(wait_until([&] { return server_requests(target) >= 200; }, seconds(20)))
      << run.process().stderr_text();
  run.signal(SIGINT);
  run.signal(SIGINT);
  const auto status = run.exit_within(kSlack);
  ASSERT_TRUE(status.has_value()) << "still running after two signals";
  EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
  expect_summary(run.process());
  const auto result = run.result();
  ASSERT_TRUE(result.is_object()) << "no result JSON";
  // Answered requests reached the server; an interrupted one may or may not have.
  const std::uint64_t requests = total(result, "requests");
  const std::uint64_t interrupted = count(result, "interrupted");
  EXPECT_LE(interrupted, 8u);
  EXPECT_LE(requests - interrupted, server_requests(target));
  EXPECT_GE(requests, server_requests(target));
  EXPECT_EQ(total(result, "failures"), interrupted);
}

TEST(RunSignals, ASecondSignalWhileTheResultIsWrittenDoesNotKillTheRun) {
  // Against a fast target the graceful stop takes milliseconds, so a second signal shortly after
  // the first often arrives after the load ended, while the summary and the JSON are written.
  for (const int gap_ms : {0, 2, 5, 10, 20, 40}) {
    SCOPED_TRACE("second signal after " + std::to_string(gap_ms) + " ms");
    TargetProcess target(STAMPEDE_TARGET_BIN);
    SignalledRun run(plan_for(target, 2, "/", "30s"));
    ASSERT_TRUE(wait_until([&] { return server_requests(target) >= 50; }, seconds(20)))
        << run.process().stderr_text();
    run.signal(SIGINT);
    std::this_thread::sleep_for(milliseconds(gap_ms));
    run.signal(SIGINT);
    const auto status = run.exit_within(kSlack);
    ASSERT_TRUE(status.has_value()) << "still running after two signals";
    EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
    ASSERT_TRUE(run.result().is_object()) << "no result JSON";
  }
}

TEST(RunSignals, SecondSignalInAnOpenModelRunDropsQueuedArrivals) {
  // Two users hold stalled requests; further arrivals queue for them. Once those are abandoned,
  // the queued arrivals must not start (they would wait for the 60 s timeout).
  TargetProcess target(STAMPEDE_TARGET_BIN);
  SignalledRun run("target: {url: " + target.url() +
                   ", timeout: 60s}\n"
                   "load: {rate: 50, duration: 5m, maxInFlight: 2, preAllocatedUsers: 2, "
                   "maxQueued: 1000, gracefulStop: 30s}\n"
                   "scenarios: [{name: s, steps: [{get: \"/delay?ms=60000\", name: req}]}]\n");
  ASSERT_TRUE(wait_until([&] { return server_requests(target) == 2; }, seconds(20)))
      << run.process().stderr_text();
  std::this_thread::sleep_for(milliseconds(500));  // ~25 arrivals queue
  run.signal(SIGINT);
  std::this_thread::sleep_for(milliseconds(300));
  run.signal(SIGINT);
  const auto status = run.exit_within(kSlack);
  ASSERT_TRUE(status.has_value()) << "queued arrivals were started after the second signal";
  EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
  const auto result = run.result();
  ASSERT_TRUE(result.is_object()) << "no result JSON";
  EXPECT_EQ(total(result, "requests"), 2u);
  EXPECT_EQ(count(result, "interrupted"), 2u);
  EXPECT_GT(total(result, "dropped"), 10u);
  EXPECT_EQ(server_requests(target), 2u);
}

// --- `stampede agent`: SIGTERM is how Kubernetes ends a runner pod, which then has 30 s --------

// The agent's graceful stop after a signal is at most this long, and an unacknowledged result is
// served for at most kHandover more (README, "Metrics and the control API").
constexpr auto kAgentGrace = seconds(5);
constexpr auto kHandover = seconds(20);

// The first line of a Prometheus text exposition that starts with `name` and holds `label`.
std::optional<std::string> metric_line(const std::string& text, const std::string& name,
                                       const std::string& label) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name) && line.find(label) != std::string::npos) return line;
  }
  return std::nullopt;
}

nlohmann::json agent_result(const AgentProcess& agent) {
  const auto response = agent.get("/v1/result");
  return response.status == 200 ? nlohmann::json::parse(response.body) : nlohmann::json();
}

TEST(AgentSignals, SigtermBoundsTheGracefulStopAndHandsTheResultOver) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, kStalledUsers, "/delay?ms=60000", "30s"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(wait_until([&] { return server_requests(target) == kStalledUsers; }, seconds(20)));
  agent.process().send_signal(SIGTERM);
  const auto signalled = SteadyClock::now();
  ASSERT_TRUE(agent.wait_for_state("finished", kAgentGrace + kSlack))
      << "the plan's 30 s gracefulStop was not capped";
  const auto stopped_after = SteadyClock::now() - signalled;
  EXPECT_GE(stopped_after, kAgentGrace - milliseconds(100)) << "no graceful stop at all";
  const auto result = agent_result(agent);
  ASSERT_TRUE(result.is_object());
  EXPECT_EQ(result["aborted_by"], "signal");
  EXPECT_EQ(total(result, "requests"), kStalledUsers);
  EXPECT_EQ(count(result, "interrupted"), kStalledUsers);
  // /metrics counts them under the same reason.
  const std::string metrics = agent.get("/metrics").body;
  const std::string failures =
      metric_line(metrics, "stampede_request_failures_total{", "reason=\"interrupted\"")
          .value_or("none");
  EXPECT_TRUE(failures.ends_with("} " + std::to_string(kStalledUsers))) << metrics;
  EXPECT_TRUE(agent.process().running()) << "a fetch alone hands nothing over";
  ASSERT_EQ(agent.post("/v1/result/ack").status, 200);
  const auto status = agent.process().wait(kSlack);
  ASSERT_TRUE(status.has_value()) << "the agent did not exit once its result was acknowledged";
  EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
}

TEST(AgentSignals, AnUnacknowledgedResultIsServedForTheHandoverTimeOnly) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, 2, "/", "30s"));  // --linger: the default 5 minutes
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(wait_until([&] { return server_requests(target) >= 100; }, seconds(20)));
  agent.process().send_signal(SIGTERM);
  ASSERT_TRUE(agent.wait_for_state("finished", kSlack));
  const auto finished = SteadyClock::now();
  std::this_thread::sleep_for(seconds(1));
  EXPECT_TRUE(agent.process().running()) << "the result must stay available for the handover";
  const auto status = agent.process().wait(kHandover + kSlack);
  ASSERT_TRUE(status.has_value()) << "still serving after the handover time";
  EXPECT_GE(SteadyClock::now() - finished, kHandover - seconds(1));
  EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
  expect_summary(agent.process());
}

TEST(AgentSignals, TwoSignalsStopAtOnceAndKeepTheResult) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string json_path = write_temp_file("", ".json");
  AgentProcess agent(plan_for(target, kStalledUsers, "/delay?ms=60000", "30s"),
                     {"--json", json_path});
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(wait_until([&] { return server_requests(target) == kStalledUsers; }, seconds(20)));
  agent.process().send_signal(SIGINT);
  std::this_thread::sleep_for(milliseconds(300));
  agent.process().send_signal(SIGINT);
  const auto status = agent.process().wait(kSlack);
  ASSERT_TRUE(status.has_value()) << "two signals: the agent must stop at once";
  EXPECT_EQ(status->code, kExitInterrupted) << status->to_string();
  expect_summary(agent.process());
  std::ifstream in(json_path);
  const auto result = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(result.is_object()) << "no result JSON";
  EXPECT_EQ(count(result, "interrupted"), kStalledUsers);
  EXPECT_EQ(total(result, "requests"), kStalledUsers);
}

}  // namespace
}  // namespace stampede::testing
