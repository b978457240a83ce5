// The `scenarios` section: named, weighted groups of tasks with a think time between iterations.

#include <algorithm>

#include "base/text.h"
#include "plan/duration.h"
#include "plan/limits.h"
#include "plan/plan_sections.h"

namespace stampede::plan_sections {
namespace {

constexpr const char* kWaitForms =
    "must be none, constant(X), between(A, B) or pacing(X), with X in seconds or a duration "
    "such as 500ms";

// "constant(1.5)" -> kind "constant", args {"1.5"}. nullopt when not of the form name(...).
std::optional<std::pair<std::string_view, std::vector<Duration>>> split_call(
    std::string_view text) {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos || text.back() != ')') return std::nullopt;
  std::string_view inside = text.substr(open + 1, text.size() - open - 2);
  std::vector<Duration> args;
  while (true) {
    const std::size_t comma = inside.find(',');
    std::optional<Duration> value = parse_duration(trim(inside.substr(0, comma)), nullptr);
    if (!value) return std::nullopt;
    args.push_back(*value);
    if (comma == std::string_view::npos) break;
    inside.remove_prefix(comma + 1);
  }
  return std::pair(trim(text.substr(0, open)), std::move(args));
}

}  // namespace

std::optional<WaitTime> parse_wait_text(std::string_view text, std::string* error) {
  text = trim(text);
  if (text == "none") return WaitTime{};
  auto call = split_call(text);
  if (!call) {
    *error = kWaitForms;
    return std::nullopt;
  }
  const auto& [kind, args] = *call;
  for (const Duration& arg : args) {
    if (arg > limits::kMaxWait) {
      *error = "must be at most " + format_duration(limits::kMaxWait) + " (each time in " +
               std::string(kind) + "(...))";
      return std::nullopt;
    }
  }
  if ((kind == "constant" || kind == "pacing") && args.size() == 1) {
    return WaitTime{kind == "constant" ? WaitTime::Kind::kConstant : WaitTime::Kind::kPacing,
                    args[0], args[0]};
  }
  if (kind == "between" && args.size() == 2) {
    if (args[0] > args[1]) {
      *error = "between(A, B) needs A <= B";
      return std::nullopt;
    }
    return WaitTime{WaitTime::Kind::kBetween, args[0], args[1]};
  }
  *error = kWaitForms;
  return std::nullopt;
}

namespace {

void parse_wait(YamlReader& reader, const YamlField& field, std::optional<bool> open_model,
                WaitTime* wait) {
  std::optional<std::string> text = reader.string(field);
  if (!text) return;
  std::string error;
  std::optional<WaitTime> value = parse_wait_text(*text, &error);
  if (!value) {
    reader.error(field, error);
    return;
  }
  *wait = *value;
  if (open_model.value_or(false) && value->kind != WaitTime::Kind::kNone) {
    reader.warning(field, "ignored: the arrival rate paces an open model");
  }
}

// A task's steps share one context: what a step extracts, later steps may use.
std::vector<Step> parse_steps(YamlReader& reader, const YamlField& field, StepContext context) {
  std::vector<Step> steps;
  if (std::optional<std::vector<YamlField>> items = reader.list(field)) {
    for (const YamlField& item : *items) {
      if (std::optional<Step> step = parse_step(reader, item, context)) {
        steps.push_back(std::move(*step));
      }
    }
  }
  return steps;
}

// `auth` and `retry` of a scenario or task become the default of the steps below it.
void parse_defaults(YamlReader& reader, const YamlField& field, bool with_retry,
                    StepContext& context) {
  if (std::optional<YamlField> auth = reader.get(field, "auth")) {
    context.auth = parse_auth(reader, *auth, context);
  }
  if (!with_retry) return;
  if (std::optional<YamlField> retry = reader.get(field, "retry")) {
    context.retry = parse_retry(reader, *retry);
  }
}

std::optional<double> optional_weight(YamlReader& reader, const YamlField& map) {
  std::optional<YamlField> field = reader.get(map, "weight");
  return field ? reader.number(*field, Bound::kPositive, limits::kMaxWeight)
               : std::optional<double>(1);
}

void parse_tags(YamlReader& reader, const YamlField& field, std::vector<std::string>* tags) {
  std::optional<std::vector<YamlField>> items = reader.list(field, /*allow_empty=*/true);
  if (!items) return;
  for (const YamlField& item : *items) {
    if (std::optional<std::string> tag = reader.string(item)) tags->push_back(*tag);
  }
}

void parse_task(YamlReader& reader, const YamlField& field, std::size_t index, StepContext context,
                Task* task) {
  if (!reader.check_map(field, {"name", "weight", "tags", "steps", "auth"})) return;
  parse_defaults(reader, field, /*with_retry=*/false, context);
  task->name = "task " + std::to_string(index + 1);
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    if (std::optional<std::string> text = reader.string(*name)) task->name = *text;
  }
  task->weight = optional_weight(reader, field).value_or(1);
  if (std::optional<YamlField> tags = reader.get(field, "tags"))
    parse_tags(reader, *tags, &task->tags);
  if (std::optional<YamlField> steps = reader.get(field, "steps")) {
    task->steps = parse_steps(reader, *steps, context);
  } else {
    reader.error(YamlReader::absent(field, "steps"), "required");
  }
}

// `tasks`, or `steps` as the shorthand for a single task named after the scenario.
void parse_work(YamlReader& reader, const YamlField& field, const StepContext& context,
                Scenario* scenario) {
  std::optional<YamlField> tasks = reader.get(field, "tasks");
  std::optional<YamlField> steps = reader.get(field, "steps");
  if (tasks && steps) {
    reader.error(*steps, "not allowed with tasks (put the steps in a task)");
  } else if (tasks) {
    std::optional<std::vector<YamlField>> items = reader.list(*tasks);
    for (std::size_t i = 0; items && i < items->size(); ++i) {
      parse_task(reader, (*items)[i], i, context, &scenario->tasks.emplace_back());
    }
  } else if (steps) {
    Task& task = scenario->tasks.emplace_back();
    task.name = scenario->name;
    task.steps = parse_steps(reader, *steps, context);
  } else {
    reader.error(field, "one of tasks or steps is required");
  }
}

void parse_scenario(YamlReader& reader, const YamlField& field, std::optional<bool> open_model,
                    const std::vector<Scenario>& earlier, StepContext context, Scenario* scenario) {
  if (!reader.check_map(field, {"name", "weight", "wait", "tasks", "steps", "auth", "retry"})) {
    return;
  }
  parse_defaults(reader, field, /*with_retry=*/true, context);
  if (std::optional<YamlField> name = reader.get(field, "name")) {
    std::optional<std::string> text = reader.string(*name);
    if (text && text->empty()) reader.error(*name, "must not be empty");
    const bool taken = std::any_of(earlier.begin(), earlier.end(), [&](const Scenario& other) {
      return text && other.name == *text;
    });
    if (text && taken) reader.error(*name, "duplicate scenario name '" + *text + "'");
    if (text) scenario->name = *text;
  } else {
    reader.error(YamlReader::absent(field, "name"), "required");
  }
  scenario->weight = optional_weight(reader, field).value_or(1);
  if (std::optional<YamlField> wait = reader.get(field, "wait")) {
    parse_wait(reader, *wait, open_model, &scenario->wait);
  }
  parse_work(reader, field, context, scenario);
}

}  // namespace

void parse_phase(YamlReader& reader, const YamlField& field, const std::string& name,
                 StepContext context, Scenario* phase) {
  phase->name = name;
  phase->wait = WaitTime{};
  if (!reader.check_map(field, {"steps", "auth", "retry"})) return;
  parse_defaults(reader, field, /*with_retry=*/true, context);
  Task& task = phase->tasks.emplace_back();
  task.name = name;
  if (std::optional<YamlField> steps = reader.get(field, "steps")) {
    task.steps = parse_steps(reader, *steps, context);
  } else {
    reader.error(YamlReader::absent(field, "steps"), "required");
  }
}

void parse_scenarios(YamlReader& reader, const YamlField& field, std::optional<bool> open_model,
                     StepContext& context, std::vector<Scenario>* scenarios) {
  std::optional<std::vector<YamlField>> items = reader.list(field);
  if (!items) return;
  for (const YamlField& item : *items) {
    Scenario scenario;
    parse_scenario(reader, item, open_model, *scenarios, context, &scenario);
    scenarios->push_back(std::move(scenario));
  }
}

}  // namespace stampede::plan_sections
