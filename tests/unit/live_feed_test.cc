// The live web UI's event stream: the feed's latest event, what an update carries, and the
// server streaming it to a client on loopback.
#include "control/live_feed.h"

#include <gtest/gtest.h>

#include <thread>

#include "server/event_feed.h"
#include "server/http_server.h"
#include "support/http_client.h"

namespace stampede {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

TEST(EventFeed, KeepsOnlyTheLatestEventInItsWireForm) {
  EventFeed feed;
  EXPECT_EQ(feed.latest().sequence, 0U);
  EXPECT_EQ(feed.latest().text, nullptr);
  feed.publish("update", R"({"a":1})");
  feed.publish("update", R"({"a":2})");
  const EventFeed::Event latest = feed.latest();
  EXPECT_EQ(latest.sequence, 2U);
  EXPECT_EQ(*latest.text, "event: update\ndata: {\"a\":2}\n\n");
}

TEST(LiveFeed, WithoutHistogramsRemovesThemAtEveryDepth) {
  const json result = {{"histograms", {{"latency", 1}}},
                       {"totals", {{"requests", 3}, {"histograms", json::object()}}},
                       {"custom", {{{"values", {{{"value", "x"}, {"histogram", 1}}}}}}},
                       {"series", {{{"t", 1}}}}};
  const json stripped = without_histograms(result);
  EXPECT_EQ(stripped, json({{"totals", {{"requests", 3}}},
                            {"custom", {{{"values", {{{"value", "x"}}}}}}},
                            {"series", {{{"t", 1}}}}}));
}

TEST(LiveFeed, AnUpdateCarriesStateStatusResultAndDisplay) {
  LiveFeed live;
  live.publish(RunState::kWaiting, {{"state", "waiting"}}, nullptr);
  json update =
      json::parse(live.events()->latest().text->substr(20));  // after "event: update\ndata: "
  EXPECT_EQ(update["state"], "waiting");
  EXPECT_TRUE(update["result"].is_null());
  EXPECT_TRUE(update["display"].is_null());
  EXPECT_EQ(live.result(), nullptr);

  const json result = {{"schema", "stampede.result/v1"},
                       {"totals", {{"requests", 2}, {"histograms", json::object()}}},
                       {"series",
                        {{{"t", 1.0},
                          {"users", 1},
                          {"requests", 1},
                          {"failures", 0},
                          {"p50", 0.001},
                          {"p95", 0.002},
                          {"p99", 0.003}},
                         {{"t", 2.0},
                          {"users", 1},
                          {"requests", 1},
                          {"failures", 0},
                          {"p50", 0.001},
                          {"p95", 0.002},
                          {"p99", 0.003}}}}};
  live.publish(RunState::kRunning, {{"state", "running"}}, &result);
  update = json::parse(live.events()->latest().text->substr(20));
  EXPECT_EQ(update["state"], "running");
  EXPECT_EQ(update["status"]["state"], "running");
  EXPECT_EQ(update["result"]["totals"], json({{"requests", 2}}));
  EXPECT_EQ(update["display"]["series"]["points"], 2);
  ASSERT_NE(live.result(), nullptr);
  EXPECT_EQ(*live.result(), result) << "downloads get the whole document";
}

TEST(HttpServer, StreamsTheFeedsEventsToAClient) {
  auto feed = std::make_shared<EventFeed>();
  feed->publish("update", "1");
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.events = feed;
    return r;
  });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  std::thread later([&] {
    std::this_thread::sleep_for(milliseconds(300));
    feed->publish("update", "2");
  });
  const testing::RawExchange exchange = testing::raw_exchange(
      "127.0.0.1", server.port(), "GET /events HTTP/1.1\r\nHost: x\r\n\r\n", milliseconds(900));
  later.join();
  EXPECT_EQ(exchange.end, testing::RawEnd::kTimeout) << "the stream stays open";
  const std::string& r = exchange.received;
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << r;
  EXPECT_NE(r.find("Content-Type: text/event-stream"), std::string::npos) << r;
  EXPECT_EQ(r.find("Content-Length"), std::string::npos) << r;
  const std::size_t first = r.find("event: update\ndata: 1\n\n");
  const std::size_t second = r.find("event: update\ndata: 2\n\n");
  EXPECT_NE(first, std::string::npos) << r;
  EXPECT_NE(second, std::string::npos) << r;
  EXPECT_LT(first, second);
  server.stop();
}

}  // namespace
}  // namespace stampede
