// One step of a task: an HTTP request written as `method` + `path` or as `get: /path`.

#include <algorithm>
#include <array>

#include "model/plan_sections.h"
#include "model/yaml_json.h"

namespace stampede::plan_sections {
namespace {

constexpr std::array<std::string_view, 7> kMethods = {"GET",    "POST", "PUT",    "PATCH",
                                                      "DELETE", "HEAD", "OPTIONS"};
constexpr std::array<std::string_view, 7> kShorthands = {"get",    "post", "put",    "patch",
                                                         "delete", "head", "options"};
constexpr const char* kStatusForms =
    "must be a status code 100-999, a class such as 2xx or a range such as 200-299";

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
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

// The path goes into the request line as written, so it must already be encoded.
void parse_path(YamlReader& reader, const YamlField& field, HttpStep* step) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return;
  if (text->empty() || text->front() != '/') {
    reader.error(field, "must start with /");
  } else if (std::any_of(text->begin(), text->end(),
                         [](unsigned char c) { return c <= 0x20 || c >= 0x7f; })) {
    reader.error(field,
                 "must not contain spaces, control or non-ASCII characters (percent-encode them, "
                 "e.g. %20)");
  } else if (text->find('#') != std::string::npos) {
    reader.error(field, "must not contain a fragment (#...); it is never sent");
  } else {
    step->path = *text;
  }
}

// `method` + `path`, or exactly one shorthand such as `get: /path`.
void parse_request_line(YamlReader& reader, const YamlField& field, HttpStep* step) {
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
    parse_path(reader, shorthands[0].second, step);
  } else {
    if (method) parse_method(reader, *method, step);
    if (path) {
      parse_path(reader, *path, step);
    } else {
      reader.error(YamlReader::absent(field, "path"),
                   "required (or use a shorthand such as `get: /path`)");
    }
  }
}

void parse_body(YamlReader& reader, const YamlField& field, HttpStep* step) {
  std::optional<YamlField> body = reader.get(field, "body");
  std::optional<YamlField> json = reader.get(field, "json");
  if (body && json) {
    reader.error(*json, "not allowed with body (use one)");
  } else if (body) {
    if (!body->node.IsScalar()) {
      reader.error(*body, "must be a string (use json: for structured bodies)");
    } else {
      step->body = body->node.Scalar();
    }
  } else if (json) {
    std::string error;
    std::optional<std::string> text = yaml_to_json_text(json->node, &error);
    if (!text) {
      reader.error(*json, error);
      return;
    }
    step->body = *text;
    const bool has_type =
        std::any_of(step->headers.begin(), step->headers.end(),
                    [](const Header& h) { return lower(h.name) == "content-type"; });
    if (!has_type) step->content_type = "application/json";
  }
}

bool is_code(const std::string& text, int* code) {
  if (text.size() != 3 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *code = std::stoi(text);
  return *code >= 100;
}

// 200, "2xx" or "200-299" into *set; false when malformed.
bool add_status(const std::string& text, StatusSet* set) {
  int first = 0;
  int last = 0;
  if (is_code(text, &first)) {
    set->add(first);
    return true;
  }
  if (text.size() == 3 && text[0] >= '1' && text[0] <= '9' && lower(text.substr(1)) == "xx") {
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

void parse_expect(YamlReader& reader, const YamlField& field, HttpStep* step) {
  if (!reader.check_map(field, {"status"})) return;
  std::optional<YamlField> status = reader.get(field, "status");
  if (!status) return;
  std::vector<YamlField> items = {*status};
  if (status->node.IsSequence()) {
    std::optional<std::vector<YamlField>> list = reader.list(*status);
    if (!list) return;
    items = *list;
  }
  StatusSet set;
  bool ok = true;
  for (const YamlField& item : items) {
    if (!item.node.IsScalar() || !add_status(item.node.Scalar(), &set)) {
      reader.error(item, kStatusForms);
      ok = false;
    }
  }
  if (ok) step->expect_status = set;
}

}  // namespace

std::optional<Step> parse_step(YamlReader& reader, const YamlField& field) {
  if (!reader.check_map(field, {"method", "path", "get", "post", "put", "patch", "delete", "head",
                                "options", "headers", "body", "json", "name", "expect"})) {
    return std::nullopt;
  }
  const std::size_t errors_before = reader.error_count();
  HttpStep step;
  parse_request_line(reader, field, &step);
  if (std::optional<YamlField> headers = reader.get(field, "headers")) {
    step.headers = parse_headers(reader, *headers);
  }
  parse_body(reader, field, &step);
  step.name = step.path;
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    if (std::optional<std::string> text = reader.string(*name)) step.name = *text;
  }
  if (std::optional<YamlField> expect = reader.get(field, "expect")) {
    parse_expect(reader, *expect, &step);
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return step;
}

}  // namespace stampede::plan_sections
