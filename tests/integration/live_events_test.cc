// The live web UI's server side against real runs: the event stream (GET /v1/events) follows a
// run from its first second to the final result, the page and the downloads are served, and
// stream connections end with their clients (no slot of the server's connection cap is lost).
// The page itself, in a browser, is live_ui_test's.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/http_client.h"
#include "support/nginx.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

std::string plan_for(const TargetProcess& target, const std::string& load) {
  return "name: live\ntarget: " + target.url() + "\nload: " + load +
         "\nscenarios: [{name: s, steps: [{get: /}], wait: constant(20ms)}]\n"
         "thresholds: {http_req_failed: [\"rate < 0.01\"]}\n";
}

struct Stream {
  std::string head;
  std::vector<json> updates;  // the data of each `update` event, in order
};

// Splits a captured event stream: the response head, then events separated by blank lines.
Stream parse_stream(const std::string& received) {
  Stream s;
  const std::size_t end_of_head = received.find("\r\n\r\n");
  if (end_of_head == std::string::npos) return s;
  s.head = received.substr(0, end_of_head);
  std::istringstream events(received.substr(end_of_head + 4));
  std::string line;
  std::string name;
  while (std::getline(events, line)) {
    if (line.rfind("event: ", 0) == 0) name = line.substr(7);
    if (line.rfind("data: ", 0) == 0 && name == "update") {
      s.updates.push_back(json::parse(line.substr(6)));
    }
    if (line.empty()) name.clear();
  }
  return s;
}

bool has_histograms(const json& j) {
  if (j.is_object() && (j.contains("histograms") || j.contains("histogram"))) return true;
  if (!j.is_structured()) return false;
  for (const json& member : j) {
    if (has_histograms(member)) return true;
  }
  return false;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Opens an event stream, reads until its first event has arrived whole, and returns the
// socket (or -1); the caller closes it.
int open_stream(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string request = "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return -1;
  }
  std::string received;
  char buffer[4096];
  while (received.find("event: update") == std::string::npos ||
         received.find("\n\n", received.find("event: update")) == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    received.append(buffer, static_cast<std::size_t>(n));
  }
  return fd;
}

TEST(LiveEvents, FollowARunFromItsFirstSecondToItsResult) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  const std::string json_path = write_temp_file("", ".json");
  Subprocess run({STAMPEDE_BIN, "run",
                  write_temp_file(plan_for(target, "{users: 2, duration: 3s}")), "--quiet", "--ui",
                  "--listen", "127.0.0.1:" + std::to_string(port), "--json", json_path});
  ASSERT_TRUE(await_healthz(port)) << "the runner did not serve on port " << port;
  // The stream ends when the runner exits after the run.
  const RawExchange exchange =
      raw_exchange("127.0.0.1", port, "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                   milliseconds(20'000));
  ASSERT_EQ(run.wait_or_kill(milliseconds(15'000)).code, 0) << run.stderr_text();
  EXPECT_EQ(exchange.end, RawEnd::kClosed);

  const Stream stream = parse_stream(exchange.received);
  EXPECT_NE(stream.head.find("HTTP/1.1 200"), std::string::npos) << stream.head;
  EXPECT_NE(stream.head.find("Content-Type: text/event-stream"), std::string::npos) << stream.head;
  ASSERT_GE(stream.updates.size(), 3U) << exchange.received.substr(0, 2000);

  std::uint64_t last_requests = 0;
  std::uint64_t last_points = 0;
  int running = 0;
  for (const json& update : stream.updates) {
    EXPECT_FALSE(has_histograms(update)) << "the page gets no histograms";
    if (update["state"] != "running") continue;
    ++running;
    ASSERT_TRUE(update["result"].is_object()) << update.dump().substr(0, 500);
    const std::uint64_t requests = update["result"]["totals"]["requests"];
    EXPECT_GE(requests, last_requests) << "totals only grow";
    last_requests = requests;
    // The page draws the display's columns: the update carries no series of its own (a day's
    // run would send 86,400 points every second).
    EXPECT_FALSE(update["result"].contains("series")) << update.dump().substr(0, 500);
    const std::uint64_t points = update["display"]["series"]["points"];
    EXPECT_GE(points, last_points) << "one more point per second";
    last_points = points;
    EXPECT_EQ(update["status"]["state"], "running");
  }
  EXPECT_GE(running, 2) << "about one update per second of a 3 s run";

  // The last update is the final result, the one --json wrote.
  const json& last = stream.updates.back();
  EXPECT_EQ(last["state"], "finished");
  const json written = json::parse(read_file(json_path));
  json totals = written["totals"];
  totals.erase("histograms");
  EXPECT_EQ(last["result"]["totals"], totals);
  EXPECT_EQ(last["display"]["series"]["points"], written["series"].size());
  EXPECT_EQ(last["display"]["series"]["requests_per_second"].size(), written["series"].size())
      << "a short run's every second is drawn";
  EXPECT_TRUE(last["display"].contains("latency_distribution"));
}

TEST(LiveEvents, TheUiCommandServesThePageWaitsForItsStartAndKeepsTheResult) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess ui({STAMPEDE_BIN, "ui", write_temp_file(plan_for(target, "{users: 2, duration: 2s}")),
                 "--quiet", "--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(await_healthz(port)) << "the runner did not serve on port " << port;

  const HttpResponse page = http_get("127.0.0.1", port, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("connect-src 'self'"), std::string::npos);
  EXPECT_NE(page.body.find("stampede-live"), std::string::npos);

  // Nothing runs before the start: no traffic, no result to download, a waiting update.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(json::parse(target.get("/__stats").body)["requests"], 0);
  EXPECT_EQ(http_get("127.0.0.1", port, "/v1/report.html").status, 409);
  const RawExchange waiting = raw_exchange(
      "127.0.0.1", port, "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", milliseconds(500));
  const Stream before = parse_stream(waiting.received);
  ASSERT_FALSE(before.updates.empty()) << waiting.received;
  EXPECT_EQ(before.updates.front()["state"], "waiting");
  EXPECT_TRUE(before.updates.front()["result"].is_null());

  EXPECT_EQ(http_post("127.0.0.1", port, "/v1/start", "{}", "application/json").status, 202);
  json status = json::object();
  for (int i = 0; i < 200 && status.value("state", "") != "finished"; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    status = json::parse(http_get("127.0.0.1", port, "/v1/status").body);
  }
  ASSERT_EQ(status["state"], "finished") << status;

  // The finished page stays up with its downloads until Ctrl-C.
  const HttpResponse report = http_get("127.0.0.1", port, "/v1/report.html");
  EXPECT_EQ(report.status, 200);
  EXPECT_NE(report.header("content-disposition").find("attachment; filename=\"live-report.html\""),
            std::string::npos)
      << report.header("content-disposition");
  EXPECT_EQ(report.body.rfind("<!DOCTYPE html>", 0), 0U);
  const HttpResponse csv = http_get("127.0.0.1", port, "/v1/stats.csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("Type,Name,Request Count,Failure Count", 0), 0U) << csv.body;
  EXPECT_NE(csv.body.find("Aggregated"), std::string::npos);
  EXPECT_NE(csv.header("content-disposition").find("live_stats.csv"), std::string::npos);
  EXPECT_EQ(http_post("127.0.0.1", port, "/v1/events", "").status, 405);

  EXPECT_TRUE(ui.running());
  ui.send_signal(SIGINT);
  const auto exit = ui.wait(milliseconds(5'000));
  ASSERT_TRUE(exit.has_value()) << "ui exits on Ctrl-C";
  EXPECT_EQ(exit->code, 0) << ui.stderr_text();
}

// 300 clients, one after another, each reading its first event and leaving: more than the
// server's 256 connections, so a stream that outlived its client would lock the server out.
TEST(LiveEvents, StreamsEndWithTheirClients) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::uint16_t port = free_port();
  Subprocess ui({STAMPEDE_BIN, "ui", write_temp_file(plan_for(target, "{users: 1, duration: 1s}")),
                 "--quiet", "--listen", "127.0.0.1:" + std::to_string(port)});
  ASSERT_TRUE(await_healthz(port)) << "the runner did not serve on port " << port;
  for (int i = 0; i < 300; ++i) {
    const int fd = open_stream(port);
    ASSERT_GE(fd, 0) << "stream " << i << " got no event";
    ::close(fd);
  }
  // A few held open at once are all served.
  std::vector<int> held;
  for (int i = 0; i < 20; ++i) held.push_back(open_stream(port));
  for (const int fd : held) EXPECT_GE(fd, 0);
  EXPECT_EQ(http_get("127.0.0.1", port, "/healthz").status, 200);
  for (const int fd : held) ::close(fd);
  ui.send_signal(SIGTERM);
  EXPECT_TRUE(ui.wait(milliseconds(5'000)).has_value());
}

}  // namespace
}  // namespace stampede::testing
