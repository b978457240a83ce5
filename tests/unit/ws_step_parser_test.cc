// `ws:` steps (WebSocket sessions): a full step with every action parsed into its WsStep, the
// handshake's defaults, and the errors with their field paths and lines.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "plan/plan_parser.h"
#include "unit/plan_test_support.h"

namespace stampede {
namespace {

using namespace plan_test;             // NOLINT(google-build-using-namespace): test helpers
using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)

// A plan whose only step is `ws: /ws` with these lines after it (indented as the step's keys);
// the step is on line 6, its first key on line 7.
std::string with_ws(const std::string& lines) {
  return "target: http://localhost:8080\nload: {users: 1, duration: 1s}\nscenarios:\n"
         "  - name: a\n    steps:\n      - ws: /ws\n" +
         lines;
}

// The same with `actions:` on line 7 and these action items from line 8 on.
std::string with_actions(const std::string& items) {
  return with_ws("        actions:\n" + items);
}

const WsStep& ws(const Plan& plan, std::size_t index = 0) {
  return std::get<WsStep>(plan.scenarios[0].tasks[0].steps.at(index));
}

constexpr const char* kFullStep = R"yaml(target: http://localhost:8080
load: {users: 1, duration: 1s}
vars: {client: web}
scenarios:
  - name: a
    auth: {bearer: scenario-token}
    steps:
      - ws: /ws/scope?c={{ client }}
        name: scope
        headers: {X-Client: "{{ client }}"}
        subprotocols: [scope.v1, scope.v2]
        deflate: true
        maxMessageBytes: 65536
        actions:
          - send: {op: configure, rate: 50}
            name: configure
          - receive: {json: /op, equals: configured}
            name: configure
            timeout: 2s
          - sendBinary: "raw {{ seq() }}"
          - send: plain
          - receive: 50
          - ping
          - ping: {}
          - think: 500ms
          - think: between(1s, 3s)
          - repeat: 3
            actions:
              - send: {op: poll}
              - repeat: 10s
                actions: [{receive: 1}, close]
          - close: {code: 4000, reason: done}
        extract: {token: {json: /token}}
        checks: [{json: /op, equals: unsubscribed}]
      - get: /after/{{ token }}
)yaml";

TEST(WsStepParser, AFullStepWithEveryAction) {
  const Plan plan = parse_ok(kFullStep);
  ASSERT_EQ(plan.scenarios[0].tasks[0].steps.size(), 2u);
  const WsStep& step = ws(plan);
  const HttpStep& handshake = step.handshake;
  EXPECT_EQ(&http_part(plan.scenarios[0].tasks[0].steps[0]), &handshake);
  EXPECT_EQ(handshake.method, "GET");
  EXPECT_EQ(handshake.path, "/ws/scope?c={{ client }}");
  EXPECT_EQ(handshake.name, "scope");
  ASSERT_EQ(handshake.headers.size(), 1u);
  EXPECT_EQ(handshake.headers[0].name, "X-Client");
  ASSERT_TRUE(handshake.auth.has_value());
  EXPECT_EQ(handshake.auth->kind, Auth::Kind::kBearer);  // the scenario's
  EXPECT_EQ(step.subprotocols, (std::vector<std::string>{"scope.v1", "scope.v2"}));
  EXPECT_TRUE(step.deflate);
  EXPECT_EQ(step.max_message_bytes, 65536u);
  ASSERT_EQ(handshake.extract.size(), 1u);
  EXPECT_EQ(handshake.extract[0].variable, "token");
  EXPECT_EQ(handshake.extract[0].source.path, "/token");
  ASSERT_EQ(handshake.checks.size(), 1u);
  EXPECT_EQ(handshake.checks[0].subject.path, "/op");

  using Kind = WsAction::Kind;
  const std::vector<WsAction>& a = step.actions;
  ASSERT_EQ(a.size(), 11u);

  EXPECT_EQ(a[0].kind, Kind::kSend);
  EXPECT_EQ(a[0].name, "configure");
  EXPECT_FALSE(a[0].binary);
  ASSERT_TRUE(a[0].payload.constant());
  EXPECT_EQ(a[0].payload.constant_text(), R"({"op":"configure","rate":50})");

  EXPECT_EQ(a[1].kind, Kind::kReceive);
  EXPECT_EQ(a[1].name, "configure");
  EXPECT_EQ(a[1].timeout, Duration(2s));
  ASSERT_TRUE(a[1].until.has_value());
  EXPECT_EQ(a[1].until->subject.kind, ResponseSource::Kind::kJson);
  EXPECT_EQ(a[1].until->subject.path, "/op");
  EXPECT_EQ(a[1].until->op, Check::Op::kEquals);
  EXPECT_EQ(a[1].until->expected.constant_text(), "configured");

  EXPECT_EQ(a[2].kind, Kind::kSend);
  EXPECT_TRUE(a[2].binary);
  EXPECT_FALSE(a[2].payload.constant());  // seq()
  EXPECT_TRUE(a[2].name.empty());

  EXPECT_EQ(a[3].kind, Kind::kSend);
  EXPECT_FALSE(a[3].binary);
  EXPECT_EQ(a[3].payload.constant_text(), "plain");

  EXPECT_EQ(a[4].kind, Kind::kReceive);
  EXPECT_EQ(a[4].count, 50u);
  EXPECT_FALSE(a[4].until.has_value());
  EXPECT_EQ(a[4].timeout, Duration(10s));  // the default

  EXPECT_EQ(a[5].kind, Kind::kPing);  // the word
  EXPECT_EQ(a[6].kind, Kind::kPing);  // the map

  EXPECT_EQ(a[7].kind, Kind::kThink);
  EXPECT_EQ(a[7].think.kind, WaitTime::Kind::kConstant);
  EXPECT_EQ(a[7].think.min, Duration(500ms));
  EXPECT_EQ(a[7].think.max, Duration(500ms));
  EXPECT_EQ(a[8].kind, Kind::kThink);
  EXPECT_EQ(a[8].think.kind, WaitTime::Kind::kBetween);
  EXPECT_EQ(a[8].think.min, Duration(1s));
  EXPECT_EQ(a[8].think.max, Duration(3s));

  EXPECT_EQ(a[9].kind, Kind::kRepeat);
  EXPECT_EQ(a[9].times, 3u);
  ASSERT_EQ(a[9].actions.size(), 2u);
  EXPECT_EQ(a[9].actions[0].kind, Kind::kSend);
  EXPECT_EQ(a[9].actions[0].payload.constant_text(), R"({"op":"poll"})");
  const WsAction& inner = a[9].actions[1];
  EXPECT_EQ(inner.kind, Kind::kRepeat);
  EXPECT_EQ(inner.times, 0u);
  EXPECT_EQ(inner.duration, Duration(10s));
  ASSERT_EQ(inner.actions.size(), 2u);
  EXPECT_EQ(inner.actions[0].kind, Kind::kReceive);
  EXPECT_EQ(inner.actions[0].count, 1u);
  EXPECT_EQ(inner.actions[1].kind, Kind::kClose);
  EXPECT_EQ(inner.actions[1].close_code, 1000);
  EXPECT_TRUE(inner.actions[1].close_reason.empty());

  EXPECT_EQ(a[10].kind, Kind::kClose);
  EXPECT_EQ(a[10].close_code, 4000);
  EXPECT_EQ(a[10].close_reason, "done");

  // The variable extracted from the session's last message is known to the next step (else
  // `{{ token }}` there would be an unknown variable).
  EXPECT_TRUE(std::holds_alternative<HttpStep>(plan.scenarios[0].tasks[0].steps[1]));
}

TEST(WsStepParser, TheHandshakeIsAGetExpecting101NamedByItsPath) {
  const Plan plan = parse_ok(with_actions("          - close\n"));
  const WsStep& step = ws(plan);
  EXPECT_EQ(step.handshake.method, "GET");
  EXPECT_TRUE(step.handshake.expect_status.contains(101));
  EXPECT_FALSE(step.handshake.expect_status.contains(200));
  EXPECT_EQ(step.handshake.path, "/ws");
  EXPECT_EQ(step.handshake.name, "/ws");  // the path, as for HTTP steps
  EXPECT_FALSE(step.handshake.auth.has_value());
  EXPECT_TRUE(step.subprotocols.empty());
  EXPECT_FALSE(step.deflate);
  EXPECT_EQ(step.max_message_bytes, std::uint64_t{1} << 20);
  ASSERT_EQ(step.actions.size(), 1u);
  EXPECT_EQ(step.actions[0].kind, WsAction::Kind::kClose);
  EXPECT_EQ(step.actions[0].close_code, 1000);
  // A close code alone, and a receive's timeout in seconds.
  const Plan more =
      parse_ok(with_actions("          - {receive: 2, timeout: 3}\n"
                            "          - close: 3001\n"));
  EXPECT_EQ(ws(more).actions[0].timeout, Duration(3s));
  EXPECT_EQ(ws(more).actions[1].close_code, 3001);
}

TEST(WsStepParser, RepeatsNestUpToEightDeep) {
  // Repeat k (from 0) is on line 8 + 2k; the action inside the last one is on the line after.
  auto nested = [](int repeats) {
    std::string items;
    std::string indent = "          ";
    for (int k = 0; k < repeats; ++k) {
      items.append(indent).append("- repeat: 1\n").append(indent).append("  actions:\n");
      indent += "    ";
    }
    return with_actions(items + indent + "- ping\n");
  };
  const Plan eight = parse_ok(nested(8));
  const WsAction* action = &ws(eight).actions[0];
  for (int k = 1; k < 8; ++k) action = &action->actions.at(0);
  EXPECT_EQ(action->actions.at(0).kind, WsAction::Kind::kPing);

  std::string path = "scenarios[0].steps[0].actions[0]";
  for (int k = 0; k < 9; ++k) path += ".actions[0]";
  EXPECT_TRUE(has_error(parse(nested(9)), path, 8 + 2 * 9, "repeat blocks nest at most 8 deep"));
}

TEST(WsStepParser, ActionErrorsNameTheFieldAndLine) {
  const std::string action = "scenarios[0].steps[0].actions[0]";
  EXPECT_TRUE(has_error(parse(with_actions("          - {send: hi, receive: 1}\n")), action, 8,
                        "one action per item: both send and receive"));
  EXPECT_TRUE(has_error(parse(with_actions("          - {send: hi, nmae: x}\n")), action, 8,
                        "unknown field 'nmae'"));
  EXPECT_TRUE(has_error(parse(with_actions("          - {sned: hi}\n")), action, 8,
                        "needs one of send, sendBinary, receive, ping, think, repeat or close"));
  EXPECT_TRUE(has_error(parse(with_actions("          - pong\n")), action, 8,
                        "(or the word ping or close)"));
  EXPECT_TRUE(has_error(parse(with_actions("          - ping: {}\n            name: p\n")),
                        action + ".name", 9, "only send and receive have a name"));
  EXPECT_TRUE(has_error(parse(with_actions("          - send: hi\n            timeout: 1s\n")),
                        action + ".timeout", 9, "only receive has a timeout"));
  EXPECT_TRUE(has_error(parse(with_actions("          - think: 1s\n            actions: [ping]\n")),
                        action + ".actions", 9, "only repeat holds actions"));
  EXPECT_TRUE(has_error(parse(with_actions("          - repeat: 3\n")), action + ".actions", 8,
                        "required: the block to repeat"));
  EXPECT_TRUE(has_error(parse(with_actions("          - close: 1005\n")), action + ".close", 8,
                        "must be a code a client may send: 1000-1003, 1007-1014 or 3000-4999"));
  EXPECT_TRUE(has_error(parse(with_actions("          - close: 2000\n")), action + ".close", 8,
                        "must be a code a client may send"));
  EXPECT_TRUE(has_error(parse(with_actions("          - close: {code: 4000, reason: " +
                                           std::string(124, 'r') + "}\n")),
                        action + ".close.reason", 8, "must be at most 123 bytes"));
  // 123 bytes is the limit, in bytes: 41 three-byte characters are 123 bytes, 42 are too many.
  std::string snowmen;
  for (int i = 0; i < 41; ++i) snowmen += "\xe2\x98\x83";
  EXPECT_EQ(ws(parse_ok(with_actions("          - close: {reason: " + snowmen + "}\n")))
                .actions[0]
                .close_reason.size(),
            123u);
  EXPECT_TRUE(
      has_error(parse(with_actions("          - close: {reason: " + snowmen + "\xe2\x98\x83}\n")),
                action + ".close.reason", 8, "must be at most 123 bytes"));
  EXPECT_TRUE(has_error(parse(with_actions("          - receive: {status: 200}\n")),
                        action + ".receive", 8,
                        "a message has no status, headers or duration: use json or body"));
  EXPECT_TRUE(has_error(parse(with_actions("          - receive: 0\n")), action + ".receive", 8,
                        "must be an integer > 0"));
  EXPECT_TRUE(has_error(parse(with_actions("          - think: pacing(1s)\n")), action + ".think",
                        8, "use a duration or between(A, B)"));
  EXPECT_TRUE(has_error(parse(with_actions("          - sendBinary: {a: 1}\n")),
                        action + ".sendBinary", 8, "must be a string"));
  // Errors in a later item and inside a repeat carry their own index and line.
  EXPECT_TRUE(has_error(parse(with_actions("          - ping\n"
                                           "          - repeat: 2\n"
                                           "            actions:\n"
                                           "              - ping\n"
                                           "              - {ping: {}, timeout: 1s}\n")),
                        "scenarios[0].steps[0].actions[1].actions[1].timeout", 12,
                        "only receive has a timeout"));
}

// A receive extracts from the message that ended it; the variable is known to the session's
// later actions (and the task's later steps), and only a receive may extract.
TEST(WsStepParser, AReceiveExtractsForLaterActions) {
  const Plan plan =
      parse_ok(with_actions("          - receive: 1\n"
                            "            extract: {token: {json: /token}}\n"
                            "          - send: '{{ token }}'\n"));
  const WsAction& receive = ws(plan).actions[0];
  ASSERT_EQ(receive.extract.size(), 1u);
  EXPECT_EQ(receive.extract[0].variable, "token");
  EXPECT_EQ(receive.extract[0].source.path, "/token");
  EXPECT_TRUE(has_error(parse(with_actions("          - send: hi\n"
                                           "            extract: {token: {json: /token}}\n")),
                        "scenarios[0].steps[0].actions[0].extract", 9,
                        "only receive extracts (from the message that ends it)"));
  EXPECT_FALSE(parse(with_actions("          - send: '{{ token }}'\n"
                                  "          - receive: 1\n"
                                  "            extract: {token: {json: /token}}\n"))
                   .plan.has_value())
      << "a variable is known only after the receive that extracts it";
}

TEST(WsStepParser, StepErrorsNameTheFieldAndLine) {
  const std::string step = "scenarios[0].steps[0]";
  EXPECT_TRUE(has_error(parse(with_ws("")), step + ".actions", 6,
                        "required: what the session sends and receives"));
  EXPECT_TRUE(has_error(parse(with_ws("        subprotocols: [chat, \"a b\"]\n"
                                      "        actions: [close]\n")),
                        step + ".subprotocols[1]", 7, "must be a token"));
  EXPECT_TRUE(has_error(parse(with_ws("        maxMessageBytes: 0\n        actions: [close]\n")),
                        step + ".maxMessageBytes", 7, "must be an integer > 0"));
  EXPECT_TRUE(
      has_error(parse(with_ws("        maxMessageBytes: 1073741825\n        actions: [close]\n")),
                step + ".maxMessageBytes", 7, "must be at most 1073741824"));
  EXPECT_TRUE(has_error(parse(with_ws("        deflate: maybe\n        actions: [close]\n")),
                        step + ".deflate", 7, "must be true or false"));
  EXPECT_TRUE(
      has_error(parse(with_ws("        expect: {status: [101]}\n        actions: [close]\n")), step,
                7, "unknown field 'expect'"));
  EXPECT_TRUE(has_error(parse(with_ws("        actions: []\n")), step + ".actions", 7,
                        "must not be empty"));
}

}  // namespace
}  // namespace stampede
