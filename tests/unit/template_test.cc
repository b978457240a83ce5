#include "plan/template.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace stampede {
namespace {

// A scope with fixed answers, and a counter-based "random" source for predictable tests.
class FixedScope final : public TemplateScope {
 public:
  std::vector<std::string> values;
  std::uint64_t user = 7;
  std::uint64_t iter = 3;
  std::uint32_t runner = 1;
  std::uint32_t runners = 4;
  std::uint64_t sequence = 100;
  std::uint64_t random_state = 0x9E3779B97F4A7C15ULL;

  std::string_view variable(std::size_t slot) const override { return values.at(slot); }
  std::uint64_t user_index() const override { return user; }
  std::uint64_t iteration() const override { return iter; }
  std::uint32_t runner_index() const override { return runner; }
  std::uint32_t runner_count() const override { return runners; }
  std::uint64_t next_sequence() override { return sequence++; }
  std::uint64_t random() override {  // splitmix64
    std::uint64_t z = (random_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

Template parse_template(std::string_view text, TemplateEscape escape = TemplateEscape::kNone) {
  TemplateParseOptions options;
  options.escape = escape;
  options.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "TOKEN") return std::string("s3cr\"et");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  auto result = parse_template(text, options);
  if (auto* error = std::get_if<TemplateError>(&result)) {
    ADD_FAILURE() << text << ": " << error->message << " at " << error->column;
    return Template();
  }
  return std::get<Template>(std::move(result));
}

TemplateError parse_error(std::string_view text) {
  TemplateParseOptions options;
  options.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto result = parse_template(text, options);
  if (auto* error = std::get_if<TemplateError>(&result)) return *error;
  ADD_FAILURE() << "no error for " << text;
  return {};
}

std::string render(const Template& t, FixedScope& scope) {
  std::string out;
  render_template(t, scope, out);
  return out;
}

TEST(Template, TextWithoutExpressionsIsOneConstant) {
  const Template t = parse_template("/api/v1/plans?x=1");
  EXPECT_TRUE(t.constant());
  EXPECT_EQ(t.constant_text(), "/api/v1/plans?x=1");
  ASSERT_EQ(t.parts.size(), 1U);
}

TEST(Template, VariablesBindToSlotsOrInlineAsConstants) {
  Template t = parse_template("/tenants/{{ tenant }}/plans/{{plan_id}}?u={{ users.email }}");
  EXPECT_EQ(t.variables(), (std::vector<std::string>{"tenant", "plan_id", "users.email"}));
  const std::map<std::string, std::size_t> slots{{"plan_id", 0}, {"users.email", 1}};
  TemplateBinding binding;
  binding.slot = [&](const std::string& name) -> std::optional<std::size_t> {
    auto it = slots.find(name);
    return it == slots.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  };
  binding.inline_value = [](const std::string& name) -> std::optional<std::string> {
    return name == "tenant" ? std::optional<std::string>("acme") : std::nullopt;
  };
  EXPECT_EQ(bind_template(t, binding), std::nullopt);
  FixedScope scope;
  scope.values = {"42", "a@b.c"};
  EXPECT_EQ(render(t, scope), "/tenants/acme/plans/42?u=a@b.c");
  EXPECT_EQ(t.parts.size(), 4U) << "the inlined constant merged into the literal around it";
}

TEST(Template, AnUnknownVariableIsNamedByBinding) {
  Template t = parse_template("{{ known }} {{ typo }}");
  TemplateBinding binding;
  binding.slot = [](const std::string& name) -> std::optional<std::size_t> {
    return name == "known" ? std::optional<std::size_t>(0) : std::nullopt;
  };
  EXPECT_EQ(bind_template(t, binding), std::optional<std::string>("typo"));
}

TEST(Template, BuiltInsRender) {
  FixedScope scope;
  EXPECT_EQ(
      render(parse_template("u{{ userIndex }}-r{{runnerIndex}}/{{ runnerCount }}-i{{ iteration }}"),
             scope),
      "u7-r1/4-i3");
  EXPECT_EQ(render(parse_template("{{ seq() }},{{ seq() }}"), scope), "100,101");
  const Template ints = parse_template("{{ randomInt(-3, 3) }}");
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) seen.insert(render(ints, scope));
  EXPECT_EQ(seen, (std::set<std::string>{"-3", "-2", "-1", "0", "1", "2", "3"}));
  const Template choice = parse_template(R"({{ randomChoice("groq", 'gemini', "open\"router") }})");
  seen.clear();
  for (int i = 0; i < 200; ++i) seen.insert(render(choice, scope));
  EXPECT_EQ(seen, (std::set<std::string>{"groq", "gemini", "open\"router"}));
}

// Found by the template fuzz target: max - min overflowed (undefined behaviour) when the range
// spans more than INT64_MAX.
TEST(Template, RandomIntOverTheWholeInt64Range) {
  FixedScope scope;
  const Template all = parse_template("{{ randomInt(-9223372036854775808, 9223372036854775807) }}");
  const Template upper = parse_template("{{ randomInt(-1, 9223372036854775807) }}");
  for (int i = 0; i < 100; ++i) {
    const std::int64_t a = std::stoll(render(all, scope));
    const std::int64_t b = std::stoll(render(upper, scope));
    EXPECT_GE(b, -1);
    (void)a;  // any int64 is in range; rendering must not overflow
  }
}

TEST(Template, UuidsAreVersion4AndDistinct) {
  FixedScope scope;
  const Template t = parse_template("{{ uuid() }}");
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string id = render(t, scope);
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100U);
}

TEST(Template, NowFormats) {
  FixedScope scope;
  EXPECT_TRUE(std::regex_match(render(parse_template("{{ now() }}"), scope),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  const long long unix = std::stoll(render(parse_template(R"({{ now("unix") }})"), scope));
  EXPECT_GT(unix, 1700000000LL);
  const long long ms = std::stoll(render(parse_template(R"({{ now("unixms") }})"), scope));
  EXPECT_NEAR(static_cast<double>(ms) / 1000.0, static_cast<double>(unix), 2.0);
  EXPECT_TRUE(std::regex_match(render(parse_template(R"({{ now("%Y/%m/%d") }})"), scope),
                               std::regex(R"(\d{4}/\d\d/\d\d)")));
}

TEST(Template, EnvIsReadAtParseTime) {
  FixedScope scope;
  EXPECT_EQ(render(parse_template(R"(Bearer {{ env("TOKEN") }})"), scope), "Bearer s3cr\"et");
  EXPECT_TRUE(parse_template(R"({{ env("TOKEN") }})").constant());
  const TemplateError e = parse_error(R"(x {{ env("MISSING_ONE") }})");
  EXPECT_NE(e.message.find("MISSING_ONE is not set"), std::string::npos) << e.message;
  EXPECT_EQ(e.column, 5U) << "at env(";
}

// k6's __ENV.X || "d" and a shell's ${X-d}: the default replaces an unset variable only.
TEST(Template, EnvTakesADefaultForAnUnsetVariable) {
  EXPECT_EQ(parse_template(R"({{ env("UNSET_ONE", "2s") }})").constant_text(), "2s");
  EXPECT_EQ(parse_template(R"({{ env("TOKEN", "2s") }})").constant_text(), "s3cr\"et");
  EXPECT_EQ(parse_template(R"({{env('EMPTY','x')}})").constant_text(), "");
  EXPECT_EQ(parse_template(R"(<{{ env("UNSET_ONE", "") }}>)").constant_text(), "<>");
  EXPECT_NE(parse_error(R"({{ env("A", 2) }})").message.find("expected a quoted string"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({{ env("A", "b", "c") }})").message.find("expected ')'"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({{ env("A" "b") }})").message.find("')' or ',' and a default"),
            std::string::npos);
}

TEST(Template, WithoutAnEnvironmentEnvIsEmptyAndNeverAnError) {
  TemplateParseOptions options;  // the operator's validation
  auto result = parse_template(R"(a{{ env("ANYTHING") }}b)", options);
  ASSERT_TRUE(std::holds_alternative<Template>(result));
  EXPECT_EQ(std::get<Template>(result).constant_text(), "ab");
  result = parse_template(R"(a{{ env("ANYTHING", "-") }}b)", options);
  ASSERT_TRUE(std::holds_alternative<Template>(result));
  EXPECT_EQ(std::get<Template>(result).constant_text(), "a-b");
}

TEST(Template, EscapingFollowsWhereTheValueLands) {
  FixedScope scope;
  scope.values = {"a \"quoted\"\nline #1 ü"};
  TemplateBinding binding;
  binding.slot = [](const std::string&) -> std::optional<std::size_t> { return 0; };
  auto rendered = [&](TemplateEscape escape) {
    Template t = parse_template("<{{ v }}>", escape);
    bind_template(t, binding);
    return render(t, scope);
  };
  EXPECT_EQ(rendered(TemplateEscape::kNone), "<a \"quoted\"\nline #1 ü>");
  EXPECT_EQ(rendered(TemplateEscape::kJsonString), "<a \\\"quoted\\\"\\nline #1 ü>");
  EXPECT_EQ(rendered(TemplateEscape::kHeader), "<a \"quoted\" line #1 ü>");
  EXPECT_EQ(rendered(TemplateEscape::kPath), "<a%20\"quoted\"%0Aline%20%231%20%C3%BC>");
  // Constants from env() are escaped the same way as expressions.
  EXPECT_EQ(render(parse_template(R"({{ env("TOKEN") }})", TemplateEscape::kJsonString), scope),
            "s3cr\\\"et");
}

TEST(Template, UrlencodeEncodesEverythingButUnreserved) {
  FixedScope scope;
  scope.values = {"a b&c=d/é"};
  Template t = parse_template("/search?q={{ urlencode(q) }}");
  TemplateBinding binding;
  binding.slot = [](const std::string&) -> std::optional<std::size_t> { return 0; };
  ASSERT_EQ(bind_template(t, binding), std::nullopt);
  EXPECT_EQ(render(t, scope), "/search?q=a%20b%26c%3Dd%2F%C3%A9");
}

// Found by the template fuzz target: the inner urlencode rendered into the outer one's scratch
// buffer, appending to the string it was reading (a use after free once it grew).
TEST(Template, NestedUrlencodeEncodesTwice) {
  FixedScope scope;
  scope.values = {"a b/" + std::string(100, 'x')};
  for (TemplateEscape escape : {TemplateEscape::kNone, TemplateEscape::kPath}) {
    Template t = parse_template("{{ urlencode(urlencode(urlencode(q))) }}", escape);
    TemplateBinding binding;
    binding.slot = [](const std::string&) -> std::optional<std::size_t> { return 0; };
    ASSERT_EQ(bind_template(t, binding), std::nullopt);
    EXPECT_EQ(render(t, scope), "a%252520b%25252F" + std::string(100, 'x'));
  }
}

TEST(Template, NumericExpressions) {
  EXPECT_TRUE(parse_template("{{ randomInt(1, 5) }}").parts[0].expr->numeric());
  EXPECT_TRUE(parse_template("{{ seq() }}").parts[0].expr->numeric());
  EXPECT_TRUE(parse_template(R"({{ now("unixms") }})").parts[0].expr->numeric());
  EXPECT_FALSE(parse_template("{{ now() }}").parts[0].expr->numeric());
  EXPECT_FALSE(parse_template("{{ uuid() }}").parts[0].expr->numeric());
  EXPECT_FALSE(parse_template("{{ name }}").parts[0].expr->numeric());
}

TEST(Template, MistakesAreReportedWithTheirColumn) {
  struct Case {
    std::string text;
    std::size_t column;
    std::string message;
  };
  const std::vector<Case> cases{
      {"/a/{{ id", 3, "without a closing"},
      {"/a/{{ }}", 6, "expected a variable or function name"},
      {"{{ randomint(1, 2) }}", 3, "unknown function 'randomint'"},
      {"{{ randomInt(5, 1) }}", 13, "min is greater than max"},
      {"{{ randomInt(1) }}", 14, "expected ','"},
      {"{{ randomChoice() }}", 16, "expected a quoted string"},
      {"{{ uuid(1) }}", 8, "uuid() takes no arguments"},
      {"{{ a b }}", 5, "unexpected 'b'"},
      {"{{ \"open }}", 9, "unterminated string"},
      {"{{ randomInt }}", 13, "expected '('"},
  };
  for (const auto& c : cases) {
    const TemplateError e = parse_error(c.text);
    EXPECT_NE(e.message.find(c.message), std::string::npos) << c.text << ": " << e.message;
    EXPECT_EQ(e.column, c.column) << c.text << ": " << e.message;
  }
}

TEST(Template, AQuotedStringIsALiteral) {
  FixedScope scope;
  EXPECT_EQ(render(parse_template(R"(a{{ "{{" }}b)"), scope), "a{{b");
}

}  // namespace
}  // namespace stampede
