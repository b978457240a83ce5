#pragma once
// `{{ expr }}` templates in paths, headers, bodies, auth fields and names. Parsed once at load
// time into literal text and expressions; rendering appends to a caller's buffer, so a user that
// reuses its buffers renders without allocating.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace stampede {

enum class TemplateFunc : std::uint8_t {
  kVariable,      // name: a var, a data column (feeder.column) or an extracted value
  kRandomInt,     // randomInt(min, max), inclusive
  kRandomChoice,  // randomChoice("a", "b", ...)
  kUuid,          // uuid(): random, version 4
  kSequence,      // seq(): unique across users, threads and runners
  kNow,           // now(), now("unix"), now("unixms"), now("%Y-%m-%d")
  kUserIndex,     // userIndex
  kRunnerIndex,   // runnerIndex
  kRunnerCount,   // runnerCount
  kIteration,     // iteration: the user's iteration count
  kUrlEncode,     // urlencode(expr)
};

struct TemplateExpr {
  TemplateFunc func = TemplateFunc::kVariable;
  std::string name;                  // kVariable
  std::size_t slot = 0;              // kVariable, once bound (bind_template)
  std::int64_t min = 0;              // kRandomInt
  std::int64_t max = 0;              // kRandomInt
  std::vector<std::string> choices;  // kRandomChoice
  std::string format;                // kNow: "" (RFC 3339, ms), "unix", "unixms" or strftime
  std::vector<TemplateExpr> args;    // kUrlEncode: exactly one

  // Values that are always integers (a JSON body may take them as numbers).
  bool numeric() const;
};

// How expression output is made safe for where it lands; literal text is never changed.
enum class TemplateEscape : std::uint8_t {
  kNone,        // bodies, names, auth fields
  kJsonString,  // inside a JSON string: quotes, backslashes and control characters escaped
  kPath,        // request path: space, controls, non-ASCII and '#' percent-encoded
  kHeader,      // header value: CR and LF become spaces (no header injection)
};

struct TemplatePart {
  std::string literal;               // when expr is empty
  std::optional<TemplateExpr> expr;  // an expression, rendered with `escape`
  TemplateEscape escape = TemplateEscape::kNone;
};

class Template {
 public:
  Template() = default;
  explicit Template(const std::string& literal);

  std::vector<TemplatePart> parts;

  bool constant() const;              // no expressions
  std::string constant_text() const;  // the literal text of a constant template
  // Names of every variable referred to (kVariable), in order of appearance, with repeats.
  std::vector<std::string> variables() const;
  // Appends `other`'s parts (merging adjacent literals).
  void append(const Template& other);
  void append_literal(std::string_view text);
};

struct TemplateError {
  std::size_t column = 0;  // 0-based offset into the text where the problem is
  std::string message;
};

struct TemplateParseOptions {
  // env("NAME") is resolved while parsing (it never changes during a run). Unset: the
  // operator's validation, which must not read the operator's own environment: env() then
  // renders as an empty string and is never an error.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  TemplateEscape escape = TemplateEscape::kNone;  // for every expression of this text
  // Appended to "environment variable X is not set" (where the variables come from).
  std::string unset_env_hint;
};

// env() as a run reads it: this process's environment (TemplateParseOptions::getenv).
std::optional<std::string> process_env(const std::string& name);

// Parses the `{{ ... }}` expressions of `text`. Text without "{{" is one literal part.
std::variant<Template, TemplateError> parse_template(std::string_view text,
                                                     const TemplateParseOptions& options);

// Resolves variable names to slots. `resolve` returns nullopt for an unknown name; the error
// names the first unknown variable. Constant variables can be inlined by returning a literal:
// see bind_template's `inline_value`.
struct TemplateBinding {
  std::function<std::optional<std::size_t>(const std::string&)> slot;
  // When it returns a value, the variable becomes that literal text (vars are constants).
  std::function<std::optional<std::string>(const std::string&)> inline_value;
};
std::optional<std::string> bind_template(Template& t, const TemplateBinding& binding);

// What rendering needs from the user that renders.
class TemplateScope {
 public:
  virtual std::string_view variable(std::size_t slot) const = 0;
  virtual std::uint64_t user_index() const = 0;
  virtual std::uint64_t iteration() const = 0;
  virtual std::uint32_t runner_index() const = 0;
  virtual std::uint32_t runner_count() const = 0;
  virtual std::uint64_t next_sequence() = 0;
  virtual std::uint64_t random() = 0;  // 64 uniformly random bits

 protected:
  ~TemplateScope() = default;
};

// Appends the rendered text to `out`.
void render_template(const Template& t, TemplateScope& scope, std::string& out);

// Appends `value` to `out`, made safe for `escape` (see TemplateEscape).
void append_escaped(std::string& out, std::string_view value, TemplateEscape escape);

}  // namespace stampede
