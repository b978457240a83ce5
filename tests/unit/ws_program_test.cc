// A `ws:` step compiled for the session (engine/ws_program.h) and its upgrade request read back
// from the rendered HTTP request (engine/ws_handshake.h).

#include <gtest/gtest.h>

#include "engine/compiled_plan.h"
#include "engine/ws_handshake.h"
#include "plan_test_support.h"

namespace stampede {
namespace {

using Code = WsOp::Code;
using plan_test::parse_ok;

constexpr const char* kPlan = R"yaml(target: http://127.0.0.1:8080
load: {users: 1, duration: 1s}
scenarios:
  - name: s
    steps:
      - ws: /ws/scope?c={{ userIndex() }}
        name: scope
        headers: {X-Client: demo}
        actions:
          - send: {op: configure, user: "{{ userIndex() }}"}
            name: configure
          - receive: {json: /op, equals: configured}
            name: configure
          - repeat: 2
            actions:
              - ping
              - repeat: 3s
                actions:
                  - receive: 1
                    name: frame
          - close: 4000
)yaml";

std::vector<Code> codes(const CompiledWs& ws) {
  std::vector<Code> out;
  for (const WsOp& op : ws.program) out.push_back(op.code);
  return out;
}

TEST(WsProgram, RepeatBlocksBecomeJumpsWithACounterPerDepth) {
  const Plan plan = parse_ok(kPlan);
  const CompiledPlan compiled = compile_plan(plan);
  const CompiledStep& step = compiled.scenarios[0].tasks[0].steps[0];
  ASSERT_TRUE(step.ws.has_value());
  const CompiledWs& ws = *step.ws;
  EXPECT_EQ(codes(ws), (std::vector<Code>{Code::kSend, Code::kReceive, Code::kRepeat, Code::kPing,
                                          Code::kRepeat, Code::kReceive, Code::kRepeatEnd,
                                          Code::kRepeatEnd, Code::kClose}));
  EXPECT_EQ(ws.loops, 2u);
  // Each begin knows its end and each end its begin; nested blocks count at their own depth.
  EXPECT_EQ(ws.program[2].partner, 7u);
  EXPECT_EQ(ws.program[7].partner, 2u);
  EXPECT_EQ(ws.program[4].partner, 6u);
  EXPECT_EQ(ws.program[6].partner, 4u);
  EXPECT_EQ(ws.program[2].loop, 0u);
  EXPECT_EQ(ws.program[4].loop, 1u);
  EXPECT_EQ(ws.program[8].action->close_code, 4000);
}

TEST(WsProgram, NamedReceivesHaveReplyRowsAndPairWithTheirSend) {
  const Plan plan = parse_ok(kPlan);
  const CompiledPlan compiled = compile_plan(plan);
  const CompiledWs& ws = *compiled.scenarios[0].tasks[0].steps[0].ws;
  const WsOp& send = ws.program[0];
  const WsOp& reply = ws.program[1];
  const WsOp& frame = ws.program[5];
  EXPECT_EQ(send.pair, reply.pair);
  EXPECT_NE(frame.pair, reply.pair);
  EXPECT_EQ(ws.pairs, 2u);
  EXPECT_EQ(send.reply_row, WsOp::kNone) << "a send has no row of its own";
  ASSERT_NE(reply.reply_row, WsOp::kNone);
  EXPECT_EQ(compiled.rows[reply.reply_row], (StatsKey{"s", "configure", "REPLY"}));
  EXPECT_EQ(compiled.rows[frame.reply_row], (StatsKey{"s", "frame", "REPLY"}));
  EXPECT_EQ(compiled.rows[compiled.scenarios[0].tasks[0].steps[0].row],
            (StatsKey{"s", "scope", "WS"}));
  // A templated payload stays a template; a constant one is ready to send.
  EXPECT_FALSE(send.payload.constant());
  EXPECT_TRUE(ws.program[3].text.empty());
}

TEST(WsHandshake, TheRenderedRequestBecomesTheUpgradesTargetHostAndHeaders) {
  const HandshakeRequest r = parse_handshake_request(
      "GET /ws/scope?c=1 HTTP/1.1\r\nHost: example.test:8080\r\nUser-Agent: stampede/0.1.0\r\n"
      "X-Client:  demo \r\nAuthorization: Bearer abc\r\n\r\n");
  EXPECT_EQ(r.target, "/ws/scope?c=1");
  EXPECT_EQ(r.host, "example.test:8080");
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>{"X-Client", "demo"}));
  EXPECT_EQ(r.headers[2].second, "Bearer abc");

  boost::beast::websocket::request_type upgrade;
  decorate(r, "chat, scope.v1", upgrade);
  EXPECT_EQ(upgrade["Authorization"], "Bearer abc");
  EXPECT_EQ(upgrade[boost::beast::http::field::sec_websocket_protocol], "chat, scope.v1");
  EXPECT_EQ(upgrade.count(boost::beast::http::field::host), 0u) << "Beast sets Host itself";
}

}  // namespace
}  // namespace stampede
