// The `thresholds` section: selector keys mapped to one condition, a list of conditions, or
// maps {threshold, abortOnFail, delayAbortEval}. Keys name built-in metrics or the plan's custom
// metrics; tag values and stage references are checked against the plan.

#include <algorithm>
#include <variant>

#include "plan/limits.h"
#include "plan/plan_sections.h"
#include "plan/template.h"

namespace stampede::plan_sections {
namespace {

// How many known names an "unknown ..." message lists before "...".
constexpr std::size_t kMaxListed = 20;

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxListed; ++i) {
    out += (i ? ", " : "") + names[i];
  }
  if (names.size() > kMaxListed) out += ", ...";
  return out;
}

void add_unique(std::vector<std::string>* names, const std::string& name) {
  if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
}

// Named receives of a WebSocket session have rows of their own (method REPLY).
void add_reply_names(const std::vector<WsAction>& actions, std::vector<std::string>* names) {
  for (const WsAction& action : actions) {
    if (action.kind == WsAction::Kind::kReceive && !action.name.empty()) {
      add_unique(names, action.name);
    }
    add_reply_names(action.actions, names);
  }
}

std::vector<std::string> step_names(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> names;
  for (const Scenario& scenario : scenarios) {
    for (const Task& task : scenario.tasks) {
      for (const Step& step : task.steps) {
        add_unique(&names, http_part(step).name);
        if (const auto* ws = std::get_if<WsStep>(&step)) add_reply_names(ws->actions, &names);
      }
    }
  }
  return names;
}

std::vector<std::string> check_names(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> names;
  for (const Scenario& scenario : scenarios) {
    for (const Task& task : scenario.tasks) {
      for (const Step& step : task.steps) {
        for (const Check& check : http_part(step).checks) add_unique(&names, check.name);
      }
    }
  }
  return names;
}

std::string unknown_message(const std::string& what, const std::string& value,
                            const std::vector<std::string>& known) {
  std::string message = "unknown " + what + " '";
  message.append(value).append("' (known: ");
  message.append(known.empty() ? "none" : list_names(known)).append(")");
  return message;
}

// A built-in metric or one of the plan's custom metrics.
std::optional<MetricInfo> metric_named(const std::string& name, const ThresholdTargets& targets) {
  if (const MetricInfo* builtin = find_metric(name)) return *builtin;
  if (!targets.metrics) return std::nullopt;
  for (const CustomMetricDef& def : *targets.metrics) {
    if (def.name != name) continue;
    const bool time = def.unit == "ms" || def.unit == "s";
    return custom_metric_info(def.name, def.kind == CustomMetricDef::Kind::kTrend, time);
  }
  return std::nullopt;
}

// The plan's own metrics first: a long list is cut, and those are the likeliest to be meant.
std::string unknown_metric(const std::string& name, const ThresholdTargets& targets) {
  std::vector<std::string> names;
  if (targets.metrics) {
    for (const CustomMetricDef& def : *targets.metrics) names.push_back(def.name);
  }
  for (const MetricInfo& known : known_metrics()) names.emplace_back(known.name);
  return "unknown metric '" + name + "' (known: " + list_names(names) + ")";
}

std::optional<std::pair<MetricSelector, MetricInfo>> parse_key(YamlReader& reader,
                                                               const YamlReader::Entry& entry,
                                                               const ThresholdTargets& targets) {
  std::string error;
  std::optional<MetricSelector> selector = parse_selector(entry.key, &error);
  std::optional<MetricInfo> metric;
  if (selector) metric = metric_named(selector->metric, targets);
  if (selector && !metric) {
    error = unknown_metric(selector->metric, targets);
  } else if (metric && !validate_selector(&*selector, *metric, &error)) {
    metric.reset();
  } else if (metric) {
    std::optional<std::string> unknown = check_tag_targets(*selector, targets);
    if (unknown) error = *unknown;
    if (unknown) metric.reset();
  }
  if (!metric) {
    reader.error(entry.key_field, error);
    return std::nullopt;
  }
  return std::pair(*selector, *metric);
}

struct Options {
  bool abort_on_fail = false;
  double delay_abort_eval_seconds = 0;
};

// A condition with `{{ env("NAME", "default") }}` in it, made constant now (text and env()
// only: a threshold is judged once, not per request). nullopt after reporting a problem.
std::optional<std::string> render_env(YamlReader& reader, const YamlField& field,
                                      const std::string& text, const ThresholdTargets& targets) {
  if (text.find("{{") == std::string::npos) return text;
  TemplateParseOptions options;
  options.getenv = targets.getenv;
  options.unset_env_hint = targets.unset_env_hint;
  auto parsed = parse_template(text, options);
  if (const auto* error = std::get_if<TemplateError>(&parsed)) {
    reader.error(field, error->message + " (at column " + std::to_string(error->column + 1) +
                            " of '" + text + "')");
    return std::nullopt;
  }
  const Template& rendered = std::get<Template>(parsed);
  if (!rendered.constant()) {
    reader.error(field, "a threshold is a constant: only text and env(\"NAME\", \"default\")");
    return std::nullopt;
  }
  return rendered.constant_text();
}

// One list item: a condition string or {threshold, abortOnFail, delayAbortEval}.
std::optional<std::pair<ThresholdCondition, Options>> parse_item(YamlReader& reader,
                                                                 const YamlField& item,
                                                                 const MetricInfo& metric,
                                                                 const ThresholdTargets& targets) {
  std::optional<YamlField> text_field = item;
  Options options;
  if (item.node.IsMap()) {
    reader.check_map(item, {"threshold", "abortOnFail", "delayAbortEval"});
    text_field = reader.get(item, "threshold");
    if (!text_field) reader.error(YamlReader::absent(item, "threshold"), "required");
    std::optional<YamlField> abort = reader.get(item, "abortOnFail");
    if (abort) options.abort_on_fail = reader.boolean(*abort).value_or(false);
    if (std::optional<YamlField> delay = reader.get(item, "delayAbortEval")) {
      std::optional<Duration> value =
          reader.duration(*delay, Bound::kNonNegative, limits::kMaxLoadDuration);
      if (value) options.delay_abort_eval_seconds = to_seconds(*value);
      if (value && !options.abort_on_fail) {
        reader.warning(*delay, "ignored without abortOnFail: true");
      }
    }
  } else if (!item.node.IsScalar()) {
    reader.error(item, "must be a condition such as \"p(95) < 500ms\" or a map with threshold");
    return std::nullopt;
  }
  std::optional<std::string> text = text_field ? reader.string(*text_field) : std::nullopt;
  if (text) text = render_env(reader, *text_field, *text, targets);
  if (!text) return std::nullopt;
  std::string error;
  std::optional<ThresholdCondition> condition = parse_condition(*text, metric, &error);
  if (condition && condition->reference && targets.stages) {
    const std::string& stage = condition->reference->stage;
    const std::vector<std::string>& known = *targets.stages;
    if (std::find(known.begin(), known.end(), stage) == known.end()) {
      error = unknown_message("stage", stage, known);
      condition.reset();
    }
  }
  if (!condition) {
    reader.error(*text_field, error);
    return std::nullopt;
  }
  return std::pair(*condition, options);
}

// Conditions with the same abort options share one Threshold; others get their own, so each
// keeps k6's per-condition abortOnFail.
void add_condition(const MetricSelector& selector, const std::string& key,
                   const ThresholdCondition& condition, const Options& options,
                   std::vector<Threshold>* group) {
  for (Threshold& threshold : *group) {
    if (threshold.abort_on_fail == options.abort_on_fail &&
        threshold.delay_abort_eval_seconds == options.delay_abort_eval_seconds) {
      threshold.conditions.push_back(condition);
      return;
    }
  }
  group->push_back(Threshold{
      selector, key, {condition}, options.abort_on_fail, options.delay_abort_eval_seconds});
}

void parse_threshold(YamlReader& reader, const YamlReader::Entry& entry,
                     const ThresholdTargets& targets, std::vector<Threshold>* thresholds) {
  std::optional<std::pair<MetricSelector, MetricInfo>> key = parse_key(reader, entry, targets);
  if (!key) return;
  std::vector<YamlField> items = {entry.value};
  if (entry.value.node.IsSequence()) {
    std::optional<std::vector<YamlField>> list = reader.list(entry.value);
    if (!list) return;
    items = *list;
  }
  std::vector<Threshold> group;
  for (const YamlField& item : items) {
    if (auto parsed = parse_item(reader, item, key->second, targets)) {
      add_condition(key->first, entry.key, parsed->first, parsed->second, &group);
    }
  }
  thresholds->insert(thresholds->end(), group.begin(), group.end());
}

}  // namespace

std::optional<std::string> check_tag_targets(const MetricSelector& selector,
                                             const ThresholdTargets& targets) {
  for (const auto& [key, value] : selector.tags) {
    std::vector<std::string> known;
    std::string what;
    const bool about_steps = key == "scenario" || key == "name" || key == "check";
    if (key == "stage" && targets.stages) {
      known = *targets.stages;
      what = "stage";
    } else if (about_steps && targets.scenarios) {
      if (key == "scenario") {
        for (const Scenario& scenario : *targets.scenarios) known.push_back(scenario.name);
      } else {
        known = key == "name" ? step_names(*targets.scenarios) : check_names(*targets.scenarios);
      }
      what = key == "name" ? "step name" : key;
    } else {
      continue;  // scenarios had errors, or a tag without a list of known values
    }
    if (std::find(known.begin(), known.end(), value) == known.end()) {
      return unknown_message(what, value, known);
    }
  }
  return std::nullopt;
}

std::function<std::optional<std::string>(const std::string&)> threshold_env(
    const ParseOptions& options) {
  if (options.runner_side) return process_env;
  return [env = options.runner_env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    return found == env.end() ? std::nullopt : std::optional<std::string>(found->second);
  };
}

ThresholdTargets threshold_targets(const Plan& plan, bool scenarios_ok, bool load_ok) {
  ThresholdTargets targets;
  targets.scenarios = scenarios_ok ? &plan.scenarios : nullptr;
  targets.metrics = &plan.metrics;
  if (load_ok) {
    std::vector<std::string>& names = targets.stages.emplace();
    const std::vector<Stage>& stages =
        std::visit([](const auto& model) -> const std::vector<Stage>& { return model.stages; },
                   plan.load.model);
    for (const Stage& stage : stages) {
      if (!stage.name.empty()) add_unique(&names, stage.name);
    }
  }
  return targets;
}

void parse_thresholds(YamlReader& reader, const YamlField& field, const ThresholdTargets& targets,
                      std::vector<Threshold>* thresholds) {
  if (!reader.check_map(field)) return;
  for (const YamlReader::Entry& entry : YamlReader::entries(field)) {
    parse_threshold(reader, entry, targets, thresholds);
  }
}

void parse_thresholds(YamlReader& reader, const YamlField& field,
                      const std::vector<Scenario>* scenarios, std::vector<Threshold>* thresholds) {
  ThresholdTargets targets;
  targets.scenarios = scenarios;
  parse_thresholds(reader, field, targets, thresholds);
}

}  // namespace stampede::plan_sections
