// Runs the real stampede-target binary and checks every endpoint, the counters and the CLI.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kBinary = STAMPEDE_TARGET_BIN;
constexpr std::string_view kAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";

// The documented /bytes/N content: byte i is kAlphabet[i % 64].
std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = kAlphabet[i % kAlphabet.size()];
  return bytes;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Stops the server and expects a clean exit, which also surfaces sanitizer reports from it.
void expect_clean_stop(TargetProcess& target) {
  const auto status = target.stop();
  EXPECT_EQ(status.code, 0) << status.to_string() << "\n" << target.process().stderr_text();
}

class TargetTest : public ::testing::Test {
 protected:
  void TearDown() override { expect_clean_stop(target_); }
  Json stats() { return Json::parse(target_.get("/__stats").body); }
  RawExchange raw(std::string_view request, Millis timeout = 5s) {
    return raw_exchange(target_.host(), target_.port(), request, timeout);
  }

  TargetProcess target_{kBinary};
};

TEST_F(TargetTest, RootReturnsOk) {
  const auto response = target_.get("/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok\n");
  EXPECT_TRUE(response.keep_alive);
  EXPECT_EQ(target_.url(), "http://127.0.0.1:" + std::to_string(target_.port()));
}

TEST_F(TargetTest, DelayWaitsWithoutBlockingTheThread) {
  const auto start = Clock::now();
  std::thread delayed([&] { EXPECT_EQ(target_.get("/delay?ms=400").status, 200); });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(target_.get("/").status, 200);  // one server thread, yet not stuck behind the delay
  EXPECT_LT(seconds_since(start), 0.35);
  delayed.join();
  EXPECT_GE(seconds_since(start), 0.4);
}

TEST_F(TargetTest, DelayRejectsBadValues) {
  for (const char* target : {"/delay", "/delay?ms=abc", "/delay?ms=-1", "/delay?ms=60001"}) {
    EXPECT_EQ(target_.get(target).status, 400) << target;
  }
}

TEST_F(TargetTest, StatusReturnsRequestedCode) {
  for (const int code : {200, 201, 404, 429, 503, 599}) {
    const auto response = target_.get("/status/" + std::to_string(code));
    EXPECT_EQ(response.status, code);
    EXPECT_EQ(response.body, "status " + std::to_string(code) + "\n");
  }
  const auto no_content = target_.get("/status/204");
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.body, "");
  EXPECT_EQ(no_content.header("Content-Length"), "");
}

TEST_F(TargetTest, StatusRejectsInformationalAndOutOfRange) {
  for (const char* target : {"/status/100", "/status/199", "/status/600", "/status/abc"}) {
    EXPECT_EQ(target_.get(target).status, 400) << target;
  }
}

TEST_F(TargetTest, BytesReturnsDeterministicContent) {
  for (const std::size_t size : {0UL, 10UL, 100'000UL}) {
    const auto response = target_.get("/bytes/" + std::to_string(size));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("content-length"), std::to_string(size));
    EXPECT_EQ(response.body, pattern(size));
  }
  const auto head = http_request(target_.host(), target_.port(), "HEAD", "/bytes/100");
  EXPECT_EQ(head.header("content-length"), "100");
  EXPECT_EQ(head.body, "");
}

TEST_F(TargetTest, BytesAllowsUpTo64MiB) {
  constexpr std::size_t kMax = std::size_t{64} << 20;
  const auto response = target_.get("/bytes/" + std::to_string(kMax));
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body == pattern(kMax));  // not EXPECT_EQ: no 64 MiB failure message
  EXPECT_EQ(target_.get("/bytes/" + std::to_string(kMax + 1)).status, 400);
}

TEST_F(TargetTest, ChunkedSendsSeveralChunks) {
  const auto exchange = raw("GET /chunked/10 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(exchange.received.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_TRUE(exchange.received.ends_with(
      "\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n1\r\nj\r\n0\r\n\r\n"))
      << exchange.received;
  const auto response = target_.get("/chunked/100000");
  EXPECT_TRUE(response.chunked);
  EXPECT_EQ(response.body, pattern(100'000));
}

TEST_F(TargetTest, EchoReturnsBodyAndContentType) {
  const auto response = http_post(target_.host(), target_.port(), "/echo", "hello", "text/x-test");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.header("Content-Type"), "text/x-test");
  const std::string big = pattern(1 << 20);
  EXPECT_TRUE(target_.post("/echo", big).body == big);
}

TEST_F(TargetTest, HeadersReturnsRequestHeadersAsJson) {
  const auto response = http_get(target_.host(), target_.port(), "/headers",
                                 {{"X-Test", "abc"}, {"X-Multi", "1"}, {"x-multi", "2"}});
  EXPECT_EQ(response.header("content-type"), "application/json");
  const Json headers = Json::parse(response.body);
  EXPECT_EQ(headers["x-test"], "abc");
  EXPECT_EQ(headers["x-multi"], "1, 2");
  EXPECT_EQ(headers["host"], target_.host() + ":" + std::to_string(target_.port()));
}

TEST_F(TargetTest, CloseEndpointClosesConnection) {
  const auto exchange = raw("GET /close HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(exchange.received.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(exchange.received.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(exchange.end, RawEnd::kClosed);
}

TEST_F(TargetTest, KeepAliveAndConnectionCloseAreHonoured) {
  const auto closing = raw("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(closing.received.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(closing.end, RawEnd::kClosed);
  const auto kept = raw("GET / HTTP/1.1\r\nHost: t\r\n\r\n", 500ms);
  EXPECT_TRUE(kept.received.ends_with("\r\n\r\nok\n"));
  EXPECT_EQ(kept.end, RawEnd::kTimeout);  // still open, waiting for the next request
}

TEST_F(TargetTest, GarbageSendsNonHttpBytesThenCloses) {
  const auto exchange = raw("GET /garbage HTTP/1.1\r\nHost: t\r\n\r\n");
  static constexpr char kGarbage[] = "\x00\x01 not http at all\r\n\r\n";
  EXPECT_EQ(exchange.received, std::string(kGarbage, sizeof kGarbage - 1));
  EXPECT_EQ(exchange.end, RawEnd::kClosed);
}

TEST_F(TargetTest, ResetAbortsTheConnection) {
  const auto exchange = raw("GET /reset HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(exchange.received, "");
  EXPECT_EQ(exchange.end, RawEnd::kReset);
}

TEST_F(TargetTest, UnknownPathIsNotFound) {
  EXPECT_EQ(target_.get("/no/such/path").status, 404);
}

TEST_F(TargetTest, MalformedRequestGets400AndClose) {
  const auto exchange = raw("\x01\x02 what\r\n\r\n");
  EXPECT_TRUE(exchange.received.starts_with("HTTP/1.1 400 Bad Request\r\n")) << exchange.received;
  EXPECT_EQ(exchange.end, RawEnd::kClosed);
  EXPECT_EQ(stats()["parse_errors"], 1);
}

TEST_F(TargetTest, OversizedRequestsAreRefused) {
  const auto body = raw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 9000000\r\n\r\n");
  EXPECT_TRUE(body.received.starts_with("HTTP/1.1 413 ")) << body.received;
  EXPECT_EQ(body.end, RawEnd::kClosed);
  const auto header = raw("GET / HTTP/1.1\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(header.received.starts_with("HTTP/1.1 431 ")) << header.received;
}

TEST_F(TargetTest, AdminEndpointsCheckTheMethod) {
  EXPECT_EQ(target_.post("/__stats").status, 405);
  EXPECT_EQ(target_.get("/__reset").status, 405);
  EXPECT_EQ(target_.get("/__stall?seconds=1").status, 405);
  EXPECT_EQ(target_.post("/__stall?seconds=abc").status, 400);
}

TEST_F(TargetTest, CountersAreExactOverKeepAlive) {
  HttpConnection connection(target_.host(), target_.port());
  for (int i = 0; i < 100; ++i) connection.request("GET", "/?i=" + std::to_string(i));
  for (int i = 0; i < 50; ++i) connection.request("POST", "/echo", "some body");
  for (int i = 0; i < 25; ++i) connection.request("GET", "/status/503");
  for (int i = 0; i < 25; ++i) connection.request("PUT", "/nope", "x");
  const Json s = stats();
  EXPECT_EQ(s["requests"], 200);
  EXPECT_EQ(s["by_path"], Json({{"/", 100}, {"/echo", 50}, {"/status/503", 25}, {"/nope", 25}}));
  EXPECT_EQ(s["by_method"], Json({{"GET", 125}, {"POST", 50}, {"PUT", 25}}));
  EXPECT_EQ(s["by_status"], Json({{"200", 150}, {"503", 25}, {"404", 25}}));
  EXPECT_EQ(s["bytes_received"], connection.bytes_sent());
  EXPECT_EQ(s["connections"], 1);
  // Per client address: each runner pod of a cluster run has its own.
  ASSERT_EQ(s["by_peer"].size(), 1u) << s["by_peer"].dump();
  EXPECT_EQ(s["by_peer"]["127.0.0.1"]["requests"], 200);
  EXPECT_EQ(s["by_peer"]["127.0.0.1"]["first_request_at"], s["first_request_at"]);
}

TEST(TargetThreadsTest, CountersAreExactAcrossThreads) {
  TargetProcess target(kBinary, {"--threads", "4"});
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 200;
  std::atomic<int> failures = 0;
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      HttpConnection connection(target.host(), target.port());
      for (int i = 0; i < kRequestsEach; ++i) {
        if (connection.request("GET", "/").status != 200) ++failures;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(failures, 0);
  const Json s = Json::parse(target.get("/__stats").body);
  EXPECT_EQ(s["requests"], kClients * kRequestsEach);
  EXPECT_EQ(s["by_path"]["/"], kClients * kRequestsEach);
  EXPECT_EQ(s["connections"], kClients);
  EXPECT_EQ(s["by_peer"], Json({{"127.0.0.1",
                                 {{"requests", kClients * kRequestsEach},
                                  {"first_request_at", s["first_request_at"]}}}}));
  expect_clean_stop(target);
}

TEST_F(TargetTest, ResetZeroesCounters) {
  HttpConnection connection(target_.host(), target_.port());
  connection.request("GET", "/");
  EXPECT_EQ(stats()["requests"], 1);
  EXPECT_EQ(target_.post("/__reset").status, 200);
  const Json s = stats();
  EXPECT_EQ(s["requests"], 0);
  EXPECT_EQ(s["by_path"], Json::object());
  EXPECT_EQ(s["by_peer"], Json::object());
  EXPECT_EQ(s["connections"], 0);
  connection.request("GET", "/");  // an old connection counts again once it is used after reset
  EXPECT_EQ(stats()["connections"], 1);
}

TEST_F(TargetTest, StallHoldsResponsesButNotAdminEndpoints) {
  EXPECT_EQ(target_.post("/__stall?seconds=1.5").status, 200);
  const auto start = Clock::now();
  std::thread held([&] { EXPECT_EQ(target_.get("/").status, 200); });
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(stats()["requests"], 1);  // received and counted, only the response is held
  EXPECT_LT(seconds_since(start), 1.0);
  held.join();
  EXPECT_GE(seconds_since(start), 1.4);
  const auto after = Clock::now();
  EXPECT_EQ(target_.get("/").status, 200);
  EXPECT_LT(seconds_since(after), 0.5);
}

TEST_F(TargetTest, StalledResponsesKeepTheirOrder) {
  target_.post("/__stall?seconds=0.5");
  const auto start = Clock::now();
  const auto exchange =
      raw("GET /status/201 HTTP/1.1\r\nHost: t\r\n\r\n"
          "GET /status/202 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_GE(seconds_since(start), 0.45);
  const auto first = exchange.received.find("HTTP/1.1 201");
  const auto second = exchange.received.find("HTTP/1.1 202");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
}

TEST_F(TargetTest, StallOfZeroEndsTheWindow) {
  target_.post("/__stall?seconds=60");
  const auto start = Clock::now();
  std::thread held([&] { EXPECT_EQ(target_.get("/").status, 200); });
  std::this_thread::sleep_for(200ms);
  target_.post("/__stall?seconds=0");
  held.join();
  EXPECT_LT(seconds_since(start), 2.0);
}

TEST(TargetCliTest, RefusesNonLoopbackAddresses) {
  for (const char* listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:8080", "example.com:80"}) {
    const auto result = run_process({kBinary, "--listen", listen}, 10s);
    EXPECT_EQ(result.status.code, 2) << listen << ": " << result.status.to_string();
    EXPECT_EQ(result.stdout_text, "") << listen;
    EXPECT_NE(result.stderr_text, "") << listen;
  }
  const auto result = run_process({kBinary, "--listen", "0.0.0.0:0"}, 10s);
  EXPECT_NE(result.stderr_text.find("loopback"), std::string::npos) << result.stderr_text;
}

// A pod's target binds the pod's address behind a Service; reached here on loopback only.
TEST(TargetCliTest, BindsEveryAddressWhenAllowed) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--listen", "0.0.0.0:0", "--allow-non-loopback"},
        {"--allow-non-loopback", "--listen=0.0.0.0:0"}}) {
    std::vector<std::string> argv{kBinary, "--quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    Subprocess process(argv);
    const auto line = process.wait_for_line("listening on ", 20s);
    ASSERT_TRUE(line.has_value()) << process.stderr_text();
    const auto url = parse_http_url(line->substr(std::string_view("listening on ").size()));
    ASSERT_TRUE(url.has_value()) << *line;
    EXPECT_EQ(url->first, "0.0.0.0");
    EXPECT_EQ(http_get("127.0.0.1", url->second, "/").body, "ok\n");
  }
}

TEST(TargetCliTest, RejectsBadFlags) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--bogus"}, {"--threads", "0"}, {"--listen"}}) {
    std::vector<std::string> argv{kBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    EXPECT_EQ(run_process(argv, 10s).status.code, 2) << args[0];
  }
}

TEST(TargetCliTest, ExitsCleanlyOnSigtermAndSigint) {
  for (const int signal : {SIGTERM, SIGINT}) {
    TargetProcess target(kBinary, {"--threads", "2"});
    HttpConnection idle(target.host(), target.port());  // an open keep-alive session
    idle.request("GET", "/");
    target.process().send_signal(signal);
    const auto status = target.process().wait(10s);
    ASSERT_TRUE(status.has_value()) << "no exit after signal " << signal;
    EXPECT_EQ(status->code, 0) << status->to_string();
  }
}

TEST(TargetCliTest, ListensOnIpv6Loopback) {
  Subprocess process({kBinary, "--listen", "[::1]:0", "--quiet"});
  const auto line = process.wait_for_line("listening on ", 20s);
  if (!line) GTEST_SKIP() << "no IPv6 loopback here: " << process.stderr_text();
  const auto url = parse_http_url(line->substr(std::string_view("listening on ").size()));
  ASSERT_TRUE(url.has_value()) << *line;
  EXPECT_EQ(url->first, "::1");
  EXPECT_EQ(http_get(url->first, url->second, "/").body, "ok\n");
}

}  // namespace
}  // namespace stampede::testing
