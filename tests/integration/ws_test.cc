// `ws:` steps end to end: the real stampede binary holds WebSocket sessions against a server it
// did not write (Python's websockets) and against the bundled target's oscilloscope and echo
// endpoints. Message and session counts must equal the servers' counts; each failure lands in
// its category; the latencies read what the servers were told to do.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/http_client.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

#ifdef STAMPEDE_SANITIZED
constexpr double kSlack = 0.004;  // instrumented code: more scheduling noise per message
#else
constexpr double kSlack = 0.002;
#endif

std::uint64_t count(const nlohmann::json& j, const char* key) {
  return j.contains(key) ? j[key].get<std::uint64_t>() : 0;
}

// Python's websockets server (tests/support/servers/ws_server.py) on a free loopback port.
class PythonServer {
 public:
  // `tls_dir`: serve wss:// with DIR/cert.pem and DIR/key.pem.
  explicit PythonServer(const std::string& tls_dir = "") : process_(command(tls_dir)) {
    const auto line = process_.wait_for_line("listening on ", std::chrono::seconds(15));
    if (!line) throw std::runtime_error("ws_server.py did not start (python3-websockets?)");
    port_ =
        static_cast<std::uint16_t>(std::stoi(line->substr(std::string("listening on ").size())));
  }
  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  nlohmann::json stats() const {
    return nlohmann::json::parse(http_get("127.0.0.1", port_, "/stats").body);
  }

 private:
  static std::vector<std::string> command(const std::string& tls_dir) {
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     STAMPEDE_SOURCE_DIR "/tests/support/servers/ws_server.py"};
    if (!tls_dir.empty()) {
      argv.insert(argv.end(), {"--cert", tls_dir + "/cert.pem", "--key", tls_dir + "/key.pem"});
    }
    return argv;
  }

  Subprocess process_;
  std::uint16_t port_ = 0;
};

// A self-signed certificate for 127.0.0.1 in a new directory.
std::string certificate_dir() {
  char dir[] = "/tmp/stampede-ws-tls-XXXXXX";
  if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
  const auto r = run_process(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
       "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
       std::string(dir) + "/key.pem", "-out", std::string(dir) + "/cert.pem"},
      std::chrono::seconds(60));
  if (r.status.code != 0) throw std::runtime_error("openssl failed: " + r.stderr_text);
  return dir;
}

// Echo with a subprotocol and permessage-deflate: every message each way is counted once, the
// server saw the offer, and each named send has its reply.
TEST(WebSocket, EchoCountsEqualTheServersWithSubprotocolAndDeflate) {
  PythonServer server;
  const auto run =
      run_stampede("run", one_scenario_plan(server.url(), "{users: 3, duration: 2s}",
                                            "      - ws: /echo\n"
                                            "        name: echo\n"
                                            "        subprotocols: [chat, other]\n"
                                            "        deflate: true\n"
                                            "        actions:\n"
                                            "          - repeat: 10\n"
                                            "            actions:\n"
                                            "              - send: '{\"n\": {{ seq() }}}'\n"
                                            "                name: rtt\n"
                                            "              - receive: {json: /n, exists: true}\n"
                                            "                name: rtt\n"
                                            "          - sendBinary: raw\n"
                                            "          - receive: 1\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto stats = server.stats();
  const auto& session = result_row(run.result, "echo", "WS");
  const auto& ws = session["ws"];
  const std::uint64_t sessions = count(ws, "sessions");
  ASSERT_GT(sessions, 0u) << run.describe();
  EXPECT_EQ(sessions, stats["sessions"]);
  EXPECT_EQ(count(session, "requests"), sessions);
  EXPECT_EQ(count(ws, "msgs_sent"), stats["received"]);
  EXPECT_EQ(count(ws, "msgs_received"), stats["sent"]);
  EXPECT_EQ(count(ws, "msgs_sent"), 11 * sessions);
  EXPECT_EQ(stats["clean_closes"], sessions) << "every session ends with the close handshake";
  EXPECT_EQ(ws["close_codes"]["1000"], sessions);
  EXPECT_EQ(stats["offered"][0], "chat, other");
  EXPECT_NE(stats["extensions"][0].get<std::string>().find("permessage-deflate"),
            std::string::npos);
  const auto& reply = result_row(run.result, "rtt", "REPLY");
  EXPECT_EQ(count(reply, "requests"), 10 * sessions);
  EXPECT_EQ(count(reply, "failures"), 0u);
  EXPECT_NE(run.out.find("websocket"), std::string::npos) << "no websocket table in the summary";
}

// wss://: the session runs over TLS as an HTTP step does (the target's tls.caFile trusts the
// server's certificate), deflate included.
TEST(WebSocket, SessionsOverTls) {
  const std::string dir = certificate_dir();
  PythonServer server(dir);
  const auto run =
      run_stampede("run", "target:\n  url: " + server.url("https") + "\n  tls: {caFile: " + dir +
                              "/cert.pem}\n"
                              "load: {users: 2, duration: 1s}\n"
                              "scenarios:\n  - name: s\n    steps:\n"
                              "      - ws: /echo\n"
                              "        name: echo\n"
                              "        deflate: true\n"
                              "        actions: [{send: hi}, {receive: 1}, ping]\n");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& session = result_row(run.result, "echo", "WS");
  const auto& ws = session["ws"];
  ASSERT_GT(count(ws, "sessions"), 0u) << run.describe();
  EXPECT_EQ(count(session, "failures"), 0u) << session.dump();
  EXPECT_EQ(count(ws, "msgs_received"), count(ws, "sessions"));
  EXPECT_EQ(count(ws, "pongs"), count(ws, "sessions"));
  EXPECT_EQ(ws["close_codes"]["1000"], ws["sessions"]);
  std::filesystem::remove_all(dir);
}

// A receive extracts from the message that ended it: a later send and receive of the same
// session use the value; a value that is missing fails the session as `extract`.
TEST(WebSocket, ReceivesExtractForLaterActions) {
  PythonServer server;
  const auto run =
      run_stampede("run", "target: " + server.url() +
                              "\nload: {users: 2, duration: 1s}\nscenarios:\n"
                              "  - name: chained\n    steps:\n"
                              "      - ws: /echo\n        name: chained\n        actions:\n"
                              "          - send: '{\"token\": \"t{{ seq() }}\"}'\n"
                              "          - receive: 1\n"
                              "            extract: {token: {json: /token}}\n"
                              "          - send: 'again {{ token }}'\n"
                              "          - receive: {body: true, equals: 'again {{ token }}'}\n"
                              "            timeout: 1s\n"
                              "  - name: missing\n    steps:\n"
                              "      - ws: /echo\n        name: missing\n        actions:\n"
                              "          - send: '{}'\n"
                              "          - receive: 1\n"
                              "            extract: {token: {json: /token}}\n");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& chained = result_row(run.result, "chained", "WS");
  ASSERT_GT(count(chained, "requests"), 0u) << run.describe();
  EXPECT_EQ(count(chained, "failures"), 0u) << chained.dump();
  EXPECT_EQ(count(chained["ws"], "msgs_received"), 2 * count(chained, "requests"));
  const auto& missing = result_row(run.result, "missing", "WS");
  ASSERT_GT(count(missing, "requests"), 0u);
  EXPECT_EQ(missing["errors"]["extract"], missing["requests"]) << missing.dump();
}

// A 50 Hz feed: the gap between received messages reads 20 ms, every message is counted.
TEST(WebSocket, TheGapOfAFiftyHertzFeedIsTwentyMilliseconds) {
  PythonServer server;
  const auto run = run_stampede("run", one_scenario_plan(server.url(), "{users: 2, duration: 1s}",
                                                         "      - ws: /feed?count=25&hz=50\n"
                                                         "        name: feed\n"
                                                         "        actions:\n"
                                                         "          - receive: 25\n"
                                                         "            timeout: 3s\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& ws = result_row(run.result, "feed", "WS")["ws"];
  const std::uint64_t sessions = count(ws, "sessions");
  ASSERT_GT(sessions, 0u);
  EXPECT_EQ(count(ws, "msgs_received"), 25 * sessions);
  EXPECT_EQ(count(ws, "msgs_received"), server.stats()["sent"]);
  EXPECT_NEAR(ws["message_gap_seconds"]["p50"].get<double>(), 0.020, kSlack);
  // The session is open from our side's handshake to the last message: the server paces from
  // its own start on absolute deadlines, so a late handshake on a busy machine shortens it by
  // that lateness (seen: 23 ms while the sanitizer builds ran beside the tests).
  constexpr double kHandshakeLateness = 0.050;
  EXPECT_GE(ws["session_duration_seconds"]["min"].get<double>(), 24 * 0.020 - kHandshakeLateness);
}

// Each way a session fails lands in its category, with the handshake's status and the close
// code counted, and the run goes on.
TEST(WebSocket, FailuresAreCountedByCategory) {
  PythonServer server;
  const auto run = run_stampede(
      "run", "target: " + server.url() +
                 "\nload: {users: 5, duration: 1s}\nscenarios:\n"
                 "  - name: refused\n    steps:\n"
                 "      - ws: /refuse?status=403\n        name: refused\n        actions: [ping]\n"
                 "  - name: dropped\n    steps:\n"
                 "      - ws: /drop?after=1\n        name: dropped\n"
                 "        actions: [{send: a}, {receive: 1}]\n"
                 "  - name: silent\n    steps:\n"
                 "      - ws: /silent\n        name: silent\n"
                 "        actions: [{send: a}, {receive: 1, name: answer, timeout: 50ms}]\n"
                 "  - name: big\n    steps:\n"
                 "      - ws: /big?bytes=5000\n        name: big\n        maxMessageBytes: 4096\n"
                 "        actions: [{send: a}, {receive: 1}]\n"
                 "  - name: closed\n    steps:\n"
                 "      - ws: /close?code=4001\n        name: closed\n"
                 "        actions: [{send: a}, {receive: 1}]\n");
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  auto all_failed = [&](const char* name, const char* category) {
    const auto& r = result_row(run.result, name, "WS");
    ASSERT_GT(count(r, "requests"), 0u) << name << ": " << run.describe();
    EXPECT_EQ(r["failures"], r["requests"]) << name << ": " << r.dump();
    EXPECT_EQ(r["errors"][category], r["requests"]) << name << ": " << r.dump();
  };
  all_failed("refused", "ws_handshake_refused");
  EXPECT_EQ(result_row(run.result, "refused", "WS")["status_codes"]["403"],
            result_row(run.result, "refused", "WS")["requests"]);
  all_failed("dropped", "ws_closed_abnormally");
  EXPECT_EQ(result_row(run.result, "dropped", "WS")["ws"]["close_codes"]["1006"],
            result_row(run.result, "dropped", "WS")["requests"]);
  all_failed("silent", "receive_timeout");
  EXPECT_EQ(result_row(run.result, "answer", "REPLY")["errors"]["receive_timeout"],
            result_row(run.result, "silent", "WS")["requests"]);
  all_failed("big", "message_too_large");
  all_failed("closed", "ws_closed_abnormally");
  EXPECT_EQ(result_row(run.result, "closed", "WS")["ws"]["close_codes"]["4001"],
            result_row(run.result, "closed", "WS")["requests"]);
}

// The bundled target's oscilloscope, mixed with HTTP users by weight as the seed's journey is:
// configure, subscribe, frames, change the rate, unsubscribe, close. Counts equal the target's.
TEST(WebSocket, OscilloscopeJourneyAgainstTheBundledTarget) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string yaml = "target: " + target.url() +
                           "\nload: {users: 4, duration: 2s}\n"
                           "scenarios:\n"
                           "  - name: scope\n    weight: 3\n    steps:\n"
                           "      - ws: /ws/scope\n"
                           "        name: scope\n"
                           "        actions:\n"
                           "          - send: {op: configure, rate: 50, samples: 8}\n"
                           "            name: configure\n"
                           "          - receive: {json: /op, equals: configured}\n"
                           "            name: configure\n"
                           "          - send: {op: subscribe}\n"
                           "          - receive: {json: /seq, equals: '10'}\n"
                           "            timeout: 2s\n"
                           "          - send: {op: set, rate: 100}\n"
                           "          - receive: {json: /seq, equals: '20'}\n"
                           "            timeout: 2s\n"
                           "          - ping\n"
                           "          - send: {op: unsubscribe}\n"
                           "            name: unsubscribe\n"
                           "          - receive: {json: /op, equals: unsubscribed}\n"
                           "            name: unsubscribe\n"
                           "          - close: 1000\n"
                           "        extract: {frames: {json: /frames}}\n"
                           "  - name: http\n    weight: 1\n    steps:\n"
                           "      - get: /health\n"
                           "thresholds:\n"
                           "  'ws_reply_time{name:configure}': ['p(95) < 500ms']\n"
                           "  ws_sessions: ['count > 0']\n"
                           "  ws_msgs_received: ['count > 0']\n";
  const auto run = run_stampede("run", yaml);
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  const auto& session = result_row(run.result, "scope", "WS");
  const auto& ws = session["ws"];
  const std::uint64_t sessions = count(ws, "sessions");
  ASSERT_GT(sessions, 0u) << run.describe();
  EXPECT_EQ(count(session, "failures"), 0u) << session.dump();
  EXPECT_EQ(sessions, stats["ws_sessions_opened"]);
  EXPECT_EQ(sessions, stats["ws_sessions_closed"]);
  EXPECT_EQ(count(ws, "msgs_sent"), stats["ws_messages_received"]);
  EXPECT_EQ(count(ws, "msgs_received"), stats["ws_messages_sent"]);
  EXPECT_EQ(count(ws, "msgs_sent"), 4 * sessions);
  EXPECT_EQ(count(ws, "pings"), sessions);
  EXPECT_EQ(count(ws, "pongs"), sessions);
  EXPECT_EQ(stats["ws_pings_received"], sessions);
  EXPECT_EQ(count(result_row(run.result, "configure", "REPLY"), "requests"), sessions);
  EXPECT_EQ(count(result_row(run.result, "unsubscribe", "REPLY"), "requests"), sessions);
  EXPECT_GT(row_requests(run.result, "/health"), 0u) << "the HTTP users ran beside";
  // Frames at 50 Hz, then 100 Hz: the typical gap is one of the two periods.
  const double gap = ws["message_gap_seconds"]["p50"].get<double>();
  EXPECT_TRUE(std::abs(gap - 0.020) < kSlack || std::abs(gap - 0.010) < kSlack) << gap;
}

// The open model counts sessions and times them from the scheduled start.
TEST(WebSocket, ArrivalRatesCountSessions) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", one_scenario_plan(target.url(), "{rate: 20, duration: 2s, preAllocatedUsers: 4}",
                               "      - ws: /ws/echo\n"
                               "        name: echo\n"
                               "        actions: [{send: hi}, {receive: 1}]\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& session = result_row(run.result, "echo", "WS");
  EXPECT_NEAR(static_cast<double>(count(session["ws"], "sessions")), 40, 2) << session.dump();
  EXPECT_EQ(count(session, "failures"), 0u);
  const auto stats = nlohmann::json::parse(target.get("/__stats").body);
  EXPECT_EQ(session["ws"]["sessions"], stats["ws_sessions_opened"]);
}

}  // namespace
}  // namespace stampede::testing
