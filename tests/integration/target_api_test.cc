// Runs the real stampede-target binary and checks the /api endpoints example load plans use:
// id chaining, expected 403/404/409 under contention, rate limiting, the chat gateway and
// /health, each against the "api" counters of /__stats. JWTs are in target_jwt_test.cc.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <map>
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
using Clock = std::chrono::steady_clock;

constexpr const char* kBinary = STAMPEDE_TARGET_BIN;
const Headers kJson{{"Content-Type", "application/json"}};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Json api_stats(const TargetProcess& target) {
  return Json::parse(target.get("/__stats").body)["api"];
}

void expect_clean_stop(TargetProcess& target) {
  const auto status = target.stop();
  EXPECT_EQ(status.code, 0) << status.to_string() << "\n" << target.process().stderr_text();
}

class TargetApiTest : public ::testing::Test {
 protected:
  void TearDown() override { expect_clean_stop(target_); }
  HttpResponse call(std::string_view method, std::string_view path, std::string_view body = {},
                    const Headers& headers = kJson) {
    return connection_.request(method, path, body, headers);
  }

  TargetProcess target_{kBinary};
  HttpConnection connection_{target_.host(), target_.port()};
};

TEST_F(TargetApiTest, HealthIsOk) {
  const auto response = call("GET", "/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(response.body), Json({{"status", "ok"}}));
  EXPECT_EQ(call("POST", "/health").status, 405);
}

TEST_F(TargetApiTest, PlanIdsChainFromCreateToApprove) {
  const auto created = call("POST", "/api/plans", R"({"name":"spring launch"})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json plan = Json::parse(created.body);
  const std::string id = plan["id"];
  EXPECT_EQ(plan, Json({{"id", id}, {"name", "spring launch"}, {"status", "pending"}}));
  EXPECT_EQ(created.header("Location"), "/api/plans/" + id);

  const auto fetched = call("GET", created.header("Location"));
  EXPECT_EQ(fetched.status, 200);
  EXPECT_EQ(Json::parse(fetched.body), plan);

  const auto approved = call("POST", "/api/plans/" + id + "/approve");
  EXPECT_EQ(approved.status, 200);
  EXPECT_EQ(Json::parse(approved.body), Json({{"id", id}, {"status", "approved"}}));
  const auto again = call("POST", "/api/plans/" + id + "/approve");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(Json::parse(again.body)["error"], "plan already approved");

  const auto status = call("GET", "/api/plans/" + id + "/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(Json::parse(status.body), Json({{"id", id}, {"status", "approved"}}));

  Json api = api_stats(target_);
  EXPECT_EQ(api["plans_created"], 1);
  EXPECT_EQ(api["plans_approved"], 1);
  EXPECT_EQ(api["approve_conflicts"], 1);
  EXPECT_EQ(api["not_found"], 0);
}

TEST_F(TargetApiTest, PlanIdsAreDistinctAndUnknownOnesAre404) {
  const std::string first = Json::parse(call("POST", "/api/plans", R"({"name":"a"})").body)["id"];
  const std::string second = Json::parse(call("POST", "/api/plans", R"({"name":"b"})").body)["id"];
  EXPECT_NE(first, second);
  for (const char* path : {"/api/plans/999999", "/api/plans/abc", "/api/plans/1/nope"}) {
    EXPECT_EQ(call("GET", path).status, 404) << path;
  }
  EXPECT_EQ(call("POST", "/api/plans/999999/approve").status, 404);
  EXPECT_EQ(call("GET", "/api/plans/999999/status").status, 404);
  EXPECT_EQ(api_stats(target_)["not_found"], 5);
}

TEST_F(TargetApiTest, PlanCreateRejectsBadBodies) {
  for (const char* body : {"", "not json", "[1,2]", "{}", R"({"name":7})", R"({"name":null})"}) {
    const auto response = call("POST", "/api/plans", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_TRUE(Json::parse(response.body).contains("error")) << response.body;
  }
  EXPECT_EQ(call("POST", "/api/plans", Json({{"name", std::string(129, 'x')}}).dump()).status, 400);
  EXPECT_EQ(api_stats(target_)["bad_requests"], 7);
  EXPECT_EQ(api_stats(target_)["plans_created"], 0);
}

TEST_F(TargetApiTest, WrongMethodsGet405WithAllow) {
  EXPECT_EQ(call("GET", "/api/plans").status, 405);
  const auto approve = call("GET", "/api/plans/1/approve");
  EXPECT_EQ(approve.status, 405);
  EXPECT_EQ(approve.header("Allow"), "POST");
  const auto worker = call("PUT", "/api/workers/1");
  EXPECT_EQ(worker.status, 405);
  EXPECT_EQ(worker.header("Allow"), "GET, DELETE");
}

TEST(TargetApiStoreTest, OldestPlansAndWorkersAreForgottenBeyondCapacity) {
  TargetProcess target(kBinary, {"--store-capacity", "3"});
  HttpConnection connection(target.host(), target.port());
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(connection.request("POST", "/api/plans", R"({"name":"p"})", kJson).status, 201);
    ASSERT_EQ(connection.request("POST", "/api/workers").status, 201);
  }
  EXPECT_EQ(connection.request("GET", "/api/plans/1").status, 404);
  EXPECT_EQ(connection.request("GET", "/api/workers/1").status, 404);
  for (const char* id : {"2", "3", "4"}) {
    EXPECT_EQ(connection.request("GET", std::string("/api/plans/") + id).status, 200) << id;
    EXPECT_EQ(connection.request("GET", std::string("/api/workers/") + id).status, 200) << id;
  }
  const auto report = connection.request("GET", "/api/admin/report", {}, {{"X-Role", "admin"}});
  EXPECT_EQ(Json::parse(report.body), Json({{"plans", 3}, {"workers", 3}}));
  expect_clean_stop(target);
}

TEST_F(TargetApiTest, WorkersGive201200409204Then404) {
  const auto created = call("POST", "/api/workers");
  ASSERT_EQ(created.status, 201);
  const std::string id = Json::parse(created.body)["id"];
  EXPECT_EQ(created.header("Location"), "/api/workers/" + id);
  const std::string path = "/api/workers/" + id;
  EXPECT_EQ(call("GET", path).status, 200);
  EXPECT_EQ(Json::parse(call("GET", path).body)["claimed"], false);
  EXPECT_EQ(call("POST", path + "/claim").status, 200);
  EXPECT_EQ(call("POST", path + "/claim").status, 409);
  EXPECT_EQ(Json::parse(call("GET", path).body)["claimed"], true);
  const auto deleted = call("DELETE", path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  EXPECT_EQ(call("DELETE", path).status, 404);
  EXPECT_EQ(call("GET", path).status, 404);
  EXPECT_EQ(call("POST", path + "/claim").status, 404);

  Json api = api_stats(target_);
  EXPECT_EQ(api["workers_created"], 1);
  EXPECT_EQ(api["workers_claimed"], 1);
  EXPECT_EQ(api["claim_conflicts"], 1);
  EXPECT_EQ(api["workers_deleted"], 1);
  EXPECT_EQ(api["not_found"], 3);
}

TEST_F(TargetApiTest, AdminReportNeedsTheAdminRole) {
  EXPECT_EQ(call("GET", "/api/admin/report").status, 403);
  EXPECT_EQ(call("GET", "/api/admin/report", {}, {{"X-Role", "user"}}).status, 403);
  const auto allowed = call("GET", "/api/admin/report", {}, {{"X-Role", "admin"}});
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(Json::parse(allowed.body), Json({{"plans", 0}, {"workers", 0}}));
  Json api = api_stats(target_);
  EXPECT_EQ(api["admin_forbidden"], 2);
  EXPECT_EQ(api["admin_reports"], 1);
}

// Many users on several server threads race for one plan and one worker: exactly one wins each.
TEST(TargetApiContentionTest, OneApproveAndOneClaimWinAcrossThreads) {
  TargetProcess target(kBinary, {"--threads", "4"});
  const auto plan = Json::parse(target.post("/api/plans", R"({"name":"x"})").body)["id"];
  const auto worker = Json::parse(target.post("/api/workers").body)["id"];
  constexpr int kUsers = 8;
  // Statuses each user saw: [0] approve, [1] claim.
  std::vector<std::array<int, 2>> seen(kUsers);
  std::vector<std::thread> users;
  users.reserve(kUsers);
  for (int u = 0; u < kUsers; ++u) {
    users.emplace_back([&, u] {
      HttpConnection connection(target.host(), target.port());
      const std::string plan_path = "/api/plans/" + plan.get<std::string>() + "/approve";
      const std::string worker_path = "/api/workers/" + worker.get<std::string>() + "/claim";
      seen[u][0] = connection.request("POST", plan_path).status;
      seen[u][1] = connection.request("POST", worker_path).status;
    });
  }
  for (auto& user : users) user.join();
  for (const std::size_t which : {0U, 1U}) {
    std::map<int, int> statuses;
    for (const auto& user : seen) ++statuses[user[which]];
    EXPECT_EQ(statuses, (std::map<int, int>{{200, 1}, {409, kUsers - 1}})) << which;
  }
  Json api = api_stats(target);
  EXPECT_EQ(api["approve_conflicts"], kUsers - 1);
  EXPECT_EQ(api["claim_conflicts"], kUsers - 1);
  expect_clean_stop(target);
}

// What a client saw of a rate-limited endpoint.
struct Tally {
  int ok = 0;
  int limited = 0;
  int other = 0;
};

Tally burst(HttpConnection& connection, std::string_view method, std::string_view path, int count,
            std::string_view body = {}) {
  Tally tally;
  for (int i = 0; i < count; ++i) {
    const auto response = connection.request(method, path, body, kJson);
    if (response.status == 200) {
      ++tally.ok;
    } else if (response.status == 429 && response.header("Retry-After") == "1" &&
               Json::parse(response.body)["error"] == "rate limit exceeded") {
      ++tally.limited;
    } else {
      ++tally.other;
    }
  }
  return tally;
}

TEST(TargetApiLimitTest, BurstBeyondTheBucketGets429AndCountersMatch) {
  TargetProcess target(kBinary, {"--rate-limit", "5"});
  HttpConnection connection(target.host(), target.port());
  const auto start = Clock::now();
  const Tally tally = burst(connection, "GET", "/api/limited", 40);
  const double elapsed = seconds_since(start);
  EXPECT_EQ(tally.other, 0);
  EXPECT_EQ(tally.ok + tally.limited, 40);
  // The bucket starts full (burst 5) and refills at 5/s while the burst runs.
  EXPECT_GE(tally.ok, 5);
  EXPECT_LE(tally.ok, 5 + static_cast<int>(std::ceil(elapsed * 5)));
  Json stats = Json::parse(target.get("/__stats").body);
  EXPECT_EQ(stats["api"]["limited_accepted"], tally.ok);
  EXPECT_EQ(stats["api"]["limited_rejected"], tally.limited);
  EXPECT_EQ(stats["by_status"]["429"], tally.limited);

  // Idle for longer than a full refill: the bucket holds burst (5) tokens, not 7.5.
  std::this_thread::sleep_for(1500ms);
  const auto again = Clock::now();
  const Tally refilled = burst(connection, "POST", "/api/limited", 10);
  EXPECT_GE(refilled.ok, 5);
  EXPECT_LE(refilled.ok, 5 + static_cast<int>(std::ceil(seconds_since(again) * 5)));
  EXPECT_EQ(connection.request("PUT", "/api/limited").status, 405);
  expect_clean_stop(target);
}

TEST(TargetApiLimitTest, BucketIsSharedByAllThreads) {
  TargetProcess target(kBinary, {"--threads", "4", "--rate-limit", "20"});
  constexpr int kClients = 4;
  constexpr int kEach = 30;
  std::vector<Tally> tallies(kClients);
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  const auto start = Clock::now();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpConnection connection(target.host(), target.port());
      tallies[c] = burst(connection, "GET", "/api/limited", kEach);
    });
  }
  for (auto& client : clients) client.join();
  const double elapsed = seconds_since(start);
  Tally sum;
  for (const Tally& t : tallies) {
    sum.ok += t.ok;
    sum.limited += t.limited;
    sum.other += t.other;
  }
  EXPECT_EQ(sum.other, 0);
  EXPECT_GE(sum.ok, 20);
  EXPECT_LE(sum.ok, 20 + static_cast<int>(std::ceil(elapsed * 20)));
  Json api = api_stats(target);
  EXPECT_EQ(api["limited_accepted"], sum.ok);
  EXPECT_EQ(api["limited_rejected"], sum.limited);
  expect_clean_stop(target);
}

TEST(TargetApiLimitTest, RetryAfterRoundsUpForSlowRates) {
  TargetProcess target(kBinary, {"--rate-limit", "0.5"});
  EXPECT_EQ(target.get("/api/limited").status, 200);
  const auto refused = target.get("/api/limited");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.header("Retry-After"), "2");
  expect_clean_stop(target);
}

constexpr std::string_view kChatBody = R"({"user_id":"u1","agent_id":"a1","task":"summarise"})";

TEST_F(TargetApiTest, ChatRotatesProvidersWithHeaders) {
  const std::vector<std::pair<std::string, std::string>> expected{
      {"groq", "180"}, {"gemini", "650"}, {"openrouter", "900"}, {"cerebras", "120"}};
  for (int round = 0; round < 2; ++round) {
    for (const auto& [provider, latency] : expected) {
      const auto response = call("POST", "/api/chat", kChatBody);
      ASSERT_EQ(response.status, 200) << response.body;
      EXPECT_EQ(response.header("X-Provider"), provider);
      EXPECT_EQ(response.header("X-Provider-Latency-Ms"), latency);
      Json body = Json::parse(response.body);
      EXPECT_EQ(body["provider"], provider);
      EXPECT_EQ(body["user_id"], "u1");
      EXPECT_EQ(body["agent_id"], "a1");
      EXPECT_TRUE(body["reply"].is_string());
      EXPECT_EQ(body["tokens"], 24 + 9 / 4);  // "summarise" is 9 bytes
    }
  }
  EXPECT_EQ(api_stats(target_)["chat_by_provider"],
            Json({{"groq", 2}, {"gemini", 2}, {"openrouter", 2}, {"cerebras", 2}}));
}

TEST_F(TargetApiTest, ChatRejectsBadRequests) {
  EXPECT_EQ(call("POST", "/api/chat", "[1]").status, 400);
  EXPECT_EQ(call("POST", "/api/chat", "nope").status, 400);
  EXPECT_EQ(call("POST", "/api/chat?ms=abc", kChatBody).status, 400);
  EXPECT_EQ(call("GET", "/api/chat").status, 405);
  Json api = api_stats(target_);
  EXPECT_EQ(api["bad_requests"], 3);
  EXPECT_EQ(api["chat_by_provider"]["groq"], 0);
}

TEST_F(TargetApiTest, ChatDelayDoesNotBlockOtherConnections) {
  const auto start = Clock::now();
  std::thread slow([&] {
    const auto response = http_post(target_.host(), target_.port(), "/api/chat?ms=400", kChatBody,
                                    "application/json");
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("X-Provider-Latency-Ms"), "400");
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(call("GET", "/health").status, 200);  // one server thread, not stuck behind it
  EXPECT_LT(seconds_since(start), 0.35);
  slow.join();
  EXPECT_GE(seconds_since(start), 0.4);
}

TEST(TargetApiChatLimitTest, ChatQuotaGives429AndCountersMatch) {
  TargetProcess target(kBinary, {"--chat-rate-limit", "2"});
  HttpConnection connection(target.host(), target.port());
  const auto start = Clock::now();
  const Tally tally = burst(connection, "POST", "/api/chat", 12, kChatBody);
  const double elapsed = seconds_since(start);
  EXPECT_EQ(tally.other, 0);
  EXPECT_GE(tally.ok, 2);
  EXPECT_LE(tally.ok, 2 + static_cast<int>(std::ceil(elapsed * 2)));
  Json api = api_stats(target);
  EXPECT_EQ(api["chat_rejected"], tally.limited);
  int served = 0;
  for (const auto& [provider, count] : api["chat_by_provider"].items()) served += count.get<int>();
  EXPECT_EQ(served, tally.ok);
  expect_clean_stop(target);
}

TEST_F(TargetApiTest, StatsKeepTheirKeysAndResetZeroesApiCounters) {
  call("POST", "/api/workers");
  Json stats = Json::parse(target_.get("/__stats").body);
  for (const char* key : {"requests", "by_path", "by_method", "by_status", "connections"}) {
    EXPECT_TRUE(stats.contains(key)) << key;
  }
  EXPECT_EQ(stats["requests"], 1);
  EXPECT_EQ(stats["api"]["workers_created"], 1);
  EXPECT_EQ(target_.post("/__reset").status, 200);
  EXPECT_EQ(api_stats(target_)["workers_created"], 0);
  EXPECT_EQ(call("GET", "/api/workers/1").status, 200);  // the store itself is kept
}

TEST(TargetApiCliTest, RejectsBadApiFlags) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--rate-limit", "-1"},
                                               {"--rate-limit", "abc"},
                                               {"--chat-rate-limit", "x"},
                                               {"--jwt-secret", ""},
                                               {"--jwt-secret"},
                                               {"--store-capacity", "0"}}) {
    std::vector<std::string> argv{kBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    EXPECT_EQ(run_process(argv, 10s).status.code, 2) << args[0];
  }
  const auto help = run_process({kBinary, "--help"}, 10s);
  for (const char* text : {"--jwt-secret", "STAMPEDE_TARGET_JWT_SECRET", "stampede-demo-secret",
                           "--rate-limit", "--chat-rate-limit", "--store-capacity"}) {
    EXPECT_NE(help.stdout_text.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace stampede::testing

namespace stampede::testing {
namespace {

// The streaming endpoints, read whole by a plain HTTP client: the events, their framing and
// the counters the stream tests compare with.
TEST_F(TargetApiTest, ChatStreamSendsTokenEventsThenDone) {
  const auto response = call("GET", "/api/chat/stream?tokens=12&gap_ms=1");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(response.header("Transfer-Encoding"), "chunked");
  std::size_t tokens = 0;
  for (std::size_t at = 0; (at = response.body.find("event: token\n", at)) != std::string::npos;
       ++at) {
    ++tokens;
  }
  EXPECT_EQ(tokens, 12u);
  EXPECT_NE(response.body.find("id: 11\ndata: {\"index\":11,\"token\":\"tok11 \"}\n\n"),
            std::string::npos)
      << response.body;
  EXPECT_NE(response.body.find(": keep-alive\n"), std::string::npos);
  EXPECT_TRUE(response.body.ends_with("data: [DONE]\n\n")) << response.body;
  Json api = api_stats(target_);
  EXPECT_EQ(api["streams_started"], 1);
  EXPECT_EQ(api["streams_completed"], 1);
  EXPECT_EQ(api["stream_events"], 12);
}

TEST_F(TargetApiTest, ChatStreamAsNdjson) {
  const auto response = call("POST", "/api/chat/stream?tokens=3&format=ndjson");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(response.body,
            "{\"index\":0,\"token\":\"tok0 \"}\n{\"index\":1,\"token\":\"tok1 \"}\n"
            "{\"index\":2,\"token\":\"tok2 \"}\n{\"done\":true,\"tokens\":3}\n");
}

TEST_F(TargetApiTest, ChatStreamRefusesBadParameters) {
  EXPECT_EQ(call("GET", "/api/chat/stream?tokens=x").status, 400);
  EXPECT_EQ(call("GET", "/api/chat/stream?first_ms=60001").status, 400);
  EXPECT_EQ(call("GET", "/api/chat/stream?format=xml").status, 400);
  EXPECT_EQ(api_stats(target_)["bad_requests"], 3);
}

// The first event waits first_ms after the headers; each next one gap_ms.
TEST_F(TargetApiTest, ChatStreamKeepsItsTiming) {
  const auto start = Clock::now();
  ASSERT_EQ(call("GET", "/api/chat/stream?tokens=5&first_ms=150&gap_ms=20").status, 200);
  const double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.150 + 4 * 0.020);
  EXPECT_LT(elapsed, 0.150 + 4 * 0.020 + 0.2);
}

TEST_F(TargetApiTest, CompletionsStreamLikeOpenAi) {
  const auto response = call("POST", "/v1/chat/completions",
                             R"({"model":"m","stream":true,"max_tokens":3,)"
                             R"("stream_options":{"include_usage":true},)"
                             R"("messages":[{"role":"user","content":"hello there"}]})");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "text/event-stream");
  std::vector<Json> chunks;
  std::size_t at = 0;
  while ((at = response.body.find("data: ", at)) != std::string::npos) {
    const std::size_t end = response.body.find("\n\n", at);
    const std::string data = response.body.substr(at + 6, end - at - 6);
    at = end;
    if (data == "[DONE]") break;
    chunks.push_back(Json::parse(data));
  }
  ASSERT_EQ(chunks.size(), 5u);  // role, 3 tokens, stop
  EXPECT_EQ(chunks[0]["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks[2]["choices"][0]["delta"]["content"], "tok1 ");
  EXPECT_EQ(chunks[2]["object"], "chat.completion.chunk");
  EXPECT_EQ(chunks[4]["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(chunks[4]["usage"]["completion_tokens"], 3);
  EXPECT_TRUE(response.body.ends_with("data: [DONE]\n\n"));
  EXPECT_EQ(api_stats(target_)["stream_events"], 5);
}

TEST_F(TargetApiTest, CompletionsWithoutStreamIsOneObject) {
  const auto response = call("POST", "/v1/chat/completions", R"({"max_tokens":2,"messages":[]})");
  ASSERT_EQ(response.status, 200);
  Json body = Json::parse(response.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["choices"][0]["message"]["content"], "tok0 tok1 ");
  EXPECT_EQ(body["usage"]["completion_tokens"], 2);
  EXPECT_EQ(call("POST", "/v1/chat/completions", "[]").status, 400);
  EXPECT_EQ(call("POST", "/v1/chat/completions", R"({"max_tokens":-1})").status, 400);
}

}  // namespace
}  // namespace stampede::testing
