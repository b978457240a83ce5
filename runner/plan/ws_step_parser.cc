// `ws: /path`: a WebSocket session step and its actions.
//   - ws: /ws/scope
//     name: scope
//     subprotocols: [scope.v1]
//     deflate: true
//     actions:
//       - send: {op: configure, rate: 50}
//         name: configure
//       - receive: {json: /op, equals: configured}
//         name: configure
//       - repeat: 3
//         actions: [{send: {op: poll}}, {receive: 1}, {think: 100ms}]
//       - close: 1000

#include "plan/limits.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

// The keys that make an action what it is; exactly one per action.
constexpr std::array<std::string_view, 7> kActionKinds = {"send",  "sendBinary", "receive", "ping",
                                                          "think", "repeat",     "close"};
// Messages and their limit: 1 GiB as for HTTP responses.
constexpr std::int64_t kMaxMessageBytes = 1024LL * 1024 * 1024;
constexpr std::int64_t kMaxCount = 1'000'000'000;

std::optional<WsAction> parse_action(YamlReader& reader, const YamlField& field,
                                     StepContext& context, int depth);

// A bare word (`- ping`, `- close`) stands for the action with its defaults.
std::optional<WsAction> parse_word(YamlReader& reader, const YamlField& field) {
  const std::string word = field.node.Scalar();
  if (word == "ping") return WsAction{.kind = WsAction::Kind::kPing};
  if (word == "close") return WsAction{.kind = WsAction::Kind::kClose};
  reader.error(field,
               "an action is a map with one of send, sendBinary, receive, ping, think, "
               "repeat or close (or the word ping or close)");
  return std::nullopt;
}

// `send: text`, or a map or list sent as JSON text; both with templates.
bool parse_send(YamlReader& reader, const YamlField& value, const StepContext& context, bool binary,
                WsAction* action) {
  action->kind = WsAction::Kind::kSend;
  action->binary = binary;
  std::optional<Template> t;
  if (value.node.IsScalar()) {
    t = parse_template_field(reader, value, context, TemplateEscape::kNone);
  } else if (binary) {
    reader.error(value, "must be a string (its bytes are sent as one binary message)");
  } else {
    t = parse_json_template(reader, value, context);
  }
  if (!t) return false;
  action->payload = std::move(*t);
  return true;
}

// `receive: N` (the next N messages), or a condition that a message must pass (a check's
// subject and operator: json, body), received messages before it being skipped.
bool parse_receive(YamlReader& reader, const YamlField& value, const StepContext& context,
                   WsAction* action) {
  action->kind = WsAction::Kind::kReceive;
  if (value.node.IsScalar()) {
    std::optional<std::int64_t> n = reader.integer(value, Bound::kPositive, kMaxCount);
    if (!n) return false;
    action->count = static_cast<std::uint64_t>(*n);
    return true;
  }
  if (reader.has(value, "status") || reader.has(value, "header") || reader.has(value, "duration")) {
    reader.error(value, "a message has no status, headers or duration: use json or body");
    return false;
  }
  std::optional<Check> until = parse_check(reader, value, context);
  if (!until) return false;
  action->until = std::move(until);
  return true;
}

// `think: 1s` or `think: between(1s, 3s)`.
bool parse_think(YamlReader& reader, const YamlField& value, WsAction* action) {
  action->kind = WsAction::Kind::kThink;
  std::optional<std::string> text = reader.string(value);
  if (!text) return false;
  if (text->find('(') != std::string::npos) {
    std::string error;
    std::optional<WaitTime> wait = parse_wait_text(*text, &error);
    if (!wait || wait->kind == WaitTime::Kind::kPacing) {
      reader.error(value, wait ? "use a duration or between(A, B)" : error);
      return false;
    }
    action->think = *wait;
    return true;
  }
  std::optional<Duration> d = reader.duration(value, Bound::kNonNegative, limits::kMaxWait);
  if (!d) return false;
  action->think = WaitTime{WaitTime::Kind::kConstant, *d, *d};
  return true;
}

// `repeat: 3` (times) or `repeat: 10s` (for a duration), with `actions:` beside it.
bool parse_repeat(YamlReader& reader, const YamlField& field, const YamlField& value,
                  StepContext& context, int depth, WsAction* action) {
  action->kind = WsAction::Kind::kRepeat;
  const std::string text = value.node.IsScalar() ? value.node.Scalar() : "";
  const bool count = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (count) {
    std::optional<std::int64_t> n = reader.integer(value, Bound::kPositive, kMaxCount);
    if (!n) return false;
    action->times = static_cast<std::uint64_t>(*n);
  } else {
    std::optional<Duration> d = reader.duration(value, Bound::kPositive, limits::kMaxLoadDuration);
    if (!d) return false;
    action->duration = *d;
  }
  std::optional<YamlField> actions = reader.get(field, "actions");
  if (!actions) {
    reader.error(YamlReader::absent(field, "actions"), "required: the block to repeat");
    return false;
  }
  std::optional<std::vector<YamlField>> items = reader.list(*actions);
  if (!items) return false;
  bool ok = true;
  for (const YamlField& item : *items) {
    std::optional<WsAction> inner = parse_action(reader, item, context, depth + 1);
    if (inner) {
      action->actions.push_back(std::move(*inner));
    } else {
      ok = false;
    }
  }
  return ok;
}

// `close: 1000` or `close: {code: 4000, reason: done}`.
bool parse_close(YamlReader& reader, const YamlField& value, WsAction* action) {
  action->kind = WsAction::Kind::kClose;
  std::optional<YamlField> code = value;
  if (value.node.IsMap()) {
    if (!reader.check_map(value, {"code", "reason"})) return false;
    code = reader.get(value, "code");
    if (std::optional<YamlField> reason = reader.get(value, "reason")) {
      std::optional<std::string> text = reader.string(*reason);
      if (!text) return false;
      // A close frame's payload is at most 125 bytes, two of them the code.
      if (text->size() > 123) {
        reader.error(*reason, "must be at most 123 bytes (a close frame's limit)");
        return false;
      }
      action->close_reason = *text;
    }
  }
  // `close:` with no value, like the bare word, closes with 1000.
  if (!code || code->node.IsNull() || (code->node.IsScalar() && code->node.Scalar().empty())) {
    return true;
  }
  std::optional<std::int64_t> n = reader.integer(*code, Bound::kPositive, 4999);
  if (!n) return false;
  // RFC 6455 §7.4: 1000-1003, 1007-1014 are defined; 1004-1006 and 1015 must never be sent;
  // 3000-4999 are for libraries and applications.
  const bool sendable = (*n >= 1000 && *n <= 1003) || (*n >= 1007 && *n <= 1014) || *n >= 3000;
  if (!sendable) {
    reader.error(*code, "must be a code a client may send: 1000-1003, 1007-1014 or 3000-4999");
    return false;
  }
  action->close_code = static_cast<std::uint16_t>(*n);
  return true;
}

// Which action a map is; reports none or several.
std::optional<std::string_view> action_kind(YamlReader& reader, const YamlField& field) {
  std::optional<std::string_view> kind;
  for (std::string_view k : kActionKinds) {
    if (!reader.has(field, k)) continue;
    if (kind) {
      reader.error(field,
                   "one action per item: both " + std::string(*kind) + " and " + std::string(k));
      return std::nullopt;
    }
    kind = k;
  }
  if (!kind) {
    reader.error(field, "needs one of send, sendBinary, receive, ping, think, repeat or close");
  }
  return kind;
}

std::optional<WsAction> parse_action(YamlReader& reader, const YamlField& field,
                                     StepContext& context, int depth) {
  if (depth > 8) {
    reader.error(field, "repeat blocks nest at most 8 deep");
    return std::nullopt;
  }
  if (field.node.IsScalar()) return parse_word(reader, field);
  if (!reader.check_map(field, {"send", "sendBinary", "receive", "ping", "think", "repeat", "close",
                                "name", "timeout", "actions", "extract"})) {
    return std::nullopt;
  }
  std::optional<std::string_view> kind = action_kind(reader, field);
  if (!kind) return std::nullopt;
  const YamlField value = *reader.get(field, *kind);
  WsAction action;
  bool ok = false;
  if (*kind == "send" || *kind == "sendBinary") {
    ok = parse_send(reader, value, context, *kind == "sendBinary", &action);
  } else if (*kind == "receive") {
    ok = parse_receive(reader, value, context, &action);
  } else if (*kind == "ping") {
    action.kind = WsAction::Kind::kPing;
    ok = true;
  } else if (*kind == "think") {
    ok = parse_think(reader, value, &action);
  } else if (*kind == "repeat") {
    ok = parse_repeat(reader, field, value, context, depth, &action);
  } else {
    ok = parse_close(reader, value, &action);
  }
  const bool pairs =
      action.kind == WsAction::Kind::kSend || action.kind == WsAction::Kind::kReceive;
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    std::optional<std::string> text = reader.string(*name);
    if (!pairs) {
      reader.error(*name, "only send and receive have a name (a request and its reply)");
      ok = false;
    } else if (text && text->empty()) {
      reader.error(*name, "must not be empty");
      ok = false;
    } else if (text) {
      action.name = *text;
    }
  }
  if (std::optional<YamlField> timeout = reader.get(field, "timeout")) {
    std::optional<Duration> d = reader.duration(*timeout, Bound::kPositive, limits::kMaxWait);
    if (action.kind != WsAction::Kind::kReceive) {
      reader.error(*timeout, "only receive has a timeout");
      ok = false;
    } else if (d) {
      action.timeout = *d;
    }
  }
  if (std::optional<YamlField> extract = reader.get(field, "extract")) {
    if (action.kind != WsAction::Kind::kReceive) {
      reader.error(*extract, "only receive extracts (from the message that ends it)");
      ok = false;
    } else {
      HttpStep values;
      parse_extract(reader, *extract, &values);
      action.extract = std::move(values.extract);
      // Usable by the session's later actions and the task's later steps.
      for (const Extractor& e : action.extract) context.variables.insert(e.variable);
    }
  }
  if (action.kind != WsAction::Kind::kRepeat && reader.has(field, "actions")) {
    reader.error(*reader.get(field, "actions"), "only repeat holds actions");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return action;
}

void parse_subprotocols(YamlReader& reader, const YamlField& field, WsStep* step) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return;
  for (const YamlField& item : *items) {
    std::optional<std::string> text = reader.string(item);
    if (!text) continue;
    // A token (RFC 6455 §4.1): no separators, spaces or control characters.
    const bool token = !text->empty() &&
                       text->find_first_of("()<>@,;:\\\"/[]?={} \t") == std::string::npos &&
                       std::all_of(text->begin(), text->end(),
                                   [](unsigned char c) { return c > 0x20 && c < 0x7f; });
    if (!token) {
      reader.error(item, "must be a token (letters, digits and !#$%&'*+-.^_`|~)");
      continue;
    }
    step->subprotocols.push_back(*text);
  }
}

}  // namespace

std::optional<Step> parse_ws_step(YamlReader& reader, const YamlField& field,
                                  StepContext& context) {
  if (!reader.check_map(
          field, {"ws", "headers", "name", "subprotocols", "deflate", "maxMessageBytes", "actions",
                  "extract", "checks", "auth", "metrics"})) {
    return std::nullopt;
  }
  const std::size_t errors_before = reader.error_count();
  WsStep step;
  HttpStep& handshake = step.handshake;
  handshake.method = "GET";
  handshake.expect_status = StatusSet();
  handshake.expect_status.add(101);
  parse_step_path(reader, *reader.get(field, "ws"), context, &handshake);
  if (std::optional<YamlField> headers = reader.get(field, "headers")) {
    parse_header_templates(reader, *headers, context, &handshake);
  }
  handshake.name = handshake.path;
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    parse_step_name(reader, *name, context, &handshake);
  }
  if (std::optional<YamlField> subprotocols = reader.get(field, "subprotocols")) {
    parse_subprotocols(reader, *subprotocols, &step);
  }
  if (std::optional<YamlField> deflate = reader.get(field, "deflate")) {
    step.deflate = reader.boolean(*deflate).value_or(false);
  }
  if (std::optional<YamlField> max = reader.get(field, "maxMessageBytes")) {
    if (auto n = reader.integer(*max, Bound::kPositive, kMaxMessageBytes)) {
      step.max_message_bytes = static_cast<std::uint64_t>(*n);
    }
  }
  handshake.auth = context.auth;
  if (std::optional<YamlField> auth = reader.get(field, "auth")) {
    handshake.auth = parse_auth(reader, *auth, context);
  }
  std::optional<YamlField> actions = reader.get(field, "actions");
  if (!actions) {
    reader.error(YamlReader::absent(field, "actions"),
                 "required: what the session sends and receives");
  } else if (std::optional<std::vector<YamlField>> items = reader.list(*actions)) {
    for (const YamlField& item : *items) {
      if (std::optional<WsAction> action = parse_action(reader, item, context, 0)) {
        step.actions.push_back(std::move(*action));
      }
    }
  }
  if (std::optional<YamlField> checks = reader.get(field, "checks")) {
    parse_checks(reader, *checks, context, &handshake);
  }
  if (std::optional<YamlField> metrics = reader.get(field, "metrics")) {
    parse_metrics(reader, *metrics, context, &handshake);
  }
  // Extracted variables (from the last message received) are usable from the next step on.
  if (std::optional<YamlField> extract = reader.get(field, "extract")) {
    parse_extract(reader, *extract, &handshake);
    for (const Extractor& e : handshake.extract) context.variables.insert(e.variable);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return step;
}

}  // namespace stampede::plan_sections
