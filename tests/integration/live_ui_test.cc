// The live web UI in headless Chromium: `stampede ui` against the bundled target, driven through
// the page as a user would (the start form, the load change, the Stop button, New test), with the
// runner checked from outside at every step; `run --ui` with a control token; the agent's read-only
// page; and the page fed hundreds of updates without a runner, redrawing in place. The page must
// log no error and throw nothing, and talk to its runner alone. Screenshots go to the build
// tree's test-artifacts/live_ui/ (and to docs/images/ with STAMPEDE_UPDATE_DOCS_IMAGES=1).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "report/html_report.h"
#include "report/live_page.h"
#include "support/agent.h"
#include "support/browser.h"
#include "support/http_client.h"
#include "support/nginx.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

// Long enough that the Stop button, not the plan, ends the test on a busy machine.
std::string plan_for(const TargetProcess& target, const std::string& load) {
  return "name: live-ui\ntarget: " + target.url() + "\nload: " + load +
         "\nscenarios: [{name: shop, steps: [{get: /, name: home}, {get: \"/delay?ms=5\", "
         "name: slow}], wait: constant(50ms)}]\n"
         "thresholds: {http_req_failed: [\"rate < 0.01\"]}\n";
}

// An open model: the arrival rate paces the iterations, so the scenario has no wait.
std::string open_plan_for(const TargetProcess& target, const std::string& load) {
  return "name: live-ui-open\ntarget: " + target.url() + "\nload: " + load +
         "\nscenarios: [{name: shop, steps: [{get: /, name: home}]}]\n";
}

std::string artifact(const std::string& name) {
  const fs::path dir = fs::path(STAMPEDE_ARTIFACT_DIR) / "live_ui";
  fs::create_directories(dir);
  return (dir / name).string();
}

// The README's screenshots are refreshed on request only: a test run leaves the tree as it was.
void publish_screenshot(const std::string& path, const std::string& name) {
  const char* update = std::getenv("STAMPEDE_UPDATE_DOCS_IMAGES");
  if (update == nullptr || std::string(update) != "1") return;
  fs::copy_file(path, fs::path(STAMPEDE_SOURCE_DIR) / "docs" / "images" / name,
                fs::copy_options::overwrite_existing);
}

json status_of(std::uint16_t port) {
  return json::parse(http_get("127.0.0.1", port, "/v1/status").body);
}

// Polls /v1/status until its `key` is `want`; the last status seen.
json await_status(std::uint16_t port, const std::string& key, const json& want,
                  milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json status = status_of(port);
  while (status.value(key, json()) != want && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    status = status_of(port);
  }
  return status;
}

json await_users(std::uint16_t port, int want, milliseconds timeout) {
  return await_status(port, "users", want, timeout);
}

// Fills in the start form, presses Start and waits until the page shows the test running.
void start_from_page(BrowserSession& page, const std::string& users,
                     const std::string& spawn_rate) {
  page.type("#live-users", users);
  page.type("#live-spawn-rate", spawn_rate);
  page.click("#live-start");
  page.wait_until("stampedeLive.state === 'running'", seconds(15));
}

std::string origin(std::uint16_t port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

// The page talked to its runner alone: every request went to `origin` (or is the page's
// inline icon).
void expect_only_local_requests(const BrowserVisit& visit, const std::string& origin) {
  for (const json& url : visit.report["requests"]) {
    const std::string u = url.get<std::string>();
    EXPECT_TRUE(u.rfind(origin + "/", 0) == 0 || u.rfind("data:", 0) == 0) << u;
  }
}

bool requested(const BrowserVisit& visit, const std::string& url) {
  for (const json& u : visit.report["requests"]) {
    if (u == url) return true;
  }
  return false;
}

// What the page drew and the update it drew it from, read in one evaluation (an update can
// arrive between two).
constexpr const char* kDrawn = R"(JSON.stringify({
  display: stampedeLive.drawn && stampedeLive.drawn.display,
  charts: stampedeLive.chartData()
}))";

json chart(const json& drawn, const std::string& id) {
  for (const json& c : drawn["charts"]) {
    if (c["id"] == id) return c["data"];
  }
  ADD_FAILURE() << "no chart " << id << " in " << drawn["charts"].size() << " charts";
  return json::array();
}

// Every time chart holds the display's columns exactly, and the latency charts its curves.
void expect_charts_hold_the_display(const json& drawn) {
  const json& s = drawn["display"]["series"];
  EXPECT_EQ(chart(drawn, "chart-throughput-0"),
            json::array({s["t"], s["requests_per_second"], s["failures_per_second"]}));
  EXPECT_EQ(chart(drawn, "chart-users-0"), json::array({s["t"], s["users"]}));
  EXPECT_EQ(chart(drawn, "chart-latency-0"), json::array({s["t"], s["p50"], s["p95"], s["p99"]}));
  const json& curve = drawn["display"]["percentile_curve"];
  EXPECT_EQ(chart(drawn, "chart-percentiles")[0], curve["nines"]);
  const json& distribution = drawn["display"]["latency_distribution"];
  EXPECT_EQ(chart(drawn, "chart-distribution"),
            json::array({distribution["lower_seconds"], distribution["count"]}));
}

TEST(LiveUi, TheBrowserStartsChangesAndStopsATest) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess ui({STAMPEDE_BIN, "ui", write_temp_file(plan_for(target, "{users: 2, duration: 30s}")),
                 "--quiet", "--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(await_healthz(port)) << "the runner did not serve on port " << port;
  BrowserSession page(origin(port) + "/");

  // Waiting for the start: the form is filled in from the plan, and nothing runs.
  page.wait_until("stampedeLive.ready && stampedeLive.state === 'waiting'", seconds(10));
  EXPECT_EQ(page.eval("document.getElementById('live-users').value"), "2");
  EXPECT_EQ(page.eval("document.getElementById('live-start').hidden"), false);
  EXPECT_EQ(page.eval("document.getElementById('live-stop').hidden"), true);
  EXPECT_EQ(json::parse(target.get("/__stats").body)["requests"], 0);

  start_from_page(page, "2", "10");
  EXPECT_EQ(await_users(port, 2, seconds(5))["users"], 2);

  // The runner follows the browser.
  page.wait_until("!document.getElementById('live-apply').hidden", seconds(5));
  page.type("#live-users", "6");
  page.click("#live-apply");
  const json status = await_users(port, 6, seconds(5));
  EXPECT_EQ(status["users"], 6) << status;
  EXPECT_EQ(status["state"], "running") << status;
  page.wait_until("document.getElementById('live-load').textContent === '6'", seconds(5));
  EXPECT_NE(page.eval("document.getElementById('live-message').textContent")
                .get<std::string>()
                .find("Load changed to 6 users"),
            std::string::npos);

  // A few seconds at 6 users on the charts, then the picture of a running test.
  page.wait_until(
      "stampedeLive.drawn && stampedeLive.drawn.display.series.users.filter((u) => u === 6)"
      ".length >= 3",
      seconds(15));
  const std::string running_png = artifact("live-running.png");
  page.screenshot(running_png);
  publish_screenshot(running_png, "live-running.png");
  const json drawn = json::parse(page.eval(kDrawn).get<std::string>());
  ASSERT_TRUE(drawn["display"].is_object()) << drawn.dump().substr(0, 2000);
  expect_charts_hold_the_display(drawn);

  page.click("#live-stop");
  page.wait_until("stampedeLive.state === 'finished'", seconds(20));
  EXPECT_EQ(status_of(port)["state"], "finished");
  EXPECT_LT(status_of(port)["elapsed_seconds"].get<double>(), 29.0) << "stopped by the button";
  EXPECT_EQ(page.eval("document.getElementById('live-stop').hidden"), true);
  const std::string finished_png = artifact("live-finished.png");
  page.screenshot(finished_png);
  publish_screenshot(finished_png, "live-finished.png");

  // The download links give the report and the CSV of the finished test.
  const std::string report_link =
      page.eval("document.getElementById('live-report-link').href").get<std::string>();
  ASSERT_EQ(report_link, origin(port) + "/v1/report.html");
  const HttpResponse report = http_get("127.0.0.1", port, "/v1/report.html");
  EXPECT_EQ(report.status, 200);
  EXPECT_EQ(report.body.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(report.body.find("id=\"stampede-result\""), std::string::npos);
  EXPECT_NE(report.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(page.eval("document.getElementById('live-csv-link').href"),
            origin(port) + "/v1/stats.csv");
  // The first test's result holds every request the target saw.
  const long first = json::parse(target.get("/__stats").body)["requests"].get<long>();
  EXPECT_EQ(page.eval("stampedeLive.last.result.totals.requests"), first);

  // New test, as in Locust's UI: the form and Start come back, the finished result stays until
  // the next test begins, and that test is a new one (its own engine and counts).
  EXPECT_EQ(page.eval("document.getElementById('live-new-test').hidden"), false);
  EXPECT_EQ(page.eval("document.getElementById('live-form').hidden"), true);
  page.click("#live-new-test");
  page.wait_until(
      "!document.getElementById('live-start').hidden && "
      "!document.getElementById('live-start').disabled",
      seconds(5));
  EXPECT_EQ(status_of(port)["state"], "finished") << "the last result stays until the next start";
  start_from_page(page, "3", "0");
  EXPECT_EQ(await_users(port, 3, seconds(5))["users"], 3);
  page.wait_until("!document.getElementById('live-stop').hidden", seconds(5));
  page.click("#live-stop");
  page.wait_until("stampedeLive.state === 'finished'", seconds(20));
  const long second = json::parse(target.get("/__stats").body)["requests"].get<long>() - first;
  EXPECT_GT(second, 0);
  EXPECT_EQ(page.eval("stampedeLive.last.result.totals.requests"), second)
      << "the second test counts its own requests";

  const BrowserVisit visit = page.visit();
  EXPECT_TRUE(visit.console_errors().empty()) << visit.describe();
  EXPECT_TRUE(visit.report["exceptions"].empty()) << visit.describe();
  EXPECT_EQ(page.eval("stampedeLive.errors"), json::array());
  expect_only_local_requests(visit, origin(port));
  for (const char* path : {"/v1/events", "/v1/load", "/v1/start", "/v1/stop"}) {
    EXPECT_TRUE(requested(visit, origin(port) + path)) << path << "\n" << visit.describe();
  }

  ui.send_signal(SIGINT);
  EXPECT_TRUE(ui.wait(seconds(10)).has_value()) << "ui exits on Ctrl-C";
}

// An open-model run (the page's form asks for the arrival rate) with a control token.
TEST(LiveUi, WithAControlTokenAChangeNeedsIt) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess run(
      {STAMPEDE_BIN, "run", write_temp_file(open_plan_for(target, "{rate: 20, duration: 30s}")),
       "--quiet", "--ui", "--listen", "127.0.0.1:" + std::to_string(port)},
      {{"STAMPEDE_CONTROL_TOKEN", "secret"}});
  ASSERT_TRUE(await_healthz(port)) << "the runner did not serve on port " << port;
  BrowserSession page(origin(port) + "/");
  page.wait_until("stampedeLive.ready && stampedeLive.state === 'running'", seconds(15));
  // Already running: no Start, but a change and a Stop, and a field for the token; the load is
  // an arrival rate, not users.
  EXPECT_EQ(page.eval("document.getElementById('live-start').hidden"), true);
  EXPECT_EQ(page.eval("document.getElementById('live-apply').hidden"), false);
  EXPECT_EQ(page.eval("document.getElementById('live-token') !== null"), true);
  EXPECT_EQ(page.eval("document.getElementById('live-users')"), nullptr);
  EXPECT_EQ(page.eval("document.getElementById('live-rate').value"), "20");
  EXPECT_EQ(await_status(port, "target_rate", 20.0, seconds(5))["target_rate"], 20.0);
  page.wait_until("document.getElementById('live-load').textContent === '20/s'", seconds(5));

  page.type("#live-rate", "50");
  page.click("#live-apply");
  const json message = page.wait_until(
      "stampedeLive.message && stampedeLive.message.kind === 'error' && stampedeLive.message.text",
      seconds(5));
  EXPECT_NE(message.get<std::string>().find("401"), std::string::npos) << message;
  EXPECT_NE(message.get<std::string>().find("token"), std::string::npos) << message;
  EXPECT_EQ(page.eval("document.getElementById('live-message').textContent"), message);
  page.screenshot(artifact("live-token-refused.png"));
  // The runner did not follow.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(status_of(port)["target_rate"], 20.0);
    std::this_thread::sleep_for(milliseconds(150));
  }

  // With the token the same change goes through.
  page.type("#live-token", "secret");
  page.click("#live-apply");
  EXPECT_EQ(await_status(port, "target_rate", 50.0, seconds(5))["target_rate"], 50.0);
  page.wait_until("stampedeLive.message.kind === 'ok'", seconds(5));
  EXPECT_NE(page.eval("stampedeLive.message.text").get<std::string>().find("50 iterations/s"),
            std::string::npos);
  page.wait_until("document.getElementById('live-load').textContent === '50/s'", seconds(5));

  // The only errors logged are the refused request's.
  const BrowserVisit visit = page.visit();
  for (const std::string& error : visit.console_errors()) {
    EXPECT_NE(error.find("401"), std::string::npos) << visit.describe();
  }
  EXPECT_TRUE(visit.report["exceptions"].empty()) << visit.describe();
  expect_only_local_requests(visit, origin(port));
  run.send_signal(SIGINT);
  EXPECT_TRUE(run.wait(seconds(15)).has_value());
}

TEST(LiveUi, TheAgentsPageIsReadOnly) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  AgentProcess agent(plan_for(target, "{users: 1, duration: 30s}"));
  ASSERT_TRUE(agent.wait_ready()) << agent.process().stderr_text();
  BrowserSession page(origin(agent.port()) + "/");
  page.wait_until("stampedeLive.ready && stampedeLive.state === 'waiting'", seconds(10));
  EXPECT_EQ(page.eval("document.getElementById('live-form')"), nullptr);
  EXPECT_EQ(page.eval("document.querySelectorAll('#live button').length"), 0);
  ASSERT_EQ(agent.post("/v1/start").status, 202);
  page.wait_until("stampedeLive.state === 'running' && stampedeLive.drawn !== null", seconds(15));
  page.screenshot(artifact("live-agent.png"));
  const BrowserVisit visit = page.visit();
  EXPECT_TRUE(visit.console_errors().empty()) << visit.describe();
  EXPECT_TRUE(visit.report["exceptions"].empty()) << visit.describe();
  expect_only_local_requests(visit, origin(agent.port()));
  EXPECT_EQ(agent.post("/v1/stop").status, 202);
}

// ---- without a runner: the page fed updates by hand ------------------------------------------

// A run's result as it grew: its first `seconds` points, with the display the runner would send.
json update_at(const json& result, std::size_t points) {
  json partial = result;
  json series = json::array();
  for (std::size_t i = 0; i < points && i < result["series"].size(); ++i) {
    series.push_back(result["series"][i]);
  }
  partial["series"] = series;
  return {{"state", "running"},
          {"status",
           {{"state", "running"},
            {"elapsed_seconds", points},
            {"planned_seconds", 30},
            {"users", 2},
            {"rps", 10.0},
            {"requests", 100},
            {"failures", 0}}},
          {"result", partial},
          {"display", report_display(partial)}};
}

TEST(LiveUi, UpdatesRedrawThePageInPlace) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const StampedeRun run = run_stampede("run", plan_for(target, "{users: 2, duration: 4s}"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  ASSERT_GE(run.result["series"].size(), 4u);
  const json config = {{"mode", "run"},     {"controls", true},   {"token_required", false},
                       {"model", "closed"}, {"plan", "fixture"},  {"defaults", {{"users", 2}}},
                       {"events", nullptr}, {"report", "r.html"}, {"csv", "s.csv"}};
  const std::string html = write_temp_file(render_live_page(config), ".html");
  BrowserSession page(html);
  page.wait_until("window.stampedeLive && stampedeLive.connection === 'live'", seconds(10));
  EXPECT_EQ(page.eval("stampedeReport.charts.length"), 0) << "nothing drawn before a result";

  // The first update makes the charts; 300 more (the points growing, then starting over) must
  // reuse them: the same canvases, no new elements, and each time the update's data.
  std::string updates = "[";
  for (std::size_t i = 1; i <= run.result["series"].size(); ++i) {
    updates += (i > 1 ? "," : "") + update_at(run.result, i).dump();
  }
  updates += "]";
  page.eval("window.fixtureUpdates = " + updates + "; true");
  page.eval("stampedeLive.apply(fixtureUpdates[0]); true");
  const json charts_before = page.eval("stampedeReport.charts.length");
  EXPECT_EQ(charts_before, 5);
  page.eval("document.querySelector('#chart-users-0 canvas').dataset.first = 'yes'; true");
  const json after = page.eval(R"((() => {
    for (let i = 0; i < 300; ++i) stampedeLive.apply(fixtureUpdates[i % fixtureUpdates.length]);
    return {elements: document.getElementsByTagName('*').length,
            canvases: document.querySelectorAll('canvas').length,
            kept: document.querySelector('#chart-users-0 canvas').dataset.first === 'yes',
            errors: stampedeLive.errors};
  })())");
  EXPECT_EQ(after["canvases"], 5) << after;
  EXPECT_EQ(after["kept"], true) << "a chart was made anew instead of updated";
  EXPECT_EQ(after["errors"], json::array());
  // Another round leaves the page the same size: nothing accumulates.
  const json again = page.eval(R"((() => {
    for (let i = 0; i < 300; ++i) stampedeLive.apply(fixtureUpdates[i % fixtureUpdates.length]);
    return {elements: document.getElementsByTagName('*').length};
  })())");
  EXPECT_EQ(again["elements"], after["elements"]);
  // The last update drawn is the one on the charts.
  page.eval("stampedeLive.apply(fixtureUpdates[fixtureUpdates.length - 1]); true");
  expect_charts_hold_the_display(json::parse(page.eval(kDrawn).get<std::string>()));
  EXPECT_EQ(page.eval("document.getElementById('live-state').textContent"), "running");
  const BrowserVisit visit = page.visit();
  EXPECT_TRUE(visit.console_errors().empty()) << visit.describe();
  EXPECT_TRUE(visit.report["exceptions"].empty()) << visit.describe();
}

}  // namespace
}  // namespace stampede::testing
