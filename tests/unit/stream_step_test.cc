// `stream:` on a step: the short and the long form, and the errors with their paths and lines.
#include <gtest/gtest.h>

#include "plan/plan_parser.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using namespace plan_test;  // NOLINT(google-build-using-namespace): test helpers

std::string with_step(const std::string& step) {
  return "target: http://localhost:8080\nload: {users: 1, duration: 1s}\nscenarios:\n"
         "  - name: a\n    steps:\n      - get: /\n" +
         step;
}

const HttpStep& step(const Plan& plan) {
  return std::get<HttpStep>(plan.scenarios[0].tasks[0].steps[0]);
}

TEST(StreamStep, ShortForms) {
  const Plan sse = parse_ok(with_step("        stream: sse\n"));
  ASSERT_TRUE(step(sse).stream.has_value());
  EXPECT_EQ(step(sse).stream->format, StreamFormat::kSse);
  EXPECT_FALSE(step(sse).stream->end.has_value());
  EXPECT_EQ(step(sse).stream->tokens, StreamSpec::Tokens::kEvents);
  const Plan ndjson = parse_ok(with_step("        stream: ndjson\n"));
  EXPECT_EQ(step(ndjson).stream->format, StreamFormat::kNdjson);
  EXPECT_FALSE(step(parse_ok(kMinimal)).stream.has_value());
}

TEST(StreamStep, TheLongForm) {
  const Plan plan =
      parse_ok(with_step("        stream: {format: sse, end: \"[DONE]\", maxEventBytes: 4096,\n"
                         "                 tokens: {count: /choices/0/delta/content}}\n"));
  const StreamSpec& s = *step(plan).stream;
  EXPECT_EQ(s.end, "[DONE]");
  EXPECT_EQ(s.max_event_bytes, 4096u);
  EXPECT_EQ(s.tokens, StreamSpec::Tokens::kCount);
  EXPECT_EQ(s.token_pointer, "/choices/0/delta/content");
  EXPECT_EQ(step(parse_ok(with_step("        stream: {tokens: {sum: /n}}\n"))).stream->tokens,
            StreamSpec::Tokens::kSum);
  EXPECT_EQ(
      step(parse_ok(with_step("        stream: {tokens: {last: /usage/total}}\n"))).stream->tokens,
      StreamSpec::Tokens::kLast);
  EXPECT_EQ(step(parse_ok(with_step("        stream: {tokens: events}\n"))).stream->tokens,
            StreamSpec::Tokens::kEvents);
}

TEST(StreamStep, Errors) {
  const std::string path = "scenarios[0].steps[0].stream";
  EXPECT_TRUE(has_error(parse(with_step("        stream: xml\n")), path, 7,
                        "must be sse (Server-Sent Events) or ndjson (one JSON value per line)"));
  EXPECT_TRUE(has_error(parse(with_step("        stream: {format: csv}\n")), path + ".format", 7,
                        "must be sse (Server-Sent Events) or ndjson (one JSON value per line)"));
  EXPECT_TRUE(has_error(parse(with_step("        stream: {tokens: {count: /a, sum: /b}}\n")),
                        path + ".tokens", 7,
                        "needs exactly one of count, sum or last (a JSON pointer)"));
  EXPECT_TRUE(has_error(parse(with_step("        stream: {tokens: {count: content}}\n")),
                        path + ".tokens.count", 7,
                        "must be a JSON pointer such as /choices/0/delta/content (got 'content')"));
  EXPECT_TRUE(
      has_error(parse(with_step("        stream: {tokens: words}\n")), path + ".tokens", 7,
                "must be `events` or a map with one of count, sum or last (a JSON pointer)"));
  EXPECT_TRUE(has_error(parse(with_step("        stream: {maxEventBytes: 0}\n")),
                        path + ".maxEventBytes", 7, "must be an integer > 0"));
  const ParseResult unknown = parse(with_step("        stream: {fromat: sse}\n"));
  ASSERT_FALSE(unknown.errors.empty());
  EXPECT_NE(unknown.errors[0].message.find("unknown field 'fromat'"), std::string::npos)
      << describe(unknown.errors);
}

}  // namespace
}  // namespace stampede
