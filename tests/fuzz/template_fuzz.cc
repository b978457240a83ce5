// Templates (template_parser.cc, template.cc, template_render.cc): the first byte picks where
// the text lands (the escaping) and whether env() resolves; the rest is the template text. A
// parsed template is bound (some names unknown, some inlined as constants) and rendered with
// values full of the characters escaping exists for. Beyond "no crash": in a header no CR or
// LF, in a path no space, control byte or '#', in a JSON string no raw control byte, comes from
// anything but the literal text the user wrote.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/template.h"

namespace {

using namespace stampede;

constexpr std::array<std::string_view, 6> kValues = {
    "plain", "a b#c/d?e", "line\r\nInjected: 1", "quote\"back\\slash\t", "\x01\x7f\xc3\xa9\xff",
    ""};

class Scope final : public TemplateScope {
 public:
  explicit Scope(std::uint64_t seed) : state_(seed | 1) {}
  std::string_view variable(std::size_t slot) const override {
    return kValues[slot % kValues.size()];
  }
  std::uint64_t user_index() const override { return 7; }
  std::uint64_t iteration() const override { return 3; }
  std::uint32_t runner_index() const override { return 1; }
  std::uint32_t runner_count() const override { return 4; }
  std::uint64_t next_sequence() override { return sequence_++; }
  std::uint64_t random() override {  // xorshift64: deterministic, so crashes reproduce
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

 private:
  std::uint64_t state_;
  std::uint64_t sequence_ = 0;
};

// Whether `c` may only come from literal text under `escape`.
bool must_be_escaped(char c, TemplateEscape escape) {
  const auto u = static_cast<unsigned char>(c);
  switch (escape) {
    case TemplateEscape::kHeader:
      return c == '\r' || c == '\n';
    case TemplateEscape::kPath:
      return u <= 0x20 || u >= 0x7f || c == '#';
    case TemplateEscape::kJsonString:
      return u < 0x20;
    case TemplateEscape::kNone:
      return false;
  }
  return false;
}

bool literals_contain_escaped(const Template& t, TemplateEscape escape) {
  return std::any_of(t.parts.begin(), t.parts.end(), [&](const TemplatePart& p) {
    return !p.expr && std::any_of(p.literal.begin(), p.literal.end(),
                                  [&](char c) { return must_be_escaped(c, escape); });
  });
}

TemplateBinding binding(std::vector<std::string>* names) {
  TemplateBinding b;
  b.slot = [names](const std::string& name) -> std::optional<std::size_t> {
    if (name.starts_with("x")) return std::nullopt;  // an unknown variable
    auto it = std::find(names->begin(), names->end(), name);
    if (it == names->end()) it = names->insert(names->end(), name);
    return static_cast<std::size_t>(it - names->begin());
  };
  b.inline_value = [](const std::string& name) -> std::optional<std::string> {
    if (name.starts_with("k")) return std::string("const\r\n\"#\\ ") + name;  // a var
    return std::nullopt;
  };
  return b;
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  TemplateParseOptions options;
  options.escape = static_cast<TemplateEscape>(mode & 3);
  if (mode & 4) {
    options.getenv = [](const std::string& name) -> std::optional<std::string> {
      if (name == "UNSET") return std::nullopt;
      return "env\r\n\"" + name + "\" #";
    };
  }
  auto parsed = parse_template(text, options);
  if (auto* error = std::get_if<TemplateError>(&parsed)) {
    if (error->column > text.size()) __builtin_trap();  // the column must point into the text
    return 0;
  }
  Template& t = std::get<Template>(parsed);
  (void)t.variables();
  if (t.constant()) (void)t.constant_text();
  std::vector<std::string> names;
  if (bind_template(t, binding(&names))) return 0;  // an unknown variable, reported
  Scope scope(size * 0x9E3779B97F4A7C15ULL ^ mode);
  std::string out;
  render_template(t, scope, out);
  render_template(t, scope, out);  // again: scratch buffers are reused between renders
  if (!literals_contain_escaped(t, options.escape) &&
      std::any_of(out.begin(), out.end(),
                  [&](char c) { return must_be_escaped(c, options.escape); })) {
    __builtin_trap();  // an expression's output escaped its escaping
  }
  return 0;
}
