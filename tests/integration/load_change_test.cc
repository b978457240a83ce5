// POST /v1/load against `stampede run --listen` and `stampede agent` driving the bundled target
// on loopback: a closed model's users follow a change up and down, an open model's arrivals
// follow a new rate, a change before the start applies from it, and the call needs the token.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <thread>

#include "support/agent.h"
#include "support/nginx.h"
#include "support/stampede_run.h"

namespace stampede::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// /v1/status shows a snapshot made once per second, so a change shows within a second and a bit.
#ifdef STAMPEDE_SANITIZED
constexpr Millis kFollowDeadline = milliseconds(3000);  // instrumented builds are slower
#else
constexpr Millis kFollowDeadline = milliseconds(1500);
#endif

std::string plan_for(const TargetProcess& target, const std::string& load) {
  return "name: load-change\ntarget: " + target.url() + "\nload: " + load +
         "\nscenarios: [{name: s, steps: [{get: /}], wait: constant(100ms)}]\n";
}

// `stampede run PLAN --listen 127.0.0.1:PORT --quiet --json FILE` and its control API.
class ListeningRun {
 public:
  explicit ListeningRun(const std::string& plan_yaml, const Env& env = {})
      : port_(free_port()),
        json_(write_temp_file("", ".json")),
        process_({STAMPEDE_BIN, "run", write_temp_file(plan_yaml), "--quiet", "--listen",
                  "127.0.0.1:" + std::to_string(port_), "--json", json_},
                 env) {}

  // The status document, or {} while the server does not answer yet.
  nlohmann::json status() const {
    try {
      return nlohmann::json::parse(http_get("127.0.0.1", port_, "/v1/status").body);
    } catch (const std::exception&) {
      return nlohmann::json::object();
    }
  }

  // Polls /v1/status every 20 ms until `holds` is true of it; the last status read and
  // whether it held.
  std::pair<bool, nlohmann::json> wait_for(const std::function<bool(const nlohmann::json&)>& holds,
                                           Millis timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    nlohmann::json last = status();
    while (!holds(last) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
      last = status();
    }
    return {holds(last), last};
  }

  HttpResponse post_load(const std::string& body, const std::string& token = "") const {
    Headers headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http_request("127.0.0.1", port_, "POST", "/v1/load", body, headers);
  }

  // Waits for the exit; the --json result, or null when none was written.
  nlohmann::json result(int* exit_code) {
    *exit_code = process_.wait_or_kill(milliseconds(30'000)).code;
    std::ifstream in(json_);
    return nlohmann::json::parse(in, nullptr, false);
  }

  Subprocess& process() { return process_; }

 private:
  std::uint16_t port_;
  std::string json_;
  Subprocess process_;
};

std::function<bool(const nlohmann::json&)> users_are(int n) {
  return [n](const nlohmann::json& s) {
    return s.value("state", "") == "running" && s.value("users", -1) == n;
  };
}

// Locust's web UI use: 2 users, then 10 at 100/s, then 3 at once (the plan's spawn rate, 0).
TEST(LoadChange, ClosedModelUsersFollowTheChanges) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ListeningRun run(plan_for(target, "{users: 2, duration: 6s}"));
  const auto [started, first] = run.wait_for(users_are(2), milliseconds(10'000));
  ASSERT_TRUE(started) << first.dump() << run.process().stderr_text();

  const auto up = run.post_load(R"({"users": 10, "spawnRate": 100})");
  ASSERT_EQ(up.status, 202) << up.body;
  EXPECT_EQ(nlohmann::json::parse(up.body),
            nlohmann::json::parse(R"({"users": 10, "spawnRate": 100.0})"));
  const auto asked_up = std::chrono::steady_clock::now();
  const auto [raised, at_ten] = run.wait_for(users_are(10), kFollowDeadline);
  EXPECT_TRUE(raised) << at_ten.dump();
  EXPECT_EQ(at_ten.value("target_users", -1), 10) << at_ten.dump();
  std::printf("10 users in /v1/status %.0f ms after the change\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked_up)
                  .count());

  const auto down = run.post_load(R"({"users": 3})");
  ASSERT_EQ(down.status, 202) << down.body;
  EXPECT_EQ(nlohmann::json::parse(down.body)["spawnRate"], 0.0) << "the plan's spawn rate";
  const auto [lowered, at_three] = run.wait_for(users_are(3), kFollowDeadline);
  EXPECT_TRUE(lowered) << at_three.dump();
  EXPECT_EQ(at_three.value("target_users", -1), 3) << at_three.dump();

  int exit_code = -1;
  const nlohmann::json result = run.result(&exit_code);
  EXPECT_EQ(exit_code, 0) << run.process().stderr_text();
  ASSERT_TRUE(result.is_object());
  double peak = 0;
  for (const auto& point : result["series"]) peak = std::max(peak, point["users"].get<double>());
  EXPECT_EQ(peak, 10) << result["series"].dump();
  EXPECT_LT(result["totals"]["duration_seconds"].get<double>(), 7.5) << "the planned end stays";
}

// k6's arrival rate: 50/s, then 200/s. Seconds wholly after the change carry 200 arrivals
// (within 5 %); the ones before it, 50.
TEST(LoadChange, OpenModelArrivalsFollowTheNewRate) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ListeningRun run(plan_for(target, "{rate: 50, duration: 6s}"));
  const auto [started, first] =
      run.wait_for([](const nlohmann::json& s) { return s.value("elapsed_seconds", 0.0) >= 1; },
                   milliseconds(10'000));
  ASSERT_TRUE(started) << first.dump() << run.process().stderr_text();
  // The last snapshot before the call: the change lands before second elapsed + 2 is over.
  const double before = run.status().value("elapsed_seconds", 0.0);
  const auto changed = run.post_load(R"({"rate": 200})");
  ASSERT_EQ(changed.status, 202) << changed.body;
  EXPECT_EQ(nlohmann::json::parse(changed.body), nlohmann::json::parse(R"({"rate": 200.0})"));
  const auto [followed, status] =
      run.wait_for([](const nlohmann::json& s) { return s.value("target_rate", 0.0) == 200.0; },
                   kFollowDeadline);
  EXPECT_TRUE(followed) << status.dump();

  int exit_code = -1;
  const nlohmann::json result = run.result(&exit_code);
  EXPECT_EQ(exit_code, 0) << run.process().stderr_text();
  ASSERT_TRUE(result.is_object());
  std::printf("change after second %.0f; requests per second:", before);
  for (const auto& point : result["series"]) std::printf(" %s", point["requests"].dump().c_str());
  std::printf("\n");
  int after = 0;
  for (const auto& point : result["series"]) {
    const double t = point["t"].get<double>();
    const double requests = point["requests"].get<double>();
    // The last point may hold the end of the graceful stop: only whole seconds inside the run.
    if (t <= before) {
      EXPECT_NEAR(requests, 50, 50 * 0.05) << "second " << t << ": " << result["series"].dump();
    }
    if (t >= before + 3 && t <= 5) {
      EXPECT_NEAR(requests, 200, 200 * 0.05) << "second " << t << ": " << result["series"].dump();
      ++after;
    }
  }
  EXPECT_GE(after, 1) << "no whole second after the change: " << result["series"].dump();
  EXPECT_EQ(result["totals"]["dropped"], 0);
}

TEST(LoadChange, NeedsTheTokenWhenOneIsSet) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  ListeningRun run(plan_for(target, "{users: 1, duration: 3s}"),
                   {{"STAMPEDE_CONTROL_TOKEN", "correct-horse"}});
  const auto [started, first] = run.wait_for(users_are(1), milliseconds(10'000));
  ASSERT_TRUE(started) << first.dump() << run.process().stderr_text();
  const std::string body = R"({"users": 4})";
  EXPECT_EQ(run.post_load(body).status, 401);
  EXPECT_EQ(run.post_load(body, "wrong-horse").status, 401);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(run.status().value("target_users", -1), 1) << "a refused change changes nothing";
  EXPECT_EQ(run.post_load(body, "correct-horse").status, 202);
  int exit_code = -1;
  run.result(&exit_code);
  EXPECT_EQ(exit_code, 0) << run.process().stderr_text();
}

// The agent path: a change made while waiting for /v1/start is the load from the start; the
// wrong model's field is a 400 naming it; after the run, 409.
TEST(LoadChange, AnAgentKeepsAChangeMadeBeforeTheStart) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 2s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  const auto kept = agent.post("/v1/load", R"({"users": 4})");
  ASSERT_EQ(kept.status, 202) << kept.body;
  const auto wrong_model = agent.post("/v1/load", R"({"rate": 5})");
  EXPECT_EQ(wrong_model.status, 400);
  EXPECT_NE(wrong_model.body.find("rate"), std::string::npos) << wrong_model.body;
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(15))) << agent.process().stderr_text();
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  double peak = 0;
  for (const auto& point : result["series"]) peak = std::max(peak, point["users"].get<double>());
  EXPECT_EQ(peak, 4) << result["series"].dump();
  const auto late = agent.post("/v1/load", R"({"users": 2})");
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find("finished"), std::string::npos) << late.body;
}

}  // namespace
}  // namespace stampede::testing
