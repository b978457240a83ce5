// Parsing `{{ expr }}` templates: a small recursive-descent parser over one expression at a
// time. Errors carry the column so the plan parser can point at the character.

#include <charconv>
#include <cstdlib>

#include "plan/template.h"

namespace stampede {
namespace {

constexpr std::string_view kFunctions =
    "randomInt, randomChoice, uuid, seq, now, env, urlencode, userIndex, runnerIndex, "
    "runnerCount, iteration";

struct ExprParser {
  std::string_view text;  // the whole template text (for columns)
  std::size_t pos = 0;    // current offset into text
  std::size_t end = 0;    // offset of the closing "}}"
  const TemplateParseOptions& options;
  std::optional<TemplateError> error;

  bool fail(std::size_t at, std::string message) {
    if (!error) error = TemplateError{at, std::move(message)};
    return false;
  }

  void skip_space() {
    while (pos < end && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }

  bool at(char c) {
    skip_space();
    return pos < end && text[pos] == c;
  }

  bool expect(char c, std::string_view what) {
    if (at(c)) {
      ++pos;
      return true;
    }
    return fail(pos, "expected " + std::string(what));
  }

  static bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }

  std::optional<std::string> identifier() {
    skip_space();
    const std::size_t start = pos;
    if (pos >= end || !ident_start(text[pos])) {
      fail(pos, "expected a variable or function name");
      return std::nullopt;
    }
    while (pos < end && ident_char(text[pos])) ++pos;
    return std::string(text.substr(start, pos - start));
  }

  // "..." or '...' with \" \' \\ \n \t escapes.
  std::optional<std::string> string_literal() {
    skip_space();
    if (pos >= end || (text[pos] != '"' && text[pos] != '\'')) {
      fail(pos, "expected a quoted string");
      return std::nullopt;
    }
    const char quote = text[pos++];
    std::string value;
    while (pos < end && text[pos] != quote) {
      char c = text[pos++];
      if (c == '\\' && pos < end) {
        const char e = text[pos++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
      value.push_back(c);
    }
    if (pos >= end) {
      fail(pos, "unterminated string");
      return std::nullopt;
    }
    ++pos;
    return value;
  }

  std::optional<std::int64_t> integer() {
    skip_space();
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + end, value);
    if (ec != std::errc()) {
      fail(pos, "expected an integer");
      return std::nullopt;
    }
    pos = static_cast<std::size_t>(ptr - text.data());
    return value;
  }

  bool no_args(const std::string& name, bool called) {
    if (called && !expect(')', "')': " + name + "() takes no arguments")) return false;
    return true;
  }

  bool parse_random_int(TemplateExpr* e) {
    const std::size_t start = pos;
    const auto min = integer();
    if (!min || !expect(',', "',' between randomInt's min and max")) return false;
    const auto max = integer();
    if (!max || !expect(')', "')'")) return false;
    if (*min > *max) return fail(start, "randomInt: min is greater than max");
    e->min = *min;
    e->max = *max;
    return true;
  }

  bool parse_random_choice(TemplateExpr* e) {
    do {
      auto choice = string_literal();
      if (!choice) return false;
      e->choices.push_back(std::move(*choice));
    } while (at(',') && ++pos);
    return expect(')', "')' or ',' and another quoted string");
  }

  bool parse_now(TemplateExpr* e) {
    if (!at(')')) {
      auto format = string_literal();
      if (!format) return false;
      e->format = std::move(*format);
    }
    return expect(')', "')'");
  }

  // env("NAME") or env("NAME", "default") becomes literal text now; returned through *literal.
  // The default stands in for an unset variable only (a variable set to "" stays empty, as in a
  // shell's ${NAME-default}).
  bool parse_env(std::size_t start, std::optional<std::string>* literal) {
    auto name = string_literal();
    if (!name) return false;
    std::optional<std::string> fallback;
    if (at(',') && ++pos) {
      fallback = string_literal();
      if (!fallback) return false;
    }
    if (!expect(')', fallback ? "')'" : "')' or ',' and a default")) return false;
    if (!options.getenv) {
      *literal = fallback.value_or("");
      return true;
    }
    std::optional<std::string> value = options.getenv(*name);
    if (!value) value = std::move(fallback);
    if (!value) {
      return fail(start, "environment variable " + *name + " is not set" + options.unset_env_hint);
    }
    *literal = std::move(*value);
    return true;
  }

  // One expression; a string literal or env() gives *literal instead of *expr.
  bool expression(TemplateExpr* expr, std::optional<std::string>* literal) {
    skip_space();
    if (pos < end && (text[pos] == '"' || text[pos] == '\'')) {
      *literal = string_literal();
      return literal->has_value();
    }
    const std::size_t start = pos;
    const auto name = identifier();
    if (!name) return false;
    const bool called = at('(') && ++pos;
    if (*name == "randomInt") {
      expr->func = TemplateFunc::kRandomInt;
      return called ? parse_random_int(expr) : fail(pos, "expected '(': randomInt(min, max)");
    }
    if (*name == "randomChoice") {
      expr->func = TemplateFunc::kRandomChoice;
      return called ? parse_random_choice(expr)
                    : fail(pos, "expected '(': randomChoice(\"a\", \"b\")");
    }
    if (*name == "now") {
      expr->func = TemplateFunc::kNow;
      return called ? parse_now(expr) : true;
    }
    if (*name == "env") {
      return called ? parse_env(start, literal) : fail(pos, "expected '(': env(\"NAME\")");
    }
    if (*name == "urlencode") {
      expr->func = TemplateFunc::kUrlEncode;
      if (!called) return fail(pos, "expected '(': urlencode(expression)");
      TemplateExpr inner;
      std::optional<std::string> inner_literal;
      if (!expression(&inner, &inner_literal) || !expect(')', "')'")) return false;
      if (inner_literal) return fail(start, "urlencode of a constant: encode it by hand");
      expr->args.push_back(std::move(inner));
      return true;
    }
    static const std::pair<std::string_view, TemplateFunc> kNoArgs[] = {
        {"uuid", TemplateFunc::kUuid},
        {"seq", TemplateFunc::kSequence},
        {"userIndex", TemplateFunc::kUserIndex},
        {"runnerIndex", TemplateFunc::kRunnerIndex},
        {"runnerCount", TemplateFunc::kRunnerCount},
        {"iteration", TemplateFunc::kIteration}};
    for (const auto& [fname, func] : kNoArgs) {
      if (*name == fname) {
        expr->func = func;
        return no_args(*name, called);
      }
    }
    if (called) {
      return fail(start, "unknown function '" + *name + "' (use " + std::string(kFunctions) + ")");
    }
    expr->func = TemplateFunc::kVariable;
    expr->name = *name;
    return true;
  }
};

}  // namespace

std::variant<Template, TemplateError> parse_template(std::string_view text,
                                                     const TemplateParseOptions& options) {
  Template t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.append_literal(text.substr(pos));
      break;
    }
    t.append_literal(text.substr(pos, open - pos));
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return TemplateError{open, "'{{' without a closing '}}'"};
    }
    ExprParser parser{text, open + 2, close, options, std::nullopt};
    TemplateExpr expr;
    std::optional<std::string> literal;
    const bool ok = parser.expression(&expr, &literal);
    if (ok) parser.skip_space();
    if (ok && parser.pos != close) {
      parser.fail(parser.pos, "unexpected '" + std::string(1, text[parser.pos]) +
                                  "' (one expression per {{ }})");
    }
    if (!ok || parser.error) return *parser.error;
    if (literal) {
      // A quoted string or env() value lands where an expression would: escaped the same way.
      std::string escaped;
      append_escaped(escaped, *literal, options.escape);
      t.append_literal(escaped);
    } else {
      t.parts.push_back(TemplatePart{{}, std::move(expr), options.escape});
    }
    pos = close + 2;
  }
  return t;
}

}  // namespace stampede
