#include "plan/template.h"

#include <algorithm>
#include <cstdlib>

namespace stampede {

bool TemplateExpr::numeric() const {
  switch (func) {
    case TemplateFunc::kRandomInt:
    case TemplateFunc::kSequence:
    case TemplateFunc::kUserIndex:
    case TemplateFunc::kRunnerIndex:
    case TemplateFunc::kRunnerCount:
    case TemplateFunc::kIteration:
      return true;
    case TemplateFunc::kNow:
      return format == "unix" || format == "unixms";
    default:
      return false;
  }
}

Template::Template(const std::string& literal) {
  append_literal(literal);
}

bool Template::constant() const {
  return std::none_of(parts.begin(), parts.end(), [](const auto& p) { return p.expr.has_value(); });
}

std::string Template::constant_text() const {
  std::string text;
  for (const auto& p : parts) text += p.literal;
  return text;
}

std::vector<std::string> Template::variables() const {
  std::vector<std::string> names;
  auto collect = [&](const TemplateExpr& e, const auto& self) -> void {
    if (e.func == TemplateFunc::kVariable) names.push_back(e.name);
    for (const auto& a : e.args) self(a, self);
  };
  for (const auto& p : parts) {
    if (p.expr) collect(*p.expr, collect);
  }
  return names;
}

void Template::append_literal(std::string_view text) {
  if (text.empty()) return;
  if (!parts.empty() && !parts.back().expr) {
    parts.back().literal.append(text);
  } else {
    parts.push_back(TemplatePart{std::string(text), std::nullopt, TemplateEscape::kNone});
  }
}

void Template::append(const Template& other) {
  for (const auto& p : other.parts) {
    if (p.expr) {
      parts.push_back(p);
    } else {
      append_literal(p.literal);
    }
  }
}

namespace {

// Variables become slots or, for constants, literal text.
std::optional<std::string> bind_expr(TemplateExpr& e, const TemplateBinding& binding,
                                     std::optional<std::string>* inlined) {
  for (auto& a : e.args) {
    std::optional<std::string> inner;
    if (auto error = bind_expr(a, binding, &inner)) return error;
    if (inner) return "urlencode of a constant variable (" + a.name + "): encode it by hand";
  }
  if (e.func != TemplateFunc::kVariable) return std::nullopt;
  if (binding.inline_value) {
    if (std::optional<std::string> value = binding.inline_value(e.name)) {
      *inlined = std::move(value);
      return std::nullopt;
    }
  }
  std::optional<std::size_t> slot = binding.slot ? binding.slot(e.name) : std::nullopt;
  if (!slot) return e.name;
  e.slot = *slot;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> bind_template(Template& t, const TemplateBinding& binding) {
  Template bound;
  for (auto& p : t.parts) {
    if (!p.expr) {
      bound.append_literal(p.literal);
      continue;
    }
    std::optional<std::string> inlined;
    if (auto unknown = bind_expr(*p.expr, binding, &inlined)) return unknown;
    if (inlined) {
      std::string escaped;
      append_escaped(escaped, *inlined, p.escape);
      bound.append_literal(escaped);
    } else {
      bound.parts.push_back(std::move(p));
    }
  }
  t = std::move(bound);
  return std::nullopt;
}

void append_escaped(std::string& out, std::string_view value, TemplateEscape escape) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  switch (escape) {
    case TemplateEscape::kNone:
      out.append(value);
      return;
    case TemplateEscape::kHeader:
      for (const char c : value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
      return;
    case TemplateEscape::kPath:
      for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '#') {
          out.push_back('%');
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 15]);
        } else {
          out.push_back(c);
        }
      }
      return;
    case TemplateEscape::kJsonString:
      for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
          out.push_back('\\');
          out.push_back(c);
        } else if (c == '\n') {
          out.append("\\n");
        } else if (c == '\r') {
          out.append("\\r");
        } else if (c == '\t') {
          out.append("\\t");
        } else if (u < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 15]);
        } else {
          out.push_back(c);
        }
      }
      return;
  }
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

}  // namespace stampede
