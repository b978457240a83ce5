// One step of a task: an HTTP request written as `method` + `path` or as `get: /path` (a
// WebSocket session, `ws: /path`, is read by ws_step_parser.cc).

#include <algorithm>
#include <array>

#include "base/text.h"
#include "plan/plan_sections.h"
#include "plan/yaml_json.h"

namespace stampede::plan_sections {
namespace {

constexpr std::array<std::string_view, 7> kMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                      "DELETE", "HEAD", "OPTIONS"};
constexpr std::array<std::string_view, 7> kShorthands = {"get",    "post", "put",    "patch",
                                                         "delete", "head", "options"};
std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

void parse_method(YamlReader& reader, const YamlField& field, HttpStep* step) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return;
  const std::string method = upper(*text);
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    reader.error(
        field, "unknown method '" + *text + "' (use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)");
    return;
  }
  step->method = method;
}

}  // namespace

// The path goes into the request line as written, so its literal text must already be encoded;
// template output is percent-encoded where it would break the request line.
void parse_step_path(YamlReader& reader, const YamlField& field, const StepContext& context,
                     HttpStep* step) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return;
  std::optional<Template> t = parse_template_field(reader, field, context, TemplateEscape::kPath);
  if (!t) return;
  std::string literal_text;
  for (const auto& part : t->parts) literal_text += part.literal;
  if (text->empty() || text->front() != '/') {
    reader.error(field, "must start with /");
  } else if (std::any_of(literal_text.begin(), literal_text.end(),
                         [](unsigned char c) { return c <= 0x20 || c >= 0x7f; })) {
    reader.error(field,
                 "must not contain spaces, control or non-ASCII characters (percent-encode them, "
                 "e.g. %20)");
  } else if (literal_text.find('#') != std::string::npos) {
    reader.error(field, "must not contain a fragment (#...); it is never sent");
  } else {
    step->path = *text;
    step->path_template = std::move(*t);
  }
}

namespace {

// `method` + `path`, or exactly one shorthand such as `get: /path`.
void parse_request_line(YamlReader& reader, const YamlField& field, const StepContext& context,
                        HttpStep* step) {
  std::vector<std::pair<std::string_view, YamlField>> shorthands;
  for (std::string_view name : kShorthands) {
    if (std::optional<YamlField> value = reader.get(field, name))
      shorthands.emplace_back(name, *value);
  }
  std::optional<YamlField> method = reader.get(field, "method");
  std::optional<YamlField> path = reader.get(field, "path");
  if (shorthands.size() > 1) {
    reader.error(shorthands[1].second,
                 "only one of get, post, put, patch, delete, head or options per step");
  } else if (shorthands.size() == 1 && (method || path)) {
    reader.error(method ? *method : *path, "not allowed with the `" +
                                               std::string(shorthands[0].first) +
                                               ":` shorthand (use one form)");
  } else if (shorthands.size() == 1) {
    step->method = upper(std::string(shorthands[0].first));
    parse_step_path(reader, shorthands[0].second, context, step);
  } else {
    if (method) parse_method(reader, *method, step);
    if (path) {
      parse_step_path(reader, *path, context, step);
    } else {
      reader.error(YamlReader::absent(field, "path"),
                   "required (or use a shorthand such as `get: /path`)");
    }
  }
}

void parse_body(YamlReader& reader, const YamlField& field, const StepContext& context,
                HttpStep* step) {
  std::optional<YamlField> body = reader.get(field, "body");
  std::optional<YamlField> json = reader.get(field, "json");
  if (body && json) {
    reader.error(*json, "not allowed with body (use one)");
  } else if (body) {
    if (!body->node.IsScalar()) {
      reader.error(*body, "must be a string (use json: for structured bodies)");
      return;
    }
    std::optional<Template> t = parse_template_field(reader, *body, context, TemplateEscape::kNone);
    if (!t) return;
    step->body = body->node.Scalar();
    step->body_template = std::move(*t);
  } else if (json) {
    std::optional<Template> t = parse_json_template(reader, *json, context);
    if (!t) return;
    step->body = t->constant() ? t->constant_text() : "";
    step->body_template = std::move(*t);
    const bool has_type =
        std::any_of(step->headers.begin(), step->headers.end(),
                    [](const Header& h) { return ascii_lower(h.name) == "content-type"; });
    if (!has_type) step->content_type = "application/json";
  }
}

void parse_expect(YamlReader& reader, const YamlField& field, HttpStep* step) {
  if (!reader.check_map(field, {"status"})) return;
  std::optional<YamlField> status = reader.get(field, "status");
  if (!status) return;
  if (std::optional<StatusSet> set = parse_statuses(reader, *status)) step->expect_status = *set;
}

}  // namespace

// Header values are templates (CR and LF in their output become spaces).
void parse_header_templates(YamlReader& reader, const YamlField& field, const StepContext& context,
                            HttpStep* step) {
  step->headers = parse_headers(reader, field);
  for (const Header& h : step->headers) {
    std::optional<YamlField> value = reader.get(field, h.name);
    std::optional<Template> t =
        value ? parse_template_field(reader, *value, context, TemplateEscape::kHeader)
              : std::nullopt;
    step->header_templates.push_back(t ? std::move(*t) : Template(h.value));
  }
}

// The request name keys a statistics row: it must not change from request to request.
void parse_step_name(YamlReader& reader, const YamlField& field, const StepContext& context,
                     HttpStep* step) {
  std::optional<Template> t = parse_template_field(reader, field, context, TemplateEscape::kNone);
  if (!t) return;
  if (!t->constant()) {
    reader.error(field,
                 "a request name is a statistics row and cannot change per request: use only "
                 "vars in it (e.g. name: /plans/{id})");
    return;
  }
  step->name = t->constant_text();
}

namespace {

bool is_code(const std::string& text, int* code) {
  if (text.size() != 3 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *code = std::stoi(text);
  return *code >= 100;
}

}  // namespace

bool add_status(const std::string& text, StatusSet* set) {
  int first = 0;
  int last = 0;
  if (is_code(text, &first)) {
    set->add(first);
    return true;
  }
  if (text.size() == 3 && text[0] >= '1' && text[0] <= '9' && ascii_lower(text.substr(1)) == "xx") {
    set->add_range((text[0] - '0') * 100, (text[0] - '0') * 100 + 99);
    return true;
  }
  const std::size_t dash = text.find('-');
  if (dash == std::string::npos || !is_code(text.substr(0, dash), &first) ||
      !is_code(text.substr(dash + 1), &last) || first > last) {
    return false;
  }
  set->add_range(first, last);
  return true;
}

std::optional<Step> parse_step(YamlReader& reader, const YamlField& field, StepContext& context) {
  if (reader.is_map(field) && reader.has(field, "ws")) return parse_ws_step(reader, field, context);
  if (!reader.check_map(field,
                        {"method",  "path",    "get",     "post",  "put",     "patch", "delete",
                         "head",    "options", "headers", "body",  "json",    "name",  "expect",
                         "extract", "checks",  "auth",    "retry", "metrics", "stream"})) {
    return std::nullopt;
  }
  const std::size_t errors_before = reader.error_count();
  HttpStep step;
  parse_request_line(reader, field, context, &step);
  if (std::optional<YamlField> headers = reader.get(field, "headers")) {
    parse_header_templates(reader, *headers, context, &step);
  }
  parse_body(reader, field, context, &step);
  step.name = step.path;
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    parse_step_name(reader, *name, context, &step);
  }
  if (std::optional<YamlField> expect = reader.get(field, "expect")) {
    parse_expect(reader, *expect, &step);
  }
  step.auth = context.auth;
  if (std::optional<YamlField> auth = reader.get(field, "auth")) {
    step.auth = parse_auth(reader, *auth, context);
  }
  step.retry = context.retry;
  if (std::optional<YamlField> retry = reader.get(field, "retry")) {
    step.retry = parse_retry(reader, *retry);
  }
  if (std::optional<YamlField> checks = reader.get(field, "checks")) {
    parse_checks(reader, *checks, context, &step);
  }
  if (std::optional<YamlField> metrics = reader.get(field, "metrics")) {
    parse_metrics(reader, *metrics, context, &step);
  }
  if (std::optional<YamlField> stream = reader.get(field, "stream")) {
    parse_stream(reader, *stream, &step);
  }
  // Extracted variables are usable from the next step of the task on.
  if (std::optional<YamlField> extract = reader.get(field, "extract")) {
    parse_extract(reader, *extract, &step);
    for (const Extractor& e : step.extract) context.variables.insert(e.variable);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return step;
}

}  // namespace stampede::plan_sections
