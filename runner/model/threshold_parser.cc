// The `thresholds` section: selector keys mapped to one condition, a list of conditions, or
// maps {threshold, abortOnFail, delayAbortEval}.

#include <algorithm>

#include "model/plan_sections.h"

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

std::vector<std::string> step_names(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> names;
  for (const Scenario& scenario : scenarios) {
    for (const Task& task : scenario.tasks) {
      for (const Step& step : task.steps) add_unique(&names, std::get<HttpStep>(step).name);
    }
  }
  return names;
}

// `scenario` and `name` tags must name something in this plan: a typo would match no data and
// the threshold would silently pass.
std::optional<std::string> check_tag_targets(const MetricSelector& selector,
                                             const std::vector<Scenario>& scenarios) {
  for (const auto& [key, value] : selector.tags) {
    std::vector<std::string> known;
    if (key == "scenario") {
      for (const Scenario& scenario : scenarios) known.push_back(scenario.name);
    } else if (key == "name") {
      known = step_names(scenarios);
    } else {
      continue;
    }
    if (std::find(known.begin(), known.end(), value) == known.end()) {
      const std::string what = key == "scenario" ? "scenario" : "step name";
      std::string message = "unknown " + what + " '";
      message.append(value).append("' (known: ").append(list_names(known)).append(")");
      return message;
    }
  }
  return std::nullopt;
}

std::optional<std::pair<MetricSelector, const MetricInfo*>> parse_key(
    YamlReader& reader, const YamlReader::Entry& entry, const std::vector<Scenario>* scenarios) {
  std::string error;
  std::optional<MetricSelector> selector = parse_selector(entry.key, &error);
  const MetricInfo* metric = selector ? find_metric(selector->metric) : nullptr;
  if (selector && !metric) {
    std::vector<std::string> names;
    for (const MetricInfo& known : known_metrics()) names.emplace_back(known.name);
    error = "unknown metric '" + selector->metric + "' (known: " + list_names(names) + ")";
  } else if (metric && !validate_selector(&*selector, *metric, &error)) {
    metric = nullptr;
  } else if (metric && scenarios) {
    std::optional<std::string> unknown = check_tag_targets(*selector, *scenarios);
    if (unknown) error = *unknown;
    if (unknown) metric = nullptr;
  }
  if (!metric) {
    reader.error(entry.key_field, error);
    return std::nullopt;
  }
  return std::pair(*selector, metric);
}

struct Options {
  bool abort_on_fail = false;
  double delay_abort_eval_seconds = 0;
};

// One list item: a condition string or {threshold, abortOnFail, delayAbortEval}.
std::optional<std::pair<ThresholdCondition, Options>> parse_item(YamlReader& reader,
                                                                 const YamlField& item,
                                                                 const MetricInfo& metric) {
  std::optional<YamlField> text_field = item;
  Options options;
  if (item.node.IsMap()) {
    reader.check_map(item, {"threshold", "abortOnFail", "delayAbortEval"});
    text_field = reader.get(item, "threshold");
    if (!text_field) reader.error(YamlReader::absent(item, "threshold"), "required");
    std::optional<YamlField> abort = reader.get(item, "abortOnFail");
    if (abort) options.abort_on_fail = reader.boolean(*abort).value_or(false);
    if (std::optional<YamlField> delay = reader.get(item, "delayAbortEval")) {
      std::optional<Duration> value = reader.duration(*delay, Bound::kNonNegative);
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
  if (!text) return std::nullopt;
  std::string error;
  std::optional<ThresholdCondition> condition = parse_condition(*text, metric, &error);
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
                     const std::vector<Scenario>* scenarios, std::vector<Threshold>* thresholds) {
  std::optional<std::pair<MetricSelector, const MetricInfo*>> key =
      parse_key(reader, entry, scenarios);
  if (!key) return;
  std::vector<YamlField> items = {entry.value};
  if (entry.value.node.IsSequence()) {
    std::optional<std::vector<YamlField>> list = reader.list(entry.value);
    if (!list) return;
    items = *list;
  }
  std::vector<Threshold> group;
  for (const YamlField& item : items) {
    if (auto parsed = parse_item(reader, item, *key->second)) {
      add_condition(key->first, entry.key, parsed->first, parsed->second, &group);
    }
  }
  thresholds->insert(thresholds->end(), group.begin(), group.end());
}

}  // namespace

void parse_thresholds(YamlReader& reader, const YamlField& field,
                      const std::vector<Scenario>* scenarios, std::vector<Threshold>* thresholds) {
  if (!reader.check_map(field)) return;
  for (const YamlReader::Entry& entry : YamlReader::entries(field)) {
    parse_threshold(reader, entry, scenarios, thresholds);
  }
}

}  // namespace stampede::plan_sections
