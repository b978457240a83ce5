// What a step does with its response: `extract` (chaining), `checks` (k6 checks) and `metrics`
// (custom metrics). JSON pointers and regular expressions are checked here, at load time.

#include <nlohmann/json.hpp>
#include <regex>

#include "plan/duration.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

bool valid_pointer(YamlReader& reader, const YamlField& field, const std::string& pointer) {
  try {
    nlohmann::json::json_pointer parsed(pointer);
    (void)parsed;
    return true;
  } catch (const nlohmann::json::exception&) {
    reader.error(field,
                 "must be a JSON pointer such as /id or /items/0/name (got '" + pointer + "')");
    return false;
  }
}

bool valid_regex(YamlReader& reader, const YamlField& field, const std::string& pattern) {
  try {
    std::regex compiled(pattern, std::regex::ECMAScript);
    (void)compiled;
    return true;
  } catch (const std::regex_error& e) {
    reader.error(field, std::string("invalid regular expression: ") + e.what());
    return false;
  }
}

// {json: /ptr}, {header: Name} or {regex: pattern}: exactly one; `extra` keys are allowed too.
std::optional<ResponseSource> parse_source(YamlReader& reader, const YamlField& field,
                                           std::initializer_list<std::string_view> allowed) {
  if (!reader.check_map(field, allowed)) return std::nullopt;
  std::optional<ResponseSource> source;
  int found = 0;
  for (const auto& [key, kind] : {std::pair{"json", ResponseSource::Kind::kJson},
                                  std::pair{"header", ResponseSource::Kind::kHeader},
                                  std::pair{"regex", ResponseSource::Kind::kRegex}}) {
    std::optional<YamlField> value = reader.get(field, key);
    if (!value) continue;
    ++found;
    std::optional<std::string> text = reader.string(*value);
    if (!text) return std::nullopt;
    if (kind == ResponseSource::Kind::kJson && !valid_pointer(reader, *value, *text)) {
      return std::nullopt;
    }
    if (kind == ResponseSource::Kind::kRegex && !valid_regex(reader, *value, *text)) {
      return std::nullopt;
    }
    source = ResponseSource{kind, *text};
  }
  if (found != 1) {
    reader.error(field, "needs exactly one of json (a JSON pointer), header or regex");
    return std::nullopt;
  }
  return source;
}

std::string in_quotes(const std::string& text) {
  return "'" + text + "'";
}

// "< 500ms" or "<= 2s".
bool parse_duration_check(YamlReader& reader, const YamlField& field, Check* check) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return false;
  std::string_view rest = *text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.rfind("<=", 0) == 0) {
    check->op = Check::Op::kLessEqual;
    rest.remove_prefix(2);
  } else if (rest.rfind('<', 0) == 0) {
    check->op = Check::Op::kLess;
    rest.remove_prefix(1);
  } else {
    reader.error(field, "must be < DURATION or <= DURATION, e.g. \"< 500ms\"");
    return false;
  }
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::string error;
  std::optional<Duration> limit = parse_duration(rest, &error);
  if (!limit) {
    reader.error(field, "must be < DURATION or <= DURATION, e.g. \"< 500ms\"");
    return false;
  }
  check->subject = ResponseSource{ResponseSource::Kind::kDuration, ""};
  check->limit = *limit;
  check->name = "duration " + *text;
  return true;
}

// The operator of a json/header/body check: equals, matches, contains, oneOf, or exists.
bool parse_operator(YamlReader& reader, const YamlField& field, const StepContext& context,
                    Check* check, std::string* describe) {
  int ops = 0;
  if (auto v = reader.get(field, "equals")) {
    ++ops;
    auto t = parse_template_field(reader, *v, context, TemplateEscape::kNone);
    if (!t) return false;
    check->op = Check::Op::kEquals;
    check->expected = std::move(*t);
    *describe = "is " + v->node.Scalar();
  }
  if (auto v = reader.get(field, "matches")) {
    ++ops;
    std::optional<std::string> text = reader.string(*v);
    if (!text || !valid_regex(reader, *v, *text)) return false;
    check->op = Check::Op::kMatches;
    check->expected = Template(*text);
    *describe = "matches " + in_quotes(*text);
  }
  if (auto v = reader.get(field, "contains")) {
    ++ops;
    auto t = parse_template_field(reader, *v, context, TemplateEscape::kNone);
    if (!t) return false;
    check->op = Check::Op::kContains;
    check->expected = std::move(*t);
    *describe = "contains " + in_quotes(v->node.Scalar());
  }
  if (auto v = reader.get(field, "oneOf")) {
    ++ops;
    std::optional<std::vector<YamlField>> items = reader.list(*v);
    if (!items) return false;
    for (const YamlField& item : *items) {
      std::optional<std::string> text = reader.string(item);
      if (!text) return false;
      check->one_of.push_back(*text);
    }
    check->op = Check::Op::kOneOf;
    *describe = "is one of the " + std::to_string(check->one_of.size()) + " values";
  }
  if (auto v = reader.get(field, "exists")) {
    ++ops;
    if (!reader.boolean(*v).value_or(false)) {
      reader.error(*v, "must be true (a check that something is absent is not supported)");
      return false;
    }
  }
  if (ops > 1) {
    reader.error(field, "at most one of equals, matches, contains, oneOf or exists");
    return false;
  }
  if (ops == 0) {
    check->op = Check::Op::kExists;
    *describe = "exists";
  }
  return true;
}

}  // namespace

std::optional<Check> parse_check(YamlReader& reader, const YamlField& field,
                                 const StepContext& context) {
  if (!reader.check_map(field, {"name", "status", "json", "header", "body", "duration", "equals",
                                "matches", "contains", "oneOf", "exists"})) {
    return std::nullopt;
  }
  Check check;
  std::string subject;
  std::string describe;
  int subjects = 0;
  if (auto v = reader.get(field, "status")) {
    ++subjects;
    std::optional<StatusSet> set = parse_statuses(reader, *v);
    if (!set) return std::nullopt;
    check.subject = ResponseSource{ResponseSource::Kind::kStatus, ""};
    check.statuses = *set;
    check.op = Check::Op::kOneOf;
    check.name =
        "status is " + (v->node.IsSequence() ? std::string("one of the listed") : v->node.Scalar());
  }
  if (auto v = reader.get(field, "duration")) {
    ++subjects;
    if (!parse_duration_check(reader, *v, &check)) return std::nullopt;
  }
  for (const auto& [key, kind] : {std::pair{"json", ResponseSource::Kind::kJson},
                                  std::pair{"header", ResponseSource::Kind::kHeader},
                                  std::pair{"body", ResponseSource::Kind::kBody}}) {
    std::optional<YamlField> v = reader.get(field, key);
    if (!v) continue;
    ++subjects;
    std::string path;
    if (kind == ResponseSource::Kind::kBody) {
      if (!reader.boolean(*v).value_or(false)) {
        reader.error(*v, "must be true (body: true, with contains or matches)");
        return std::nullopt;
      }
      subject = "body";
    } else {
      std::optional<std::string> text = reader.string(*v);
      if (!text) return std::nullopt;
      if (kind == ResponseSource::Kind::kJson && !valid_pointer(reader, *v, *text)) {
        return std::nullopt;
      }
      path = *text;
      subject = std::string(key) + " " + *text;
    }
    check.subject = ResponseSource{kind, path};
    if (!parse_operator(reader, field, context, &check, &describe)) return std::nullopt;
    check.name = subject;
    check.name.append(" ").append(describe);
  }
  if (subjects != 1) {
    reader.error(field, "needs exactly one of status, json, header, body or duration");
    return std::nullopt;
  }
  if (auto name = reader.get(field, "name")) {
    std::optional<std::string> text = reader.string(*name);
    if (!text || text->empty()) {
      if (text) reader.error(*name, "must not be empty");
      return std::nullopt;
    }
    check.name = *text;
  }
  return check;
}

namespace {

// Registers a custom metric in the plan, or finds it: one name, one kind and unit.
std::optional<std::size_t> register_metric(YamlReader& reader, const YamlField& field,
                                           StepContext& context, const CustomMetricDef& def) {
  auto& metrics = *context.metrics;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i].name != def.name) continue;
    if (metrics[i].kind != def.kind || metrics[i].unit != def.unit) {
      reader.error(field, "metric '" + def.name +
                              "' is declared elsewhere with another kind or "
                              "unit");
      return std::nullopt;
    }
    return i;
  }
  metrics.push_back(def);
  return metrics.size() - 1;
}

bool valid_metric_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::optional<StatusSet> parse_statuses(YamlReader& reader, const YamlField& field) {
  std::vector<YamlField> items = {field};
  if (field.node.IsSequence()) {
    std::optional<std::vector<YamlField>> list = reader.list(field);
    if (!list) return std::nullopt;
    items = *list;
  }
  StatusSet set;
  bool ok = true;
  for (const YamlField& item : items) {
    if (!item.node.IsScalar() || !add_status(item.node.Scalar(), &set)) {
      reader.error(item,
                   "must be a status code 100-999, a class such as 2xx or a range such as "
                   "200-299");
      ok = false;
    }
  }
  return ok ? std::optional<StatusSet>(set) : std::nullopt;
}

void parse_extract(YamlReader& reader, const YamlField& field, HttpStep* step) {
  if (!reader.check_map(field)) return;
  for (const YamlReader::Entry& e : YamlReader::entries(field)) {
    if (!valid_metric_name(e.key)) {
      reader.error(e.key_field, "a variable name is letters, digits and _ (got '" + e.key + "')");
      continue;
    }
    std::optional<ResponseSource> source =
        parse_source(reader, e.value, {"json", "header", "regex", "default"});
    if (!source) continue;
    Extractor extractor{e.key, *source, std::nullopt};
    if (auto fallback = reader.get(e.value, "default")) {
      extractor.fallback = reader.string(*fallback);
    }
    step->extract.push_back(std::move(extractor));
  }
}

void parse_checks(YamlReader& reader, const YamlField& field, const StepContext& context,
                  HttpStep* step) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return;
  for (const YamlField& item : *items) {
    std::optional<Check> check = parse_check(reader, item, context);
    if (!check) continue;
    const bool duplicate = std::any_of(step->checks.begin(), step->checks.end(),
                                       [&](const Check& c) { return c.name == check->name; });
    if (duplicate) {
      reader.error(item, "two checks named '" + check->name + "' (give one a name)");
      continue;
    }
    step->checks.push_back(std::move(*check));
  }
}

void parse_metrics(YamlReader& reader, const YamlField& field, StepContext& context,
                   HttpStep* step) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return;
  for (const YamlField& item : *items) {
    if (!reader.check_map(item, {"name", "trend", "counter", "unit", "by"})) continue;
    std::optional<YamlField> name = reader.get(item, "name");
    std::optional<std::string> text = name ? reader.string(*name) : std::nullopt;
    if (!name) reader.error(YamlReader::absent(item, "name"), "required");
    if (!text) continue;
    if (!valid_metric_name(*text)) {
      reader.error(*name, "a metric name is letters, digits and _ (got '" + *text + "')");
      continue;
    }
    std::optional<YamlField> trend = reader.get(item, "trend");
    std::optional<YamlField> counter = reader.get(item, "counter");
    if (trend.has_value() == counter.has_value()) {
      reader.error(item, "needs exactly one of trend or counter");
      continue;
    }
    CustomMetricDef def{
        *text, trend ? CustomMetricDef::Kind::kTrend : CustomMetricDef::Kind::kCounter, ""};
    if (auto unit = reader.get(item, "unit")) {
      std::optional<std::string> u = reader.string(*unit);
      if (u && *u != "ms" && *u != "s" && *u != "none") {
        reader.error(*unit, "must be ms, s or none");
        continue;
      }
      if (u && *u != "none") def.unit = *u;
      if (counter) reader.warning(*unit, "ignored: a counter counts responses");
    }
    MetricCapture capture;
    if (trend) {
      auto source = parse_source(reader, *trend, {"json", "header", "regex"});
      if (!source) continue;
      capture.value = *source;
    } else if (!(counter->node.IsScalar() && counter->node.Scalar() == "true")) {
      // `counter: {json: /provider}` counts per value of that field.
      auto source = parse_source(reader, *counter, {"json", "header", "regex"});
      if (!source) continue;
      capture.by = *source;
    }
    if (auto by = reader.get(item, "by")) {
      if (capture.by) {
        reader.error(*by, "not allowed: the counter's own source is its value tag");
        continue;
      }
      capture.by = parse_source(reader, *by, {"json", "header", "regex"});
      if (!capture.by) continue;
    }
    std::optional<std::size_t> index = register_metric(reader, *name, context, def);
    if (!index) continue;
    capture.metric = *index;
    step->metrics.push_back(std::move(capture));
  }
}

}  // namespace stampede::plan_sections
