// Runs the real stampede-target binary and drives its WebSocket endpoints (/ws/echo, /ws/scope)
// with a client we did not write: Python's websockets (Debian's python3-websockets), through
// tests/support/clients/ws_client.py. Each case compares what the client saw with the ws_
// counters of /__stats, which must be exact.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using namespace std::chrono_literals;
// Parsed documents stay non-const: a missing key then fails an expectation instead of tripping
// the assertion in nlohmann's const operator[].
using Json = nlohmann::json;

constexpr const char* kBinary = STAMPEDE_TARGET_BIN;
constexpr const char* kClient = STAMPEDE_SOURCE_DIR "/tests/support/clients/ws_client.py";
// The client bounds each scenario at 4 s itself (--timeout); this is the backstop.
constexpr Millis kClientLimit = 5s;

class TargetWsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    const auto status = target_.stop();
    EXPECT_EQ(status.code, 0) << status.to_string() << "\n" << target_.process().stderr_text();
  }

  // Runs one scenario of ws_client.py and returns the JSON it printed.
  Json client(const std::string& scenario, std::vector<std::string> args = {}) {
    std::vector<std::string> argv{"/usr/bin/python3", kClient,
                                  "ws://" + target_.host() + ":" + std::to_string(target_.port()),
                                  scenario};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult run = run_process(argv, kClientLimit);
    EXPECT_EQ(run.status.code, 0) << scenario << ": " << run.status.to_string()
                                  << (run.timed_out ? " (timed out)" : "") << "\n"
                                  << run.stdout_text << run.stderr_text
                                  << "(python3-websockets missing?)";
    Json result = Json::parse(run.stdout_text, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(result.is_object()) << run.stdout_text << run.stderr_text;
    return result.is_object() ? result : Json::object();
  }

  // /__stats once `key` reaches `expected`, or after 2 s. The server counts the end of a session
  // when its last read or close completes, which may be just after the client has exited.
  Json stats_when(const std::string& key, std::uint64_t expected) {
    Json stats;
    for (int i = 0; i < 40; ++i) {
      stats = Json::parse(target_.get("/__stats").body);
      if (stats[key] == expected) break;
      std::this_thread::sleep_for(50ms);
    }
    return stats;
  }

  TargetProcess target_{kBinary};
};

TEST_F(TargetWsTest, EchoesTextAndBinaryMessagesAndCountsThem) {
  Json echo = client("echo", {"--text", "25", "--binary", "25", "--pings", "3"});
  EXPECT_EQ(echo["received"], 50) << echo.dump();
  EXPECT_EQ(echo["equal"], true) << echo.dump();
  EXPECT_EQ(echo["text"], 25);
  EXPECT_EQ(echo["binary"], 25);
  EXPECT_EQ(echo["pongs"], 3);
  EXPECT_EQ(echo["close_code"], 1000);

  Json stats = stats_when("ws_sessions_closed", 1);
  EXPECT_EQ(stats["ws_sessions_opened"], 1);
  EXPECT_EQ(stats["ws_sessions_closed"], 1);
  EXPECT_EQ(stats["ws_sessions_refused"], 0);
  EXPECT_EQ(stats["ws_messages_received"], 50);
  EXPECT_EQ(stats["ws_messages_sent"], 50);
  EXPECT_EQ(stats["ws_frames_sent"], 0);
  EXPECT_EQ(stats["ws_pings_received"], 3);
  EXPECT_EQ(stats["requests"], 0) << "an accepted upgrade is not an HTTP request";

  ASSERT_EQ(target_.post("/__reset").status, 200);
  stats = Json::parse(target_.get("/__stats").body);
  EXPECT_EQ(stats["ws_sessions_opened"], 0);
  EXPECT_EQ(stats["ws_messages_sent"], 0);
}

TEST_F(TargetWsTest, EchoesTheFirstOfferedSubprotocol) {
  Json offered = client("handshake", {"--subprotocols", "scope.v2,scope.v1"});
  EXPECT_EQ(offered["status"], 101);
  EXPECT_EQ(offered["subprotocol"], "scope.v2") << offered.dump();
  Json none = client("handshake");
  EXPECT_EQ(none["status"], 101);
  EXPECT_TRUE(none["subprotocol"].is_null()) << none.dump();
}

TEST_F(TargetWsTest, NegotiatesPermessageDeflateOnlyWhenOffered) {
  Json deflate = client("handshake", {"--deflate"});
  EXPECT_NE(deflate["extensions"].get<std::string>().find("permessage-deflate"), std::string::npos)
      << deflate.dump();
  Json plain = client("handshake", {"--no-deflate"});
  EXPECT_EQ(plain["extensions"], "") << plain.dump();
  // Compressed both ways, the messages still come back as sent.
  Json echo = client("echo", {"--deflate", "--text", "30", "--binary", "30"});
  EXPECT_EQ(echo["equal"], true) << echo.dump();
  EXPECT_NE(echo["extensions"].get<std::string>().find("permessage-deflate"), std::string::npos);
}

TEST_F(TargetWsTest, StatusQueryRefusesTheHandshake) {
  EXPECT_EQ(client("handshake", {"--path", "/ws/echo?status=403"})["status"], 403);
  EXPECT_EQ(client("handshake", {"--path", "/ws/scope?status=503"})["status"], 503);
  EXPECT_EQ(client("handshake", {"--path", "/ws/echo?close_after=soon"})["status"], 400);
  // An upgrade to a path that is no WebSocket endpoint is an ordinary request.
  EXPECT_EQ(client("handshake", {"--path", "/ws/nope"})["status"], 404);

  Json stats = Json::parse(target_.get("/__stats").body);
  EXPECT_EQ(stats["ws_sessions_refused"], 3);
  EXPECT_EQ(stats["ws_sessions_opened"], 0);
  EXPECT_EQ(stats["by_status"], Json({{"404", 1}}));
}

TEST_F(TargetWsTest, AbortAfterDropsTheConnectionWithoutACloseFrame) {
  Json run = client("until-closed", {"--path", "/ws/echo?abort_after=3", "--messages", "10"});
  EXPECT_EQ(run["echoed"], 3) << run.dump();
  EXPECT_EQ(run["close_code"], 1006);
  EXPECT_EQ(run["close_frame_received"], false);

  Json stats = Json::parse(target_.get("/__stats").body);
  EXPECT_EQ(stats["ws_sessions_opened"], 1);
  EXPECT_EQ(stats["ws_sessions_closed"], 0);
  EXPECT_EQ(stats["ws_messages_received"], 3);
  EXPECT_EQ(stats["ws_messages_sent"], 3);
}

TEST_F(TargetWsTest, CloseAfterEndsWithTheCloseHandshakeAfterDelayedEchoes) {
  Json run =
      client("until-closed", {"--path", "/ws/echo?close_after=3&delay_ms=100", "--messages", "10"});
  EXPECT_EQ(run["echoed"], 3) << run.dump();
  EXPECT_EQ(run["close_code"], 1000);
  EXPECT_EQ(run["close_frame_received"], true);
  for (auto& rtt : run["rtts_ms"]) EXPECT_GE(rtt.get<double>(), 100.0) << run.dump();

  Json stats = stats_when("ws_sessions_closed", 1);
  EXPECT_EQ(stats["ws_sessions_closed"], 1);
  EXPECT_EQ(stats["ws_messages_sent"], 3);
}

// 50 Hz for 1 s, then 100 Hz for 0.5 s: about 50 frames each, numbered 1, 2, 3... without a gap
// across the rate change; the unsubscribe reply, the client and /__stats agree on the total.
TEST_F(TargetWsTest, ScopeStreamsPacedFramesAndCountsThem) {
  Json run = client("scope", {"--seconds", "1"});
  EXPECT_EQ(run["configured"],
            Json({{"op", "configured"}, {"rate", 50}, {"samples", 16}, {"channel", "A"}}));
  EXPECT_EQ(run["subscribed"], Json({{"op", "subscribed"}}));
  EXPECT_EQ(run["updated"],
            Json({{"op", "updated"}, {"rate", 100}, {"samples", 16}, {"channel", "A"}}));
  EXPECT_NEAR(run["frames_at_50"].get<double>(), 50, 3) << run.dump();
  EXPECT_NEAR(run["frames_at_100"].get<double>(), 50, 3) << run.dump();
  EXPECT_EQ(run["seq_in_order"], true);
  EXPECT_EQ(run["channels"], Json({"A"}));
  EXPECT_EQ(run["samples_per_frame"], Json({16}));
  EXPECT_EQ(run["unsubscribed"]["op"], "unsubscribed");
  EXPECT_EQ(run["unsubscribed"]["frames"], run["frames"]);
  EXPECT_EQ(run["unsubscribed"]["dropped"], 0);
  EXPECT_EQ(run["close_code"], 1000);

  Json stats = stats_when("ws_sessions_closed", 1);
  const auto frames = run["frames"].get<std::uint64_t>();
  EXPECT_EQ(stats["ws_frames_sent"], frames);
  // configured, subscribed, updated and unsubscribed besides the frames.
  EXPECT_EQ(stats["ws_messages_sent"], frames + 4);
  EXPECT_EQ(stats["ws_messages_received"], 4);
  EXPECT_EQ(stats["ws_sessions_closed"], 1);
}

TEST_F(TargetWsTest, ScopeAnswersInvalidMessagesAndStaysOpen) {
  Json run = client("scope-errors");
  Json& replies = run["replies"];
  ASSERT_EQ(replies.size(), 9u) << run.dump();
  for (int i : {0, 1, 2, 3, 4, 5, 8}) {
    EXPECT_EQ(replies[i]["op"], "error") << replies[i].dump();
    EXPECT_TRUE(replies[i]["error"].is_string());
  }
  EXPECT_EQ(replies[5]["error"], "not subscribed");
  // Out-of-range numbers are clamped, not refused.
  EXPECT_EQ(replies[6],
            Json({{"op", "configured"}, {"rate", 1000}, {"samples", 1}, {"channel", "B"}}));
  EXPECT_EQ(replies[7], Json({{"op", "updated"}, {"rate", 1}, {"samples", 1}, {"channel", "B"}}));
  EXPECT_EQ(run["close_code"], 1000);

  Json stats = stats_when("ws_sessions_closed", 1);
  EXPECT_EQ(stats["ws_messages_received"], 9);
  EXPECT_EQ(stats["ws_messages_sent"], 9);
}

}  // namespace
}  // namespace stampede::testing
