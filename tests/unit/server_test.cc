// The runner's HTTP server pieces: listen addresses, bearer tokens, and the server itself on
// loopback.
#include <gtest/gtest.h>

#include "server/bearer_auth.h"
#include "server/http_server.h"
#include "server/listen_address.h"
#include "support/http_client.h"

namespace stampede {
namespace {

TEST(ListenAddress, AcceptsHostPortForms) {
  std::string error;
  auto a = parse_listen_address("0.0.0.0:9646", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 9646);
  a = parse_listen_address(":9646", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  a = parse_listen_address("[::1]:0", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  a = parse_listen_address("localhost:80", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "localhost");
}

TEST(ListenAddress, RejectsWhatIsNotHostPort) {
  for (const char* bad : {"", "9646", "host:", "host:65536", "host:-1", "host:9x", "::1:80"}) {
    std::string error;
    EXPECT_FALSE(parse_listen_address(bad, &error)) << bad;
    EXPECT_NE(error.find("listen address"), std::string::npos) << bad;
  }
}

TEST(BearerAuth, MatchesOnlyTheExactToken) {
  EXPECT_TRUE(bearer_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("bearer s3cret", "s3cret")) << "the scheme is case-insensitive";
  EXPECT_FALSE(bearer_matches("Bearer S3CRET", "s3cret")) << "the token is not";
  EXPECT_FALSE(bearer_matches("Bearer s3cre", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cret2", "s3cret"));
  EXPECT_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer ", "")) << "an empty token never matches";
}

TEST(HttpServer, ServesHandlerResponsesWithKeepAlive) {
  int calls = 0;
  HttpServer server([&](const HttpRequest& r) {
    ++calls;
    HttpResponse response;
    response.body = r.method + " " + r.path + " ?" + r.query + " " + r.authorization + " " + r.body;
    response.headers.emplace_back("X-Test", "1");
    return response;
  });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  ASSERT_NE(server.port(), 0);
  testing::HttpConnection c("127.0.0.1", server.port());
  const auto a = c.request("GET", "/a?x=1", "", {{"Authorization", "Bearer t"}});
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "GET /a ?x=1 Bearer t ");
  EXPECT_EQ(a.header("x-test"), "1");
  const auto b = c.request("POST", "/b", "body");
  EXPECT_EQ(b.body, "POST /b ?  body");
  EXPECT_EQ(calls, 2);
}

TEST(HttpServer, AHandlerExceptionIsA500NotACrash) {
  HttpServer server([](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error)) << error;
  EXPECT_EQ(testing::http_get("127.0.0.1", server.port(), "/").status, 500);
}

TEST(HttpServer, RefusesAnAddressInUse) {
  HttpServer first([](const HttpRequest&) { return HttpResponse{}; });
  std::string error;
  ASSERT_TRUE(first.start({"127.0.0.1", 0}, &error));
  HttpServer second([](const HttpRequest&) { return HttpResponse{}; });
  EXPECT_FALSE(second.start({"127.0.0.1", first.port()}, &error));
  EXPECT_NE(error.find("cannot listen"), std::string::npos) << error;
}

TEST(HttpServer, AfterSentRunsOnceTheResponseIsWritten) {
  std::atomic<bool> sent{false};
  HttpServer server([&](const HttpRequest&) {
    HttpResponse r;
    r.after_sent = [&] { sent = true; };
    return r;
  });
  std::string error;
  ASSERT_TRUE(server.start({"127.0.0.1", 0}, &error));
  EXPECT_EQ(testing::http_get("127.0.0.1", server.port(), "/").status, 200);
  for (int i = 0; i < 100 && !sent; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(sent);
}

}  // namespace
}  // namespace stampede
