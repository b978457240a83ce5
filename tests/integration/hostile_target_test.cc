// A target that misbehaves on purpose, one way per case. Whatever it does, the runner counts
// every request under one outcome, keeps its memory bounded, ends within its timeouts and exits
// with the code its thresholds give: it never crashes and never hangs.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/hostile_server.h"
#include "support/stampede_run.h"
#include "support/subprocess.h"

namespace stampede::testing {
namespace {

using boost::asio::awaitable;
using namespace std::chrono_literals;

// The runner's own peak memory: a few MiB of code and buffers. Sanitizers multiply it.
#if defined(STAMPEDE_SANITIZED)
constexpr long kMaxRssKib = 1024L * 1024;
#else
constexpr long kMaxRssKib = 64L * 1024;
#endif

// Every run: 2 users for 1 s, 500 ms timeouts, 1 s graceful stop, responses up to 1 MiB, and
// a threshold that passes when (almost) nothing fails.
constexpr auto kDuration = 1s;
constexpr auto kTimeouts = 500ms;
constexpr auto kGracefulStop = 1s;
// Process start and the result's writing on a loaded 2-core machine (or under ASan).
constexpr auto kSlack = 5s;
constexpr std::uint64_t kMaxResponseBytes = 1 << 20;

struct HostileRun {
  ExitStatus status;
  std::chrono::milliseconds elapsed{};
  long max_rss_kib = 0;
  nlohmann::json result;  // the --json document
  std::string out;
  std::string err;

  const nlohmann::json& row() const { return result_row(result, "hostile"); }
  std::uint64_t requests() const { return row().value("requests", std::uint64_t{0}); }
  std::uint64_t failures() const { return row().value("failures", std::uint64_t{0}); }
  std::uint64_t errors(const std::string& category) const {
    return row().value("errors", nlohmann::json::object()).value(category, std::uint64_t{0});
  }
  std::uint64_t statuses(const std::string& code) const {
    return row().value("status_codes", nlohmann::json::object()).value(code, std::uint64_t{0});
  }
  std::string describe() const {
    return status.to_string() + " after " + std::to_string(elapsed.count()) + " ms, peak RSS " +
           std::to_string(max_rss_kib) + " KiB; requests " + std::to_string(requests()) +
           ", failures " + std::to_string(failures()) + ", errors " +
           row().value("errors", nlohmann::json::object()).dump() + ", statuses " +
           row().value("status_codes", nlohmann::json::object()).dump() + "\n--- stdout\n" + out +
           "\n--- stderr\n" + err;
  }
};

// `stampede run` with one step (`step`, a YAML flow mapping naming the row "hostile") against
// the server, bounded in time: a run that outlives its timeouts is killed and fails the test.
HostileRun run_against(const HostileServer& server, const std::string& step = "{get: /}") {
  const std::string plan = write_temp_file(R"(
target:
  url: )" + server.url() + R"(
  timeout: 500ms
  connectTimeout: 500ms
  maxResponseBytes: 1MiB
load: {users: 2, duration: 1s, gracefulStop: 1s}
thresholds:
  http_req_failed: ["rate < 0.01"]
scenarios:
  - name: hostile
    wait: constant(10ms)
    steps:
      - )" + step.substr(0, step.size() - 1) +
                                           ", name: hostile}\n");
  const std::string json = write_temp_file("", ".json");
  const auto start = std::chrono::steady_clock::now();
  Subprocess process({STAMPEDE_BIN, "run", plan, "--json", json, "--quiet"});
  HostileRun run;
  // Killed past its bound, the run shows up as signal 15 or 9 below.
  run.status = process.wait_or_kill(
      std::chrono::duration_cast<Millis>(kDuration + kGracefulStop + kTimeouts + kSlack));
  // The largest peak resident memory of the children reaped so far: the runner's, as the hostile
  // server runs in this process and ctest runs each case in a process of its own.
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  run.max_rss_kib = usage.ru_maxrss;
  run.elapsed = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start);
  run.out = process.stdout_text();
  run.err = process.stderr_text();
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  run.result = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  return run;
}

// What every case asserts: the process exited by itself with the code the threshold gives,
// within its timeouts and memory bound, and every request has exactly one outcome.
void expect_sane(const HostileRun& run, bool failing) {
  ASSERT_TRUE(run.status.exited()) << run.describe();
  EXPECT_EQ(run.status.code, failing ? 99 : 0) << run.describe();
  EXPECT_LT(run.elapsed, kDuration + kGracefulStop + kTimeouts + kSlack) << run.describe();
  EXPECT_GT(run.max_rss_kib, 0) << run.describe();
  EXPECT_LT(run.max_rss_kib, kMaxRssKib) << run.describe();
  ASSERT_TRUE(run.result.is_object()) << run.describe();
  ASSERT_GT(run.requests(), 0u) << run.describe();
  EXPECT_EQ(run.result["totals"]["requests"], run.requests()) << run.describe();
  // Failures are the sum of their categories; requests are the responses (by status) plus the
  // failures that had no response.
  std::uint64_t errors = 0;
  for (const auto& [category, count] : run.row()["errors"].items())
    errors += count.get<std::uint64_t>();
  EXPECT_EQ(errors, run.failures()) << run.describe();
  std::uint64_t responses = 0;
  for (const auto& [code, count] : run.row()["status_codes"].items()) {
    EXPECT_NE(code, "0") << run.describe();
    responses += count.get<std::uint64_t>();
  }
  const std::uint64_t without_response =
      run.failures() - run.errors("unexpected_status") - run.errors("extract");
  EXPECT_EQ(responses + without_response, run.requests()) << run.describe();
}

// Every request failed, all under `category`.
void expect_all_failed_as(const HostileRun& run, const std::string& category) {
  expect_sane(run, /*failing=*/true);
  EXPECT_EQ(run.errors(category), run.requests()) << run.describe();
  EXPECT_EQ(run.failures(), run.requests()) << run.describe();
}

// Every request succeeded with `status`.
void expect_all_succeeded(const HostileRun& run, const std::string& status = "200") {
  expect_sane(run, /*failing=*/false);
  EXPECT_EQ(run.failures(), 0u) << run.describe();
  EXPECT_EQ(run.statuses(status), run.requests()) << run.describe();
}

// Answers every request on a keep-alive connection with `response`.
HostileBehaviour answer_each_with(std::string response) {
  return [response = std::move(response)](HostilePeer& peer) -> awaitable<void> {
    for (;;) {
      co_await peer.read_request();
      co_await peer.write(response);
    }
  };
}

// Answers the first request with `response`, then closes.
HostileBehaviour answer_once_and_close(std::string response) {
  return [response = std::move(response)](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write(response);
    peer.close();
  };
}

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// --- the status line and the head ------------------------------------------------------------

TEST(HostileTarget, GarbageStatusLineIsAProtocolError) {
  HostileServer server(answer_each_with("SMTP ready, not HTTP\r\n\r\n"));
  expect_all_failed_as(run_against(server), "protocol");
}

TEST(HostileTarget, StatusZeroIsAProtocolError) {
  HostileServer server(answer_each_with("HTTP/1.1 000 Nothing\r\nContent-Length: 0\r\n\r\n"));
  expect_all_failed_as(run_against(server), "protocol");
}

TEST(HostileTarget, StatusNineNineNineIsAProtocolError) {
  HostileServer server(answer_each_with("HTTP/1.1 999 Beyond\r\nContent-Length: 0\r\n\r\n"));
  expect_all_failed_as(run_against(server), "protocol");
}

// A head of ~100 KB, in one write: above the 64 KiB limit however the runner's reads split it.
TEST(HostileTarget, HugeHeadersAreTooLarge) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
  while (head.size() < (100 << 10)) head += "X-Pad: " + std::string(200, 'p') + "\r\n";
  HostileServer server(answer_each_with(head + "\r\nok"));
  expect_all_failed_as(run_against(server), "response_too_large");
}

TEST(HostileTarget, EndlessHeadersAreTooLarge) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write("HTTP/1.1 200 OK\r\n");
    const std::string fields(4096, 'h');
    for (;;) co_await peer.write("X-More: " + fields + "\r\n");
  });
  expect_all_failed_as(run_against(server), "response_too_large");
}

TEST(HostileTarget, InterimResponsesAreSkipped) {
  HostileServer server(
      answer_each_with("HTTP/1.1 100 Continue\r\n\r\n"
                       "HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n" +
                       kOk));
  const HostileRun run = run_against(server);
  expect_all_succeeded(run);
  // The interim responses did not cost the connection: one per user, and the runner's
  // reachability probe before the start.
  EXPECT_LE(server.connections(), 3u) << run.describe();
}

TEST(HostileTarget, EndlessInterimResponsesAreAProtocolError) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    for (;;) co_await peer.write("HTTP/1.1 103 Early Hints\r\n\r\n");
  });
  expect_all_failed_as(run_against(server), "protocol");
}

TEST(HostileTarget, ConflictingContentLengthsAreAProtocolError) {
  HostileServer server(
      answer_each_with("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"));
  expect_all_failed_as(run_against(server), "protocol");
}

TEST(HostileTarget, ContentLengthWithChunkedIsAProtocolError) {
  HostileServer server(
      answer_each_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: "
                       "2\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
  expect_all_failed_as(run_against(server), "protocol");
}

// --- bodies ----------------------------------------------------------------------------------

TEST(HostileTarget, ContentLengthLongerThanTheBodyThenCloseIsAReset) {
  HostileServer server(
      answer_once_and_close("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"));
  expect_all_failed_as(run_against(server), "reset");
}

TEST(HostileTarget, BadChunkSizeIsAProtocolError) {
  HostileServer server(answer_each_with(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"));
  expect_all_failed_as(run_against(server), "protocol");
}

TEST(HostileTarget, MissingLastChunkThenCloseIsAReset) {
  HostileServer server(
      answer_once_and_close("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n"));
  expect_all_failed_as(run_against(server), "reset");
}

// A chunk shorter than its size, then silence: the request times out.
TEST(HostileTarget, ShortChunkThenSilenceTimesOut) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort\r\n");
    co_await peer.sleep(10s);
  });
  expect_all_failed_as(run_against(server), "request_timeout");
}

TEST(HostileTarget, BodyTricklingOneBytePerSecondTimesOut) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n");
    for (int i = 0; i < 60; ++i) {
      co_await peer.write("x");
      co_await peer.sleep(1s);
    }
  });
  expect_all_failed_as(run_against(server), "request_timeout");
}

// Sent as fast as loopback goes, with and without a declared length, and with the body kept for
// a check: each stops at maxResponseBytes, and memory stays bounded.
HostileBehaviour endless_body(std::string head) {
  return [head = std::move(head)](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write(head);
    const std::string block(64 << 10, 'b');
    for (;;) co_await peer.write(block);
  };
}

TEST(HostileTarget, EndlessCloseDelimitedBodyIsTooLarge) {
  HostileServer server(endless_body("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
  const HostileRun run = run_against(server);
  expect_all_failed_as(run, "response_too_large");
  EXPECT_LE(run.row()["bytes_received"].get<std::uint64_t>(),
            run.requests() * (kMaxResponseBytes + (256 << 10)))
      << run.describe();
}

TEST(HostileTarget, EndlessChunkedBodyKeptForACheckIsTooLarge) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'c') + "\r\n";
    for (;;) co_await peer.write(chunk);
  });
  expect_all_failed_as(run_against(server, "{get: /, checks: [{body: true, contains: never}]}"),
                       "response_too_large");
}

TEST(HostileTarget, HugeContentLengthIsTooLargeAtOnce) {
  HostileServer server(endless_body("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n"));
  expect_all_failed_as(run_against(server), "response_too_large");
}

TEST(HostileTarget, CloseDelimitedHttp10BodyIsASuccess) {
  HostileServer server(answer_once_and_close("HTTP/1.0 200 OK\r\n\r\nold-style body"));
  const HostileRun run = run_against(server);
  expect_all_succeeded(run);
  EXPECT_GE(server.connections(), run.requests()) << run.describe();
}

TEST(HostileTarget, CloseDelimitedHttp11BodyIsASuccess) {
  HostileServer server(
      answer_once_and_close("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end"));
  expect_all_succeeded(run_against(server));
}

// No body may follow a 204 or a HEAD response: the bytes that do are not taken for the next
// response. The response counts, and the runner drops the connection, which is out of step.
TEST(HostileTarget, NoContentWithABodyIsCountedAndTheConnectionReplaced) {
  HostileServer server(answer_each_with("HTTP/1.1 204 No Content\r\n\r\nstray body"));
  const HostileRun run = run_against(server);
  expect_all_succeeded(run, "204");
  EXPECT_GE(server.connections(), run.requests()) << run.describe();
}

TEST(HostileTarget, HeadResponseWithABodyIsCountedAndTheConnectionReplaced) {
  HostileServer server(answer_each_with("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nstray body"));
  const HostileRun run = run_against(server, "{head: /}");
  expect_all_succeeded(run);
  EXPECT_GE(server.connections(), run.requests()) << run.describe();
}

// --- connections -----------------------------------------------------------------------------

TEST(HostileTarget, CloseOnAcceptIsAReset) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    peer.close();
    co_return;
  });
  expect_all_failed_as(run_against(server), "reset");
}

TEST(HostileTarget, ResetOnAcceptIsAReset) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    peer.reset();
    co_return;
  });
  expect_all_failed_as(run_against(server), "reset");
}

// The answer comes before the question: it is still the answer to the request that follows.
TEST(HostileTarget, ResponseBeforeTheRequestIsTakenAsItsResponse) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nearly");
    co_await peer.read_request();
    peer.close();
  });
  const HostileRun run = run_against(server);
  expect_all_succeeded(run);
  EXPECT_GE(server.connections(), run.requests()) << run.describe();
}

// A 408 sent on an idle keep-alive connection just before closing it (RFC 9110 §15.5.9) answers
// no request: the next request, sent on that connection, never reached the server.
TEST(HostileTarget, RequestTimeoutSentWhileIdleIsNotTheNextRequestsResponse) {
  HostileServer server([](HostilePeer& peer) -> awaitable<void> {
    co_await peer.read_request();
    co_await peer.write(kOk);
    co_await peer.sleep(2ms);
    co_await peer.write(
        "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    peer.close();
  });
  const HostileRun run = run_against(server);
  expect_all_succeeded(run);
  EXPECT_EQ(run.requests(), server.requests()) << run.describe();
}

// --- content encoding ------------------------------------------------------------------------

// `size` zero bytes, gzip-compressed (about a thousandth of `size`).
std::string gzip_of_zeros(std::size_t size) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  for (std::size_t left = size; left > 0 || z.avail_in > 0;) {
    if (z.avail_in == 0) {
      const std::size_t n = std::min(left, zeros.size());
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
      z.avail_in = static_cast<uInt>(n);
      left -= n;
    }
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof buffer;
      deflate(&z, flush);
      out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

// The runner does not decompress: it counts the bytes on the wire, and the bomb stays shut.
TEST(HostileTarget, GzipBombIsCountedRaw) {
  const std::string bomb = gzip_of_zeros(std::size_t{64} << 20);
  ASSERT_LT(bomb.size(), kMaxResponseBytes);
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/plain\r\n"
      "Content-Length: " +
      std::to_string(bomb.size()) + "\r\n\r\n";
  HostileServer server(answer_each_with(head + bomb));
  const HostileRun run = run_against(server, "{get: /, checks: [{body: true, contains: never}]}");
  expect_all_succeeded(run);
  EXPECT_EQ(run.row()["bytes_received"].get<std::uint64_t>(),
            run.requests() * (head.size() + bomb.size()))
      << run.describe();
}

}  // namespace
}  // namespace stampede::testing
