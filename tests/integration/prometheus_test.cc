// A real Prometheus (Debian's) scrapes a running agent every second: the live exposition feeds
// every query of the shipped dashboard (the WebSocket row's included), and the counters add up
// to the result's counts.
#include "support/prometheus.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/rfc3339.h"
#include "support/agent.h"
#include "support/dashboard_queries.h"

namespace stampede::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double scalar_of(const nlohmann::json& response) {
  const auto& result = response["data"]["result"];
  if (result.empty()) return -1;
  return std::stod(result[0]["value"][1].get<std::string>());
}

TEST(Prometheus, ScrapesARunAndFeedsEveryDashboardQuery) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  // Data for every panel: every_panel_scenarios().
  AgentProcess agent("name: promtest\ntarget: " + target.url() +
                     "\nload: {rate: 200, duration: 6s, preAllocatedUsers: 10}\n" +
                     every_panel_scenarios());
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  PrometheusProcess prometheus("127.0.0.1:" + std::to_string(agent.port()));
  ASSERT_FALSE(prometheus.wait_for_series(R"(stampede_runner_info{testid="promtest"})").empty())
      << prometheus.log();

  const double started = unix_now();
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  ASSERT_TRUE(agent.wait_for_state("finished", seconds(20))) << agent.process().stderr_text();
  std::this_thread::sleep_for(milliseconds(2500));  // two more scrapes of the final values

  // Every dashboard query, evaluated late in the run, returns data.
  const Substitutions values = {
      {"datasource", "prometheus"}, {"testid", "promtest"}, {"scenario", ".*"}, {"name", ".*"},
      {"__rate_interval", "4s"},    {"__interval", "1s"},   {"__range", "6s"}};
  const auto queries =
      dashboard_queries(std::string(STAMPEDE_SOURCE_DIR) + "/dashboards/stampede.json", values);
  ASSERT_GT(queries.size(), 20u);
  std::set<int> ws_panels;  // the WebSocket row's panels are among them
  for (const DashboardQuery& q : queries) {
    if (q.expr.find("stampede_ws_") != std::string::npos ||
        q.expr.find(R"(method="REPLY")") != std::string::npos ||
        q.expr.find("ws_handshake_refused") != std::string::npos) {
      ws_panels.insert(q.panel_id);
    }
  }
  EXPECT_GE(ws_panels.size(), 8u);
  const double late = started + 5.5;
  EXPECT_EQ(queries_without_data(prometheus, queries, late), "");

  // The exported counters equal the result's counts.
  const auto result = nlohmann::json::parse(agent.get("/v1/result").body);
  const auto requests = result["totals"]["requests"].get<double>();
  EXPECT_GT(requests, 1000);
  EXPECT_EQ(scalar_of(prometheus.query(R"(sum(stampede_requests_total{testid="promtest"}))")),
            requests);
  EXPECT_EQ(scalar_of(prometheus.query(
                R"(sum(stampede_request_duration_seconds_count{testid="promtest"}))")),
            result["latency_seconds"]["count"].get<double>());
  EXPECT_EQ(
      scalar_of(prometheus.query(R"(sum(stampede_request_failures_total{testid="promtest"}))")),
      result["totals"]["failures"].get<double>());
  EXPECT_EQ(scalar_of(prometheus.query(
                R"(sum(stampede_requests_total{testid="promtest",status="429"}))")),
            result["status_codes"]["429"].get<double>());
  EXPECT_EQ(
      scalar_of(prometheus.query(R"(stampede_test_state{testid="promtest",state="finished"})")), 1);

  // The WebSocket counters equal the rows' ws objects, the REPLY rows' latency count their
  // replies.
  double sessions = 0;
  double sent = 0;
  double received = 0;
  double replies = 0;
  for (const auto& row : result["requests"]) {
    if (row.contains("ws")) {
      sessions += row["ws"]["sessions"].get<double>();
      sent += row["ws"]["msgs_sent"].get<double>();
      received += row["ws"]["msgs_received"].get<double>();
    }
    if (row["method"] == "REPLY") replies += row["latency_seconds"]["count"].get<double>();
  }
  EXPECT_GT(sessions, 20);
  EXPECT_GT(replies, 20);
  EXPECT_EQ(scalar_of(prometheus.query(R"(sum(stampede_ws_sessions_total{testid="promtest"}))")),
            sessions);
  EXPECT_EQ(scalar_of(prometheus.query(R"(sum(stampede_ws_msgs_sent_total{testid="promtest"}))")),
            sent);
  EXPECT_EQ(
      scalar_of(prometheus.query(R"(sum(stampede_ws_msgs_received_total{testid="promtest"}))")),
      received);
  EXPECT_EQ(
      scalar_of(prometheus.query(
          R"(sum(stampede_request_duration_seconds_count{testid="promtest",method="REPLY"}))")),
      replies);
  EXPECT_GT(
      scalar_of(prometheus.query(
          R"(sum(stampede_request_failures_total{testid="promtest",reason="ws_handshake_refused"}))")),
      0);
}

}  // namespace
}  // namespace stampede::testing
