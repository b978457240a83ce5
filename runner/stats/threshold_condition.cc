// The condition grammar:  condition := aggregation op rhs
//   aggregation := avg | stddev | min | max | med | rate | count | p '(' number ')'
//                | max_count '(' window ')' | max_rate '(' window ')'
//                | max_count_per_user '(' window ')' | max_rate_per_user '(' window ')'
//   window      := number time-unit
//   op          := < | <= | > | >= | == | !=
//   rhs         := value | number '*' reference | reference ['*' number]
//   value       := number [unit | '%' | '/' time-unit]
//   reference   := 'stage' '(' stage-name ')' '.' aggregation
// A tokenizer plus a small recursive-descent parser. A reference compares with another stage's
// aggregate of the same metric and tags: "p(95) < 2 * stage(warmup).p(95)".

#include <algorithm>
#include <charconv>

#include "base/text.h"
#include "stats/threshold.h"

namespace stampede {
namespace {

struct Token {
  enum class Type {
    kIdent,
    kNumber,
    kOp,
    kPercent,
    kLParen,
    kRParen,
    kStar,
    kDot,
    kSlash,
    kOther,
    kEnd
  };
  Type type = Type::kEnd;
  std::string_view text;
  double number = 0;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_start(char c) {
  // Bytes >= 0x80 are UTF-8 parts of names such as "µs".
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c & 0x80) != 0;
}
bool is_op_char(char c) {
  return c == '<' || c == '>' || c == '=' || c == '!';
}

// Length of the token of `type` starting at text[0].
std::size_t token_length(std::string_view text, Token::Type type) {
  std::size_t n = 1;
  if (type == Token::Type::kNumber) {
    bool dot = text[0] == '.';
    for (; n < text.size() && (is_digit(text[n]) || (text[n] == '.' && !dot)); ++n) {
      dot = dot || text[n] == '.';
    }
  } else if (type == Token::Type::kIdent) {
    while (n < text.size() && (is_ident_start(text[n]) || is_digit(text[n]))) ++n;
  } else if (type == Token::Type::kOp) {
    while (n < text.size() && is_op_char(text[n])) ++n;
  }
  return n;
}

Token::Type classify(std::string_view text) {
  const char c = text[0];
  if (is_digit(c) || (c == '.' && text.size() > 1 && is_digit(text[1])))
    return Token::Type::kNumber;
  if (is_ident_start(c)) return Token::Type::kIdent;
  if (is_op_char(c)) return Token::Type::kOp;
  if (c == '%') return Token::Type::kPercent;
  if (c == '(') return Token::Type::kLParen;
  if (c == ')') return Token::Type::kRParen;
  if (c == '*') return Token::Type::kStar;
  if (c == '.') return Token::Type::kDot;
  if (c == '/') return Token::Type::kSlash;
  return Token::Type::kOther;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  while (!text.empty()) {
    if (text[0] == ' ' || text[0] == '\t') {
      text.remove_prefix(1);
      continue;
    }
    Token token;
    token.type = classify(text);
    token.text = text.substr(0, token_length(text, token.type));
    if (token.type == Token::Type::kNumber) {
      std::from_chars(token.text.data(), token.text.data() + token.text.size(), token.number);
    }
    tokens.push_back(token);
    text.remove_prefix(token.text.size());
  }
  tokens.push_back(Token{});  // kEnd
  return tokens;
}

struct NamedAggregation {
  std::string_view name;
  Aggregation::Kind kind;
};
constexpr NamedAggregation kAggregations[] = {
    {"avg", Aggregation::Kind::kAvg},    {"stddev", Aggregation::Kind::kStddev},
    {"min", Aggregation::Kind::kMin},    {"max", Aggregation::Kind::kMax},
    {"med", Aggregation::Kind::kMed},    {"rate", Aggregation::Kind::kRate},
    {"count", Aggregation::Kind::kCount}};

struct NamedOp {
  std::string_view text;
  CompareOp op;
};
// "===" and "!==" are accepted because k6 documents them.
constexpr NamedOp kOps[] = {{"<", CompareOp::kLess},      {"<=", CompareOp::kLessEqual},
                            {">", CompareOp::kGreater},   {">=", CompareOp::kGreaterEqual},
                            {"==", CompareOp::kEqual},    {"===", CompareOp::kEqual},
                            {"!=", CompareOp::kNotEqual}, {"!==", CompareOp::kNotEqual}};

struct TimeUnit {
  std::string_view name;
  double seconds;
};
constexpr TimeUnit kTimeUnits[] = {{"us", 1e-6}, {"\u00b5s", 1e-6}, {"\u03bcs", 1e-6}, {"ms", 1e-3},
                                   {"s", 1},     {"m", 60},         {"h", 3600}};

// The longest window of max_count and max_rate: a day (a daily quota).
constexpr double kMaxWindowSeconds = 86'400;

std::optional<double> time_unit_seconds(std::string_view name) {
  for (const TimeUnit& known : kTimeUnits) {
    if (known.name == name) return known.seconds;
  }
  return std::nullopt;
}

class ConditionParser {
 public:
  ConditionParser(std::string_view text, const MetricInfo& metric, std::string* error)
      : tokens_(tokenize(text)), metric_(metric), error_(error) {}

  std::optional<ThresholdCondition> parse() {
    ThresholdCondition condition;
    if (peek().type == Token::Type::kEnd) {
      fail("empty condition");
      return std::nullopt;
    }
    if (!parse_aggregation(&condition.aggregation) || !check_available(condition.aggregation) ||
        !parse_operator(&condition.op) || !parse_right_side(&condition)) {
      return std::nullopt;
    }
    if (peek().type != Token::Type::kEnd) {
      fail("unexpected " + describe(peek()) + " after the value");
      return std::nullopt;
    }
    return condition;
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  static std::string describe(const Token& token) {
    if (token.type == Token::Type::kEnd) return "end of condition";
    return "'" + std::string(token.text) + "'";
  }

  bool fail(std::string message) {
    if (error_) *error_ = std::move(message);
    return false;
  }

  bool parse_aggregation(Aggregation* out) {
    const Token& token = next();
    if (token.type != Token::Type::kIdent) {
      return fail("expected an aggregation such as p(95), avg or rate, found " + describe(token));
    }
    if (token.text == "p" && peek().type == Token::Type::kLParen) return parse_percentile(out);
    if (token.text == "max_count" || token.text == "max_rate" ||
        token.text == "max_count_per_user" || token.text == "max_rate_per_user") {
      out->kind = token.text.starts_with("max_count") ? Aggregation::Kind::kMaxCount
                                                      : Aggregation::Kind::kMaxRate;
      out->per_user = token.text.ends_with("_per_user");
      if (out->per_user && metric_.name != "http_reqs") {
        return fail("'" + std::string(token.text) + "(W)' is available for http_reqs only");
      }
      return parse_window(std::string(token.text), out);
    }
    for (const NamedAggregation& named : kAggregations) {
      if (named.name == token.text) {
        out->kind = named.kind;
        return true;
      }
    }
    return fail("unknown aggregation '" + std::string(token.text) +
                "' (use avg, stddev, min, max, med, p(N), rate, count, max_count(W), max_rate(W), "
                "max_count_per_user(W), max_rate_per_user(W))");
  }

  // (10s), (1m), (500ms): a window of (0, 24h].
  bool parse_window(const std::string& name, Aggregation* out) {
    const std::string example = "expected " + name + "(W) with a window such as 10s or 1m";
    if (next().type != Token::Type::kLParen) return fail(example);
    const Token& number = next();
    const Token& unit = next();
    const std::optional<double> seconds =
        unit.type == Token::Type::kIdent ? time_unit_seconds(unit.text) : std::nullopt;
    if (number.type != Token::Type::kNumber || !seconds || next().type != Token::Type::kRParen) {
      return fail(example);
    }
    out->window_seconds = number.number * *seconds;
    if (!(out->window_seconds > 0 && out->window_seconds <= kMaxWindowSeconds)) {
      return fail(name + "(W) needs a window above 0 and at most 24h");
    }
    return true;
  }

  bool parse_percentile(Aggregation* out) {
    next();  // '('
    const Token& number = next();
    if (number.type != Token::Type::kNumber || next().type != Token::Type::kRParen) {
      return fail("expected p(N) with a number N, e.g. p(95)");
    }
    if (!(number.number > 0 && number.number <= 100)) {
      return fail("p(N) needs 0 < N <= 100, found p(" + std::string(number.text) + ")");
    }
    out->kind = Aggregation::Kind::kPercentile;
    out->percentile = number.number;
    return true;
  }

  // "p(N)", "max_count(W)", or the aggregation's own name.
  static std::string generic_name(Aggregation::Kind kind) {
    if (kind == Aggregation::Kind::kPercentile) return "p(N)";
    if (kind == Aggregation::Kind::kMaxCount) return "max_count(W)";
    if (kind == Aggregation::Kind::kMaxRate) return "max_rate(W)";
    return Aggregation{kind}.to_string();
  }

  bool check_available(const Aggregation& aggregation) {
    std::string allowed;
    for (Aggregation::Kind kind : metric_.aggregations) {
      if (kind == aggregation.kind) return true;
      allowed += (allowed.empty() ? "" : ", ") + generic_name(kind);
    }
    const std::string name = generic_name(aggregation.kind);
    return fail("'" + name + "' is not available for " + std::string(metric_.name) + " (use " +
                allowed + ")");
  }

  bool parse_operator(CompareOp* out) {
    const Token& token = next();
    if (token.type != Token::Type::kOp) {
      return fail("expected a comparison operator (<, <=, >, >=, ==, !=), found " +
                  describe(token));
    }
    for (const NamedOp& named : kOps) {
      if (named.text == token.text) {
        *out = named.op;
        return true;
      }
    }
    return fail("unknown operator '" + std::string(token.text) + "' (use <, <=, >, >=, ==, !=)");
  }

  bool at_reference() const {
    return peek().type == Token::Type::kIdent && peek().text == "stage" &&
           peek(1).type == Token::Type::kLParen;
  }

  bool parse_right_side(ThresholdCondition* condition) {
    const bool reference_next = at_reference() || (peek().type == Token::Type::kNumber &&
                                                   peek(1).type == Token::Type::kStar);
    if (condition->aggregation.windowed() && reference_next) {
      return fail("'" + condition->aggregation.to_string() +
                  "' is compared with a number, not with a stage");
    }
    if (at_reference()) {
      StageReference& reference = condition->reference.emplace();
      if (!parse_reference(condition->aggregation, &reference)) return false;
      if (peek().type != Token::Type::kStar) return true;
      next();
      return parse_factor(&reference.factor);
    }
    if (peek().type == Token::Type::kNumber && peek(1).type == Token::Type::kStar) {
      const double factor = next().number;
      next();  // '*'
      if (!at_reference()) {
        return fail("expected stage(NAME).aggregation after '*', found " + describe(peek()));
      }
      StageReference& reference = condition->reference.emplace();
      reference.factor = factor;
      return parse_reference(condition->aggregation, &reference);
    }
    return parse_value(condition->aggregation, &condition->bound);
  }

  bool parse_factor(double* out) {
    const Token& token = next();
    if (token.type != Token::Type::kNumber) {
      return fail("expected a number after '*', found " + describe(token));
    }
    *out = token.number;
    return true;
  }

  // stage(NAME).aggregation; the name is the text between the parentheses, trimmed.
  bool parse_reference(const Aggregation& left, StageReference* out) {
    if (std::find(metric_.tags.begin(), metric_.tags.end(), "stage") == metric_.tags.end()) {
      return fail("stage(...) is not available for " + std::string(metric_.name) +
                  " (it has no stage tag)");
    }
    next();  // 'stage'
    next();  // '('
    const Token& first = peek();
    while (peek().type != Token::Type::kRParen && peek().type != Token::Type::kEnd) next();
    if (peek().type == Token::Type::kEnd) return fail("expected ')' after the stage name");
    const char* end = peek().text.data();
    out->stage = std::string(trim(std::string_view(first.text.data(), end - first.text.data())));
    next();  // ')'
    if (out->stage.empty()) return fail("stage() needs a stage name, e.g. stage(warmup).p(95)");
    if (next().type != Token::Type::kDot) {
      return fail("expected '.' and an aggregation after stage(" + out->stage + "), e.g. stage(" +
                  out->stage + ").p(95)");
    }
    if (!parse_aggregation(&out->aggregation) || !check_available(out->aggregation)) return false;
    if (dimension(left) != dimension(out->aggregation)) {
      return fail("'" + left.to_string() + "' cannot be compared with '" +
                  out->aggregation.to_string() + "': they are not in the same unit");
    }
    return true;
  }

  // What an aggregation's value measures: a count, a rate, or the metric's own unit.
  static int dimension(const Aggregation& aggregation) {
    if (aggregation.kind == Aggregation::Kind::kCount) return 0;
    if (aggregation.kind == Aggregation::Kind::kRate) return 1;
    return 2;
  }

  bool parse_value(const Aggregation& aggregation, double* out) {
    const Token& token = next();
    if (token.type != Token::Type::kNumber) {
      return fail("expected a number, found " + describe(token));
    }
    *out = token.number;
    if (aggregation.kind == Aggregation::Kind::kMaxRate) return apply_rate_unit(aggregation, out);
    const bool time = metric_.is_time && aggregation.kind != Aggregation::Kind::kCount &&
                      aggregation.kind != Aggregation::Kind::kMaxCount;
    const bool fraction = metric_.rate_is_fraction && aggregation.kind == Aggregation::Kind::kRate;
    if (time) return apply_time_unit(out);
    if (fraction) return apply_percent(out);
    if (peek().type == Token::Type::kIdent || peek().type == Token::Type::kPercent) {
      return fail("unexpected " + describe(peek()) + ": '" + aggregation.to_string() + "' of " +
                  std::string(metric_.name) + " is a plain number");
    }
    return true;
  }

  // A bare number on a time metric means milliseconds, as in k6.
  bool apply_time_unit(double* value) {
    if (peek().type != Token::Type::kIdent) {
      if (peek().type == Token::Type::kPercent) {
        return fail("'%' is not allowed on a time value");
      }
      *value /= 1000;
      return true;
    }
    const Token& unit = next();
    for (const TimeUnit& known : kTimeUnits) {
      if (known.name == unit.text) {
        *value *= known.seconds;
        return true;
      }
    }
    return fail("unknown unit '" + std::string(unit.text) + "' (use us, ms, s, m, h)");
  }

  // max_rate(W)'s bound is per window; "100/m" names its own unit and becomes per window.
  bool apply_rate_unit(const Aggregation& aggregation, double* value) {
    if (peek().type != Token::Type::kSlash) return true;
    next();
    const Token& unit = next();
    const std::optional<double> seconds =
        unit.type == Token::Type::kIdent ? time_unit_seconds(unit.text) : std::nullopt;
    if (!seconds) return fail("expected a rate unit after '/': s, m or h (e.g. 30/m)");
    *value *= aggregation.window_seconds / *seconds;
    return true;
  }

  bool apply_percent(double* value) {
    if (peek().type == Token::Type::kPercent) {
      next();
      *value /= 100;
    } else if (peek().type == Token::Type::kIdent) {
      return fail("unexpected " + describe(peek()) + ": a rate is a fraction or a percentage");
    }
    if (*value < 0 || *value > 1) {
      return fail("a rate is a fraction between 0 and 1 (or a percentage such as 5%)");
    }
    return true;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  const MetricInfo& metric_;
  std::string* error_;
};

}  // namespace

std::optional<ThresholdCondition> parse_condition(std::string_view text, const MetricInfo& metric,
                                                  std::string* error) {
  text = trim(text);
  std::optional<ThresholdCondition> condition = ConditionParser(text, metric, error).parse();
  if (condition) condition->expression = std::string(text);
  return condition;
}

}  // namespace stampede
