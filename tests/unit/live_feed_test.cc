// The live web UI's event stream: the feed's latest event, what an update carries, and the
// server streaming it to a client on loopback.
#include "control/live_feed.h"

#include <gtest/gtest.h>

#include <thread>

#include "control/series_text.h"
#include "server/event_feed.h"
#include "server/http_server.h"
#include "stats/result_json.h"
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

// The update event's JSON, after "event: update\ndata: ".
json latest_update(const LiveFeed& live) {
  return json::parse(live.events()->latest().text->substr(20));
}

TimeSeriesPoint point(double t, std::uint64_t requests) {
  return {t, 1, requests, 0, 0.001, 0.002, 0.003};
}

// A result of `seconds` points as result_to_json writes it, and the same without its series.
struct Sample {
  Result result;
  json whole;
  json without_series;
};

Sample sample(std::size_t seconds) {
  Sample s;
  s.result.plan_name = "p\xff";  // not UTF-8: replaced, never thrown on
  s.result.duration_seconds = static_cast<double>(seconds);
  for (std::size_t i = 1; i <= seconds; ++i) {
    s.result.series.push_back(point(static_cast<double>(i) + 0.25, 10 * i));
  }
  s.whole =
      json::parse(result_to_json(s.result).dump(-1, ' ', false, json::error_handler_t::replace));
  Result bare = s.result;
  bare.series.clear();
  s.without_series = result_to_json(bare);
  s.without_series.erase("series");
  return s;
}

TEST(LiveFeed, AnUpdateCarriesStateStatusResultAndDisplay) {
  LiveFeed live;
  live.publish(RunState::kWaiting, {{"state", "waiting"}});
  json update = latest_update(live);
  EXPECT_EQ(update["state"], "waiting");
  EXPECT_TRUE(update["result"].is_null());
  EXPECT_TRUE(update["display"].is_null());
  EXPECT_EQ(live.result(), nullptr);

  const Sample two = sample(2);
  live.publish(RunState::kRunning, {{"state", "running"}}, two.without_series, two.result.series);
  update = latest_update(live);
  EXPECT_EQ(update["state"], "running");
  EXPECT_EQ(update["status"]["state"], "running");
  EXPECT_EQ(update["result"]["totals"], without_histograms(two.whole["totals"]));
  EXPECT_FALSE(update["result"].contains("series")) << "the page draws the display's columns";
  EXPECT_EQ(update["display"]["series"]["points"], 2);
  EXPECT_EQ(update["display"]["series"]["requests_per_second"], json({10.0 / 1.25, 20.0}));
  ASSERT_NE(live.result(), nullptr);
  EXPECT_EQ(json::parse(*live.result()), two.whole) << "downloads get the whole document";

  const Sample three = sample(3);
  live.publish_final(RunState::kFinished, {{"state", "finished"}}, three.whole,
                     three.result.series);
  update = latest_update(live);
  EXPECT_EQ(update["state"], "finished");
  EXPECT_FALSE(update["result"].contains("series"));
  EXPECT_EQ(update["display"]["series"]["points"], 3);
  EXPECT_EQ(json::parse(*live.result()), three.whole);
}

TEST(LiveFeed, TheResultKeepsEverySecondAndTheChartsABoundedNumber) {
  LiveFeed live;
  const Sample run = sample(3 * kLiveDisplayBuckets);
  for (const std::size_t seconds :
       {std::size_t{10}, kLiveDisplayBuckets, 3 * kLiveDisplayBuckets}) {
    Result partial = run.result;
    partial.series.resize(seconds);
    const json expected =
        json::parse(result_to_json(partial).dump(-1, ' ', false, json::error_handler_t::replace));
    live.publish(RunState::kRunning, {{"state", "running"}}, run.without_series, partial.series);
    EXPECT_EQ(json::parse(*live.result()), expected) << seconds;
    const json display = latest_update(live)["display"]["series"];
    EXPECT_EQ(display["points"], seconds);
    EXPECT_LE(display["t"].size(), 2 * kLiveDisplayBuckets) << seconds;
  }
}

TEST(SeriesText, EqualsTheSeriesAsResultToJsonWritesIt) {
  const Sample run = sample(5000);  // several chunks
  SeriesText text;
  for (std::size_t seconds = 0; seconds <= 5000; seconds += 700) {
    Result partial = run.result;
    partial.series.resize(seconds);
    text.update(partial.series);
    const json expected = result_to_json(partial)["series"];
    EXPECT_EQ(json::parse(with_series("{}", text.chunks()))["series"], expected) << seconds;
  }
  EXPECT_GT(text.chunks().size(), 2U);
}

TEST(SeriesText, StartsOverForANewRun) {
  SeriesText text;
  const auto series_of = [&] { return json::parse(with_series("{}", text.chunks()))["series"]; };
  text.update({point(1, 5), point(2, 6), point(3, 7)});
  // A new run, already as long as the last one, with other points.
  text.update({point(1.5, 1), point(2.5, 2), point(3.5, 3)});
  EXPECT_EQ(series_of().size(), 3U);
  EXPECT_EQ(series_of()[0]["requests"], 1);
  // A shorter one.
  text.update({point(1, 9)});
  EXPECT_EQ(series_of(), json::array({series_point_json(point(1, 9))}));
  text.reset();
  EXPECT_EQ(series_of(), json::array());
}

TEST(SeriesText, WithSeriesKeepsTheHeadsMembers) {
  const SeriesChunks chunks = {std::make_shared<const std::string>(R"({"t":1})"),
                               std::make_shared<const std::string>(""),
                               std::make_shared<const std::string>(R"({"t":2},{"t":3})")};
  EXPECT_EQ(json::parse(with_series(R"({"a":1,"b":[2]})", chunks)),
            json({{"a", 1}, {"b", {2}}, {"series", {{{"t", 1}}, {{"t", 2}}, {{"t", 3}}}}}));
  EXPECT_EQ(json::parse(with_series("{}", {})), json({{"series", json::array()}}));
  EXPECT_EQ(json::parse(with_series("", {})), json({{"series", json::array()}}));
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
