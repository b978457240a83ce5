#include "engine/response_parser.h"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <string>

#include "engine/classify_error.h"

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

// --- interim responses, the head limit and the status range (issue 11) ---------------------

// The limits the README documents.
constexpr std::size_t kHeaderLimit = 64 << 10;
constexpr int kMaxInterim = 32;

const std::string kInterim =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";

TEST(ResponseParser, InterimResponsesAreSkipped) {
  for (std::size_t step : {1u, 7u, 30u, 1000u}) {
    ResponseParser p(1 << 20, false);
    EXPECT_FALSE(feed(p, kInterim + kOk, step)) << step;
    EXPECT_TRUE(p.is_done()) << step;
    EXPECT_EQ(p.status(), 200) << step;
    EXPECT_EQ(p.body_bytes(), 5u) << step;
    EXPECT_TRUE(p.keep_alive()) << step;
  }
}

TEST(ResponseParser, InterimHeadersAreNotCaptured) {
  ResponseCapture capture;
  capture.reset(true, true);
  ResponseParser p(1 << 20, false, &capture);
  EXPECT_FALSE(
      feed(p, kInterim + "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nhi", 1000));
  ASSERT_TRUE(p.is_done());
  ASSERT_EQ(capture.header_list.size(), 2u);
  EXPECT_EQ(capture.header_list[0].first, "X-Final");
  EXPECT_EQ(capture.body_text, "hi");
}

TEST(ResponseParser, InterimResponseAloneWaitsForTheFinalOne) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, "HTTP/1.1 100 Continue\r\n\r\n", 1000));
  EXPECT_FALSE(p.is_done());
  EXPECT_TRUE(p.got_some());
}

TEST(ResponseParser, EndlessInterimResponsesAreAProtocolError) {
  std::string bytes;
  for (int i = 0; i <= kMaxInterim; ++i) bytes += "HTTP/1.1 100 Go\r\n\r\n";
  for (std::size_t step : {1u, 1000u}) {
    ResponseParser p(1 << 20, false);
    const auto ec = feed(p, bytes + kOk, step);
    ASSERT_TRUE(ec) << step;
    EXPECT_EQ(classify_error(ec, Phase::kRequest, false), ErrorCategory::kProtocol);
    EXPECT_FALSE(p.is_done());
  }
  // One fewer is still accepted.
  bytes.erase(0, bytes.find("\r\n\r\n") + 4);
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, bytes + kOk, 1000));
  EXPECT_EQ(p.status(), 200);
}

TEST(ResponseParser, SwitchingProtocolsIsFinalAndEndsTheConnection) {
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 1000));
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.status(), 101);
  EXPECT_FALSE(p.keep_alive());
}

// A head of `size` bytes: a status line and X-Pad fields of 100 bytes each.
std::string head_of(std::size_t size) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
  const std::string field = "X-Pad: " + std::string(91, 'p') + "\r\n";
  while (head.size() + field.size() + 2 <= size) head += field;
  return head + "\r\n";
}

TEST(ResponseParser, HeaderLimitAppliesToTheWholeHead) {
  // However the bytes arrive (Beast checks its limit per put, and a put that parses complete
  // fields consumes them): a 100 KB head is too large.
  const std::string big = head_of(100 << 10) + "ok";
  for (std::size_t step :
       {std::size_t{1}, std::size_t{100}, std::size_t{1000}, std::size_t{4096}, std::size_t{60000},
        std::size_t{65535}, std::size_t{70000}, big.size()}) {
    ResponseParser p(1 << 20, false);
    const auto ec = feed(p, big, step);
    EXPECT_EQ(ec, http::error::header_limit) << step;
    EXPECT_FALSE(p.is_done()) << step;
    EXPECT_EQ(classify_error(ec, Phase::kRequest, false), ErrorCategory::kResponseTooLarge);
  }
}

TEST(ResponseParser, HeadJustUnderTheLimitIsAccepted) {
  const std::string fits = head_of(kHeaderLimit - 200) + "ok";
  for (std::size_t step : {std::size_t{1}, std::size_t{1000}, std::size_t{60000}, fits.size()}) {
    ResponseParser p(1 << 20, false);
    EXPECT_FALSE(feed(p, fits, step)) << step;
    EXPECT_TRUE(p.is_done()) << step;
    EXPECT_EQ(p.body_bytes(), 2u);
  }
}

TEST(ResponseParser, EachInterimHeadHasItsOwnLimit) {
  // Two heads of 40 KB: together over the limit, each under it.
  std::string interim = head_of(40 << 10);
  interim.replace(9, 6, "103 EH");
  const std::string bytes = interim + head_of(40 << 10) + "ok";
  ResponseParser p(1 << 20, false);
  EXPECT_FALSE(feed(p, bytes, 4096));
  EXPECT_TRUE(p.is_done());
  EXPECT_EQ(p.status(), 200);
}

TEST(ResponseParser, StatusOutsideOneHundredToFiveNinetyNineIsAProtocolError) {
  for (const char* code : {"000", "001", "099", "600", "999"}) {
    ResponseParser p(1 << 20, false);
    const auto ec =
        feed(p, std::string("HTTP/1.1 ") + code + " X\r\nContent-Length: 0\r\n\r\n", 100);
    ASSERT_TRUE(ec) << code;
    EXPECT_EQ(classify_error(ec, Phase::kRequest, false), ErrorCategory::kProtocol) << code;
  }
  for (const char* code : {"200", "599"}) {
    ResponseParser p(1 << 20, false);
    EXPECT_FALSE(feed(p, std::string("HTTP/1.1 ") + code + " X\r\nContent-Length: 0\r\n\r\n", 100));
    EXPECT_EQ(p.status(), std::stoi(code));
  }
}

}  // namespace
}  // namespace stampede
