// `vars`, `data` and the target's `auth` and `retry`: what every step of the plan starts from.

#include <filesystem>

#include "plan/data_file.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

bool identifier(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// vars are constants: env() and literals, rendered once now.
void parse_vars(YamlReader& reader, const YamlField& field, StepContext& context, Plan* plan) {
  if (!reader.check_map(field)) return;
  for (const YamlReader::Entry& e : YamlReader::entries(field)) {
    if (!identifier(e.key)) {
      reader.error(e.key_field, "a variable name is letters, digits and _ (got '" + e.key + "')");
      continue;
    }
    std::optional<Template> t =
        parse_template_field(reader, e.value, context, TemplateEscape::kNone);
    if (!t) continue;
    if (!t->constant()) {
      reader.error(e.value, "vars are constants: only env(\"NAME\"), other vars and text");
      continue;
    }
    context.constants[e.key] = t->constant_text();
    plan->vars.emplace_back(e.key, t->constant_text());
  }
}

// `values: [a, b]` (column "value") or `values: [{k: v}, ...]` (columns from the keys).
bool parse_inline_rows(YamlReader& reader, const YamlField& field, DataSource* source) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return false;
  for (const YamlField& item : *items) {
    if (item.node.IsScalar()) {
      if (source->columns.empty()) source->columns = {"value"};
      if (source->columns != std::vector<std::string>{"value"}) {
        reader.error(item, "mixes plain values and maps");
        return false;
      }
      source->rows.push_back({item.node.Scalar()});
      continue;
    }
    if (!reader.check_map(item)) return false;
    std::vector<std::string> row(source->columns.size());
    for (const YamlReader::Entry& e : YamlReader::entries(item)) {
      auto it = std::find(source->columns.begin(), source->columns.end(), e.key);
      if (it == source->columns.end()) {
        source->columns.push_back(e.key);
        for (auto& r : source->rows) r.emplace_back();
        row.emplace_back();
        it = source->columns.end() - 1;
      }
      std::optional<std::string> text = reader.string(e.value);
      if (!text) return false;
      row[static_cast<std::size_t>(it - source->columns.begin())] = *text;
    }
    source->rows.push_back(std::move(row));
  }
  return true;
}

void parse_feeder(YamlReader& reader, const YamlReader::Entry& e, StepContext& context,
                  Plan* plan) {
  if (!identifier(e.key)) {
    reader.error(e.key_field, "a data name is letters, digits and _ (got '" + e.key + "')");
    return;
  }
  if (!reader.check_map(e.value, {"file", "values", "order"})) return;
  DataSource source;
  source.name = e.key;
  if (std::optional<YamlField> order = reader.get(e.value, "order")) {
    std::optional<std::string> text = reader.string(*order);
    if (!text) return;
    if (*text == "sequential") {
      source.order = DataSource::Order::kSequential;
    } else if (*text == "random") {
      source.order = DataSource::Order::kRandom;
    } else if (*text == "unique") {
      source.order = DataSource::Order::kUnique;
    } else {
      reader.error(*order, "must be sequential, random or unique");
      return;
    }
  }
  std::optional<YamlField> file = reader.get(e.value, "file");
  std::optional<YamlField> values = reader.get(e.value, "values");
  if (file.has_value() == values.has_value()) {
    reader.error(e.value, "needs exactly one of file or values");
    return;
  }
  if (values) {
    if (!parse_inline_rows(reader, *values, &source)) return;
  } else {
    std::optional<std::string> path = reader.string(*file);
    if (!path) return;
    if (!context.options.runner_side) {
      context.open_feeders.insert(e.key);
      plan->data.push_back(std::move(source));
      return;
    }
    std::filesystem::path full(*path);
    if (full.is_relative() && !context.options.base_dir.empty()) {
      full = std::filesystem::path(context.options.base_dir) / full;
    }
    std::string error;
    if (!load_data_file(full.string(), &source, &error)) {
      reader.error(*file, error);
      return;
    }
  }
  for (const std::string& column : source.columns) context.variables.insert(e.key + "." + column);
  plan->data.push_back(std::move(source));
}

}  // namespace

StepContext parse_step_context(YamlReader& reader, const YamlField& body,
                               const ParseOptions& options, Plan* plan) {
  StepContext context;
  context.options = options;
  context.metrics = &plan->metrics;
  if (std::optional<YamlField> vars = reader.get(body, "vars")) {
    parse_vars(reader, *vars, context, plan);
  }
  if (std::optional<YamlField> data = reader.get(body, "data")) {
    if (reader.check_map(*data)) {
      for (const YamlReader::Entry& e : YamlReader::entries(*data)) {
        parse_feeder(reader, e, context, plan);
      }
    }
  }
  std::optional<YamlField> target = reader.get(body, "target");
  if (target && target->node.IsMap()) {
    if (std::optional<YamlField> auth = reader.get(*target, "auth")) {
      context.auth = parse_auth(reader, *auth, context);
    }
    if (std::optional<YamlField> retry = reader.get(*target, "retry")) {
      context.retry = parse_retry(reader, *retry);
    }
  }
  return context;
}

}  // namespace stampede::plan_sections
