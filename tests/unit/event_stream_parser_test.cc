#include "engine/event_stream_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stampede {
namespace {

struct Seen {
  std::string type;
  std::string data;
  std::string id;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Seen& e) {
  return out << "{type=" << e.type << " data=" << e.data << " id=" << e.id << "}";
}

// Feeds `pieces` in order and collects every event.
std::vector<Seen> parse(StreamFormat format, const std::vector<std::string>& pieces,
                        EventStreamParser* parser_out = nullptr, std::size_t limit = 1 << 20) {
  EventStreamParser parser(format, limit);
  std::vector<Seen> events;
  for (const std::string& piece : pieces) {
    std::string_view input = piece;
    StreamEvent event;
    for (;;) {
      const auto status = parser.next(input, event);
      if (status == EventStreamParser::Status::kEvent) {
        events.push_back({std::string(event.type), std::string(event.data), std::string(event.id)});
        continue;
      }
      EXPECT_NE(status, EventStreamParser::Status::kTooLarge);
      EXPECT_TRUE(input.empty());
      break;
    }
  }
  if (parser_out != nullptr) *parser_out = parser;
  return events;
}

std::vector<Seen> sse(const std::string& text) {
  return parse(StreamFormat::kSse, {text});
}

TEST(SseParser, FieldsOfAnEvent) {
  EXPECT_EQ(sse("event: token\nid: 7\ndata: hello\n\n"),
            (std::vector<Seen>{{"token", "hello", "7"}}));
  EXPECT_EQ(sse("data: a\n\n"), (std::vector<Seen>{{"message", "a", ""}}));
}

TEST(SseParser, DataLinesJoinWithLineFeeds) {
  EXPECT_EQ(sse("data: first\ndata: second\ndata:\n\n"),
            (std::vector<Seen>{{"message", "first\nsecond\n", ""}}));
}

// One space after the colon is dropped, no more; a line without a colon is a field with an
// empty value.
TEST(SseParser, ValueSpacing) {
  EXPECT_EQ(sse("data:x\n\n")[0].data, "x");
  EXPECT_EQ(sse("data:  x\n\n")[0].data, " x");
  EXPECT_EQ(sse("data\n\n"), (std::vector<Seen>{{"message", "", ""}}));
}

TEST(SseParser, CommentsAreCountedNotDispatched) {
  EventStreamParser parser(StreamFormat::kSse, 1024);
  const auto events = parse(StreamFormat::kSse, {": ping\n\n:\n\ndata: x\n\n"}, &parser);
  EXPECT_EQ(events, (std::vector<Seen>{{"message", "x", ""}}));
  EXPECT_EQ(parser.comments(), 2u);
}

// An event without data is dropped, and its type with it; the last ID persists.
TEST(SseParser, TypeResetsAndIdPersists) {
  EXPECT_EQ(sse("event: lost\n\nid: 5\ndata: a\n\nevent: b\ndata: b\n\ndata: c\n\n"),
            (std::vector<Seen>{{"message", "a", "5"}, {"b", "b", "5"}, {"message", "c", "5"}}));
}

TEST(SseParser, RetryOnlyWhenAllDigits) {
  EventStreamParser parser(StreamFormat::kSse, 1024);
  parse(StreamFormat::kSse, {"retry: 1500\n\nretry: 12x\n\nretry:\n\n"}, &parser);
  ASSERT_TRUE(parser.retry_ms().has_value());
  EXPECT_EQ(*parser.retry_ms(), 1500u);
}

TEST(SseParser, UnknownFieldsAndIdsWithNulAreIgnored) {
  using namespace std::string_view_literals;
  EXPECT_EQ(sse(std::string("foo: bar\nid: a\0b\ndata: x\n\n"sv)),
            (std::vector<Seen>{{"message", "x", ""}}));
}

TEST(SseParser, EveryLineEnding) {
  const std::vector<Seen> want{{"message", "a\nb", ""}, {"message", "c", ""}};
  EXPECT_EQ(sse("data: a\ndata: b\n\ndata: c\n\n"), want);
  EXPECT_EQ(sse("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), want);
  EXPECT_EQ(sse("data: a\rdata: b\r\rdata: c\r\r"), want);
}

// The same stream cut anywhere, even between CR and LF or inside the BOM, gives the same
// events.
TEST(SseParser, AnySplitGivesTheSameEvents) {
  const std::string stream =
      "\xEF\xBB\xBF: hi\r\nevent: t\r\nid: 1\r\ndata: {\"x\": 1}\r\ndata: two\r\n\r\n"
      "data: [DONE]\n\nretry: 10\rdata: z\r\r";
  const auto whole = sse(stream);
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0], (Seen{"t", "{\"x\": 1}\ntwo", "1"}));
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); b += 7) {
      const auto split = parse(StreamFormat::kSse,
                               {stream.substr(0, a), stream.substr(a, b - a), stream.substr(b)});
      ASSERT_EQ(split, whole) << "cut at " << a << " and " << b;
    }
  }
}

TEST(SseParser, ByteByByte) {
  const std::string stream =
      "\xEF\xBB\xBF"
      "data: a\r\n\r\ndata: b\n\n";
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_EQ(parse(StreamFormat::kSse, bytes),
            (std::vector<Seen>{{"message", "a", ""}, {"message", "b", ""}}));
}

// Bytes that only begin like a BOM are content.
TEST(SseParser, APartialBomIsContent) {
  EXPECT_EQ(sse("\xEF\xBB"
                "data: x\n\n"),
            (std::vector<Seen>{}));  // field "\xEF\xBBdata"
  EXPECT_EQ(sse("\xEF\xBB\xBF\xEF\xBB\xBF"
                "data: x\n\n"),
            (std::vector<Seen>{}));
}

TEST(SseParser, AnIncompleteLastEventIsNotDispatched) {
  EXPECT_EQ(sse("data: a\n\ndata: b\n"), (std::vector<Seen>{{"message", "a", ""}}));
}

TEST(SseParser, AnEventOverTheLimitIsAnError) {
  EventStreamParser parser(StreamFormat::kSse, 16);
  std::string_view input = "data: 0123456789\ndata: 0123456789\n\n";
  StreamEvent event;
  EXPECT_EQ(parser.next(input, event), EventStreamParser::Status::kTooLarge);
  std::string_view more = "data: x\n\n";
  EXPECT_EQ(parser.next(more, event), EventStreamParser::Status::kTooLarge) << "it stays failed";
}

TEST(SseParser, AnEndlessLineIsAnError) {
  EventStreamParser parser(StreamFormat::kSse, 64);
  const std::string chunk(40, 'x');
  StreamEvent event;
  std::string_view first = chunk;
  EXPECT_EQ(parser.next(first, event), EventStreamParser::Status::kNeedMore);
  std::string_view second = chunk;
  EXPECT_EQ(parser.next(second, event), EventStreamParser::Status::kTooLarge);
}

TEST(NdjsonParser, OneEventPerLine) {
  EXPECT_EQ(
      parse(StreamFormat::kNdjson, {"{\"a\":1}\n\n{\"b\"", ":2}\r\n  \n{\"c\":3}\n"}),
      (std::vector<Seen>{{"", "{\"a\":1}", ""}, {"", "{\"b\":2}", ""}, {"", "{\"c\":3}", ""}}));
}

}  // namespace
}  // namespace stampede
