// Template-valued plan fields: `{{ }}` parsed with the field's position for errors, variables
// checked against what the step may use, vars inlined as constants.

#include <nlohmann/json.hpp>

#include "plan/plan_sections.h"
#include "plan/yaml_json.h"

namespace stampede::plan_sections {
namespace {

std::string known_list(const StepContext& context) {
  std::string text;
  for (const auto& [name, value] : context.constants) text += (text.empty() ? "" : ", ") + name;
  for (const auto& name : context.variables) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none: declare vars, data or extract them in an earlier step" : text;
}

// Inlines vars and checks every other variable is known; reports the first unknown one.
bool bind_to_context(YamlReader& reader, const YamlField& field, const StepContext& context,
                     Template* t) {
  TemplateBinding binding;
  binding.inline_value = [&](const std::string& name) -> std::optional<std::string> {
    auto it = context.constants.find(name);
    return it == context.constants.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  // Slots are assigned by the engine; here only whether the name exists matters.
  binding.slot = [&](const std::string& name) -> std::optional<std::size_t> {
    const std::size_t dot = name.find('.');
    const bool open = dot != std::string::npos && context.open_feeders.count(name.substr(0, dot));
    return open || context.variables.count(name) ? std::optional<std::size_t>(0) : std::nullopt;
  };
  if (std::optional<std::string> unknown = bind_template(*t, binding)) {
    reader.error(field, "unknown variable '" + *unknown + "' (known: " + known_list(context) + ")");
    return false;
  }
  return true;
}

std::optional<Template> parse_text(YamlReader& reader, const YamlField& field,
                                   const std::string& text, const StepContext& context,
                                   TemplateEscape escape) {
  auto parsed = parse_template(text, context.template_options(escape));
  if (const auto* error = std::get_if<TemplateError>(&parsed)) {
    reader.error(field, error->message + " (at column " + std::to_string(error->column + 1) +
                            " of '" + text + "')");
    return std::nullopt;
  }
  Template t = std::get<Template>(std::move(parsed));
  if (!bind_to_context(reader, field, context, &t)) return std::nullopt;
  return t;
}

// Appends a JSON value; strings may hold templates, JSON-escaped, and a string that is exactly
// one numeric expression becomes a JSON number.
bool append_json(YamlReader& reader, const YamlField& field, const nlohmann::ordered_json& value,
                 const StepContext& context, Template* out) {
  if (value.is_object() || value.is_array()) {
    out->append_literal(value.is_object() ? "{" : "[");
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out->append_literal(",");
      first = false;
      if (value.is_object()) out->append_literal(nlohmann::ordered_json(it.key()).dump() + ":");
      if (!append_json(reader, field, *it, context, out)) return false;
    }
    out->append_literal(value.is_object() ? "}" : "]");
    return true;
  }
  if (!value.is_string() || value.get_ref<const std::string&>().find("{{") == std::string::npos) {
    out->append_literal(value.dump());
    return true;
  }
  const auto& text = value.get_ref<const std::string&>();
  std::optional<Template> t = parse_text(reader, field, text, context, TemplateEscape::kJsonString);
  if (!t) return false;
  if (t->parts.size() == 1 && t->parts[0].expr && t->parts[0].expr->numeric()) {
    t->parts[0].escape = TemplateEscape::kNone;  // a number, unquoted
    out->append(*t);
    return true;
  }
  out->append_literal("\"");
  out->append(*t);
  out->append_literal("\"");
  return true;
}

}  // namespace

TemplateParseOptions StepContext::template_options(TemplateEscape escape) const {
  TemplateParseOptions t;
  t.escape = escape;
  if (options.runner_side) t.getenv = process_env;
  return t;
}

std::optional<Template> parse_template_field(YamlReader& reader, const YamlField& field,
                                             const StepContext& context, TemplateEscape escape) {
  if (!field.node.IsScalar()) {
    reader.error(field, "must be a string");
    return std::nullopt;
  }
  return parse_text(reader, field, field.node.Scalar(), context, escape);
}

std::optional<Template> parse_json_template(YamlReader& reader, const YamlField& field,
                                            const StepContext& context) {
  std::string error;
  std::optional<std::string> text = yaml_to_json_text(field.node, &error);
  if (!text) {
    reader.error(field, error);
    return std::nullopt;
  }
  Template out;
  if (!append_json(reader, field, nlohmann::ordered_json::parse(*text), context, &out)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace stampede::plan_sections
