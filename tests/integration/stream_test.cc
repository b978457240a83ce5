// `stream:` steps end to end: the real stampede binary reads Server-Sent Events and NDJSON from
// the bundled target and from an aiohttp server it did not write. Event and stream counts must
// equal what the servers wrote; the latencies must read what the servers were told to wait.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

#ifdef STAMPEDE_SANITIZED
constexpr double kSlack = 0.015;  // instrumented code: more scheduling noise per event
#else
constexpr double kSlack = 0.005;
#endif

nlohmann::json api_stats(const TargetProcess& target) {
  return nlohmann::json::parse(target.get("/__stats").body)["api"];
}

const nlohmann::json& stream_of(const StampedeRun& run, const std::string& row) {
  return result_row(run.result, row)["stream"];
}

double seconds(const nlohmann::json& stream, const char* metric, const char* stat) {
  return stream[metric][stat].get<double>();
}

// 200 ms to the first token, 10 ms between tokens, OpenAI's end marker: the figures read what
// the target was told, and every event and stream is counted once.
TEST(Streams, SseTimeToFirstEventAndGapsAgainstTheBundledTarget) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", one_scenario_plan(target.url(), "{users: 2, duration: 2s}",
                               "      - get: /api/chat/stream?tokens=12&first_ms=200&gap_ms=10\n"
                               "        name: chat\n"
                               "        stream: {format: sse, end: \"[DONE]\"}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& stream = stream_of(run, "chat");
  const auto api = api_stats(target);
  ASSERT_GT(stream["streams"].get<std::uint64_t>(), 0u) << run.describe();
  EXPECT_EQ(stream["streams"], api["streams_completed"]);
  EXPECT_EQ(stream["events"], api["stream_events"]);
  EXPECT_EQ(stream["events"].get<std::uint64_t>(), 12 * stream["streams"].get<std::uint64_t>());
  EXPECT_EQ(stream["tokens"], stream["events"]) << "tokens default to one per event";
  EXPECT_EQ(result_row(run.result, "chat")["requests"], stream["streams"]);
  // 200 ms +- 5 ms: never early, and the typical stream within 5 ms of it.
  EXPECT_GE(seconds(stream, "time_to_first_event_seconds", "min"), 0.200);
  EXPECT_LE(seconds(stream, "time_to_first_event_seconds", "p50"), 0.200 + kSlack);
  EXPECT_LE(seconds(stream, "time_to_first_event_seconds", "p95"), 0.200 + 4 * kSlack);
  // A late event makes the next gap short, so only the typical gap is checked.
  EXPECT_NEAR(seconds(stream, "event_gap_seconds", "p50"), 0.010, kSlack);
  // 11 gaps of 10 ms after the first token: time per output token 10 ms; 12 tokens in at least
  // 0.31 s (timers fire late, never early).
  EXPECT_NEAR(seconds(stream, "time_per_output_token_seconds", "p50"), 0.010, kSlack);
  EXPECT_LE(stream["tokens_per_second"]["p50"].get<double>(), 12 / 0.31);
  EXPECT_GE(stream["tokens_per_second"]["p50"].get<double>(), 12 / (0.31 + 8 * kSlack));
  EXPECT_NE(run.out.find("ttfe p50"), std::string::npos) << "no stream table in the summary";
}

// OpenAI's chat completion chunks: tokens are the chunks with content (the role chunk's is
// empty, the last one has none), and checks and extract read the last event: the usage block.
TEST(Streams, OpenAiCompatibleStreamCountsContentTokensAndReadsTheUsageBlock) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run",
      one_scenario_plan(target.url(), "{users: 1, duration: 1s}",
                        "      - post: /v1/chat/completions\n"
                        "        name: completions\n"
                        "        json: {model: demo, stream: true, max_tokens: 7,\n"
                        "               stream_options: {include_usage: true},\n"
                        "               messages: [{role: user, content: hi}]}\n"
                        "        stream:\n"
                        "          end: \"[DONE]\"\n"
                        "          tokens: {count: /choices/0/delta/content}\n"
                        "        checks:\n"
                        "          - {name: usage, json: /usage/completion_tokens, equals: \"7\"}\n"
                        "          - {name: text, body: true, contains: \"tok6 \"}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& stream = stream_of(run, "completions");
  const auto api = api_stats(target);
  const auto streams = stream["streams"].get<std::uint64_t>();
  ASSERT_GT(streams, 0u);
  EXPECT_EQ(stream["streams"], api["streams_completed"]);
  // Each stream: the role chunk, 7 content chunks and the stop chunk.
  EXPECT_EQ(stream["events"].get<std::uint64_t>(), 9 * streams);
  EXPECT_EQ(stream["events"], api["stream_events"]);
  EXPECT_EQ(stream["tokens"].get<std::uint64_t>(), 7 * streams);
  for (const auto& c : result_row(run.result, "completions")["checks"]) {
    EXPECT_EQ(c["fails"], 0) << c.dump();
    EXPECT_EQ(c["passes"].get<std::uint64_t>(), streams) << c.dump();
  }
}

// NDJSON ends with the body: every line is an event, the summary line included.
TEST(Streams, NdjsonLinesAreEvents) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", one_scenario_plan(target.url(), "{users: 2, duration: 1s}",
                               "      - get: /api/chat/stream?format=ndjson&tokens=5&gap_ms=2\n"
                               "        name: lines\n"
                               "        stream: ndjson\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& stream = stream_of(run, "lines");
  const auto api = api_stats(target);
  const auto streams = stream["streams"].get<std::uint64_t>();
  ASSERT_GT(streams, 0u);
  EXPECT_EQ(stream["streams"], api["streams_completed"]);
  EXPECT_EQ(
      stream["events"].get<std::uint64_t>(),
      api["stream_events"].get<std::uint64_t>() + api["streams_completed"].get<std::uint64_t>());
  EXPECT_EQ(stream["events"].get<std::uint64_t>(), 6 * streams);
}

// An event larger than maxEventBytes fails its request as response_too_large; the run goes on.
TEST(Streams, AnEventOverTheLimitIsResponseTooLarge) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", one_scenario_plan(target.url(), "{users: 1, duration: 1s}",
                               "      - get: /api/chat/stream?tokens=3\n"
                               "        name: chat\n"
                               "        stream: {end: \"[DONE]\", maxEventBytes: 16}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& row = result_row(run.result, "chat");
  ASSERT_GT(row["requests"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(row["errors"]["response_too_large"], row["requests"]) << row.dump();
  EXPECT_FALSE(row.contains("stream")) << "no event got through";
}

// Thresholds and /metrics name the stream metrics; a failing one fails the run.
TEST(Streams, ThresholdsJudgeTimeToFirstEvent) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const std::string steps =
      "      - get: /api/chat/stream?tokens=3&first_ms=100\n"
      "        name: chat\n"
      "        stream: {end: \"[DONE]\"}\n";
  const auto pass = run_stampede(
      "run", one_scenario_plan(target.url(), "{users: 1, duration: 1s}", steps) +
                 "thresholds:\n  \"sse_time_to_first_event{name:chat}\": [\"p(95) < 3s\"]\n"
                 "  sse_events: [\"count > 0\"]\n");
  EXPECT_EQ(pass.exit_code, 0) << pass.describe();
  const auto fail = run_stampede(
      "run", one_scenario_plan(target.url(), "{users: 1, duration: 1s}", steps) +
                 "thresholds:\n  \"sse_time_to_first_event{name:chat}\": [\"p(95) < 50ms\"]\n");
  EXPECT_EQ(fail.exit_code, 99) << fail.describe();
}

// The open model measures from the scheduled start: with at most one stream in flight per
// worker thread for 20 arrivals a second of 250 ms streams, arrivals wait, and the wait is in
// the time to first event.
TEST(Streams, AStalledStreamUnderTheOpenModelShowsInTheTimeToFirstEvent) {
  TargetProcess target(STAMPEDE_TARGET_BIN);
  const auto run = run_stampede(
      "run", one_scenario_plan(target.url(),
                               "{rate: 20, duration: 2s, preAllocatedUsers: 1, maxInFlight: 1, "
                               "maxQueued: 100, gracefulStop: 10s}",
                               "      - get: /api/chat/stream?tokens=2&first_ms=250\n"
                               "        name: chat\n"
                               "        stream: {end: \"[DONE]\"}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto& row = result_row(run.result, "chat");
  const auto& stream = row["stream"];
  EXPECT_GE(seconds(stream, "time_to_first_event_seconds", "min"), 0.250);
  // The 40th arrival was due at 1.95 s and could start only after 39 others of ~250 ms each,
  // two at a time at most (one per thread): 3 s of waiting, while the service time stays at
  // ~250 ms.
  EXPECT_GT(seconds(stream, "time_to_first_event_seconds", "max"), 2.0) << row.dump();
  EXPECT_LT(row["service_time_seconds"]["p50"].get<double>(), 0.4) << row.dump();
}

// A server we did not write: aiohttp's chunked StreamResponse, two data lines per event, a
// comment before every fifth. Counts equal the server's.
TEST(Streams, SseFromAnAiohttpServer) {
  Subprocess server(
      {"/usr/bin/python3", STAMPEDE_SOURCE_DIR "/tests/support/servers/sse_server.py"});
  const auto line = server.wait_for_line("listening on ", std::chrono::seconds(15));
  ASSERT_TRUE(line.has_value()) << "the aiohttp server did not start (python3-aiohttp missing?)";
  const std::string port = line->substr(std::string("listening on ").size());
  const auto run = run_stampede(
      "run",
      one_scenario_plan("http://127.0.0.1:" + port, "{users: 3, duration: 2s}",
                        "      - get: /sse?events=20&first_ms=200&gap_ms=5\n"
                        "        name: ticks\n"
                        "        stream: {end: \"[DONE]\"}\n"
                        "        checks:\n"
                        "          - {name: all events, body: true, contains: '\"i\": 19'}\n"));
  ASSERT_EQ(run.exit_code, 0) << run.describe();
  const auto counts = nlohmann::json::parse(
      http_get("127.0.0.1", static_cast<std::uint16_t>(std::stoi(port)), "/stats").body);
  const auto& stream = stream_of(run, "ticks");
  ASSERT_GT(stream["streams"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(stream["streams"], counts["completed"]);
  EXPECT_EQ(stream["events"], counts["events"]);
  EXPECT_GE(seconds(stream, "time_to_first_event_seconds", "min"), 0.200);
  EXPECT_LE(seconds(stream, "time_to_first_event_seconds", "p50"), 0.200 + 2 * kSlack);
  const auto& checks = result_row(run.result, "ticks")["checks"];
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0]["fails"], 0);
}

}  // namespace
}  // namespace stampede::testing
