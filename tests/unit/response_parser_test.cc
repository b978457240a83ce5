#include "engine/response_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

namespace stampede {
namespace {

namespace http = boost::beast::http;

// Feeds `bytes` in pieces of `step` bytes the way HttpUser does: unconsumed bytes stay in
// front of the next piece. Returns the error that stopped parsing, if any.
boost::system::error_code feed(ResponseParser& p, const std::string& bytes, std::size_t step) {
  std::string pending;
  boost::system::error_code ec;
  for (std::size_t pos = 0; pos < bytes.size() && !p.is_done(); pos += step) {
    pending += bytes.substr(pos, step);
    std::size_t offset = 0;
    while (offset < pending.size() && !p.is_done()) {
      offset += p.put(boost::asio::buffer(pending.data() + offset, pending.size() - offset), ec);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) return ec;
    }
    pending.erase(0, offset);
  }
  return ec;
}

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

TEST(ResponseParser, ContentLengthInOnePiece) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, kOk, kOk.size()));
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.body_bytes(), 5u);
  EXPECT_TRUE(p.keep_alive());
}

TEST(ResponseParser, ByteByByte) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, kOk, 1));
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.body_bytes(), 5u);
}

TEST(ResponseParser, Chunked) {
  const std::string r =
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n";
  for (std::size_t step : {1u, 7u, 1000u}) {
    ResponseParser p(1 << 20, false);
    EXPECT_FALSE(feed(p, r, step));
    EXPECT_TRUE(p.is_done()) << step;
    EXPECT_EQ(p.status(), 404);
    EXPECT_EQ(p.body_bytes(), 7u);
  }
}

TEST(ResponseParser, HeadResponseHasNoBody) {
  ResponseParser p(1 << 20, true);
  EXPECT_FALSE(feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 100));
  EXPECT_TRUE(p.is_done());
}

TEST(ResponseParser, NoContentHasNoBody) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, "HTTP/1.1 204 No Content\r\n\r\n", 100));
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.status(), 204);
}

TEST(ResponseParser, ConnectionCloseIsNotKeepAlive) {
  ResponseParser p(1 << 20, false);
  feed(p, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 100);
  EXPECT_TRUE(p.is_done());
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, BodyUntilEof) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, "HTTP/1.0 200 OK\r\n\r\nsome body", 100));
  EXPECT_FALSE(p.is_done());
  EXPECT_TRUE(p.need_eof());
  boost::system::error_code ec;
  p.put_eof(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.body_bytes(), 9u);
}

TEST(ResponseParser, BodyLimit) {
  ResponseParser p(4, false);
  EXPECT_EQ(feed(p, kOk, 100), http::error::body_limit);
}

TEST(ResponseParser, GarbageIsAnError) {
  ResponseParser p(1 << 20, false);
  static constexpr char kGarbage[] = "\0\x01 not http at all\r\n\r\n";
  const auto ec = feed(p, std::string(kGarbage, sizeof kGarbage - 1), 100);
  EXPECT_TRUE(ec);
  EXPECT_FALSE(p.is_done());
}

}  // namespace
}  // namespace stampede
