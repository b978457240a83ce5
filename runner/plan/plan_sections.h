#pragma once
// The per-section parsers behind parse_plan_text (plan_parser.cc). Internal to the model
// library: each reads one part of the file, reports problems through the YamlReader and fills
// its part of the Plan.

#include <functional>
#include <map>
#include <set>
#include <vector>

#include "plan/plan.h"
#include "plan/plan_parser.h"
#include "plan/profile.h"
#include "plan/yaml_reader.h"

namespace stampede::plan_sections {

// `field` is nullopt when the file has no `target` (allowed with a host override).
void parse_target(YamlReader& reader, const std::optional<YamlField>& field,
                  const YamlField& parent, const ParseOptions& options, Target* target);
// A map of header name -> value (target and step headers).
std::vector<Header> parse_headers(YamlReader& reader, const YamlField& field);
// Returns false when the model could not be determined (callers then skip model checks).
bool parse_load(YamlReader& reader, const YamlField& field, LoadModel* load);
// `open_model`: nullopt when the load section was invalid.

// What scenario, task and step parsers carry down: how env and files are read, the variables a
// step may use, and the auth and retry defaults of the enclosing target and scenario.
struct StepContext {
  ParseOptions options;
  std::map<std::string, std::string> constants;  // vars: inlined into templates
  std::set<std::string> variables;  // data columns, plus what earlier steps of the task extract
  // Feeders whose columns are unknown here (files the operator cannot read): any
  // "feeder.column" of these is accepted.
  std::set<std::string> open_feeders;
  std::optional<Auth> auth;  // the target's, then the scenario's, then the task's
  std::optional<RetryPolicy> retry;
  std::vector<CustomMetricDef>* metrics = nullptr;  // the plan's; steps add what they declare

  TemplateParseOptions template_options(TemplateEscape escape) const;
};

std::optional<Step> parse_step(YamlReader& reader, const YamlField& field, StepContext& context);
// `ws: /path` with its actions (ws_step_parser.cc).
std::optional<Step> parse_ws_step(YamlReader& reader, const YamlField& field, StepContext& context);
// Parts of a step that HTTP and WebSocket steps share: the path (a template starting with /),
// header templates and the statistics name (constant).
void parse_step_path(YamlReader& reader, const YamlField& field, const StepContext& context,
                     HttpStep* step);
void parse_header_templates(YamlReader& reader, const YamlField& field, const StepContext& context,
                            HttpStep* step);
void parse_step_name(YamlReader& reader, const YamlField& field, const StepContext& context,
                     HttpStep* step);
// One check (`checks:` items; a WebSocket receive's condition).
std::optional<Check> parse_check(YamlReader& reader, const YamlField& field,
                                 const StepContext& context);
// `constant(1s)`, `between(1s, 3s)`, `pacing(5s)` or `none`; nullopt with *error set.
std::optional<WaitTime> parse_wait_text(std::string_view text, std::string* error);
// `open_model`: nullopt when the load section was invalid. Steps add custom metrics to
// *context.metrics.
void parse_scenarios(YamlReader& reader, const YamlField& field, std::optional<bool> open_model,
                     StepContext& context, std::vector<Scenario>* scenarios);
// `setup:` or `teardown:` (`name`): steps, and auth and retry defaults, as one task of a
// scenario named `name` that runs once (docs/setup-teardown.md).
void parse_phase(YamlReader& reader, const YamlField& field, const std::string& name,
                 StepContext context, Scenario* phase);
// `vars`, `data` and the target's `auth` and `retry`: the context every step starts from.
StepContext parse_step_context(YamlReader& reader, const YamlField& body,
                               const ParseOptions& options, Plan* plan);
// Parses a template-valued scalar: checks its variables against the context and inlines vars.
std::optional<Template> parse_template_field(YamlReader& reader, const YamlField& field,
                                             const StepContext& context, TemplateEscape escape);
// A YAML value as a JSON text template (string values may hold {{ }}).
std::optional<Template> parse_json_template(YamlReader& reader, const YamlField& field,
                                            const StepContext& context);
// `auth:` and `retry:` at target, scenario, task or step level.
std::optional<Auth> parse_auth(YamlReader& reader, const YamlField& field,
                               const StepContext& context);
std::optional<RetryPolicy> parse_retry(YamlReader& reader, const YamlField& field);
// `extract:`, `checks:` and `metrics:` of a step.
void parse_extract(YamlReader& reader, const YamlField& field, HttpStep* step);
void parse_checks(YamlReader& reader, const YamlField& field, const StepContext& context,
                  HttpStep* step);
void parse_metrics(YamlReader& reader, const YamlField& field, StepContext& context,
                   HttpStep* step);
// `stream:` of a step: `sse`, `ndjson` or a map with format, end, tokens and maxEventBytes.
void parse_stream(YamlReader& reader, const YamlField& field, HttpStep* step);
// 200, "2xx" or "200-299" into *set; false when malformed.
bool add_status(const std::string& text, StatusSet* set);
// One status or a list of them; reports errors; nullopt when any is malformed.
std::optional<StatusSet> parse_statuses(YamlReader& reader, const YamlField& field);

// The overload signals both `adaptive:` sections (limits:, load:) read: `statuses` (default 429
// and 503), `latency` and `decrease` (below 1; `what` it multiplies names the message's example).
struct OverloadFields {
  StatusSet* on;
  std::optional<Duration>* latency;
  double* decrease;
};
void parse_overload_signals(YamlReader& reader, const YamlField& field, const char* what,
                            OverloadFields out);
// `scenarios` is null when the scenarios had errors; tag values are then not cross-checked.
void parse_thresholds(YamlReader& reader, const YamlField& field,
                      const std::vector<Scenario>* scenarios, std::vector<Threshold>* thresholds);

// What thresholds may name besides the built-in metrics: scenario, step and check names (null
// when the scenarios had errors: not cross-checked), stage names (nullopt when the load had
// errors: not cross-checked) and the plan's custom metrics.
struct ThresholdTargets {
  const std::vector<Scenario>* scenarios = nullptr;
  std::optional<std::vector<std::string>> stages;
  const std::vector<CustomMetricDef>* metrics = nullptr;
  // How env() in a condition reads the environment (see threshold_env); unset: env() gives its
  // default or "".
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::string unset_env_hint;  // added to "environment variable X is not set"
};
// Conditions may take their bounds from env() (one plan, several environments), and whoever
// judges them must see the same values: a run reads its own environment; the operator, which
// judges the merged result, reads the runners' `env` values from the spec (ParseOptions::
// runner_env), never its own environment, and an unset name without a default is an error.
std::function<std::optional<std::string>(const std::string&)> threshold_env(
    const ParseOptions& options);
// The targets of a parsed plan: its scenarios, its load's named stages and its metrics.
ThresholdTargets threshold_targets(const Plan& plan, bool scenarios_ok, bool load_ok);
void parse_thresholds(YamlReader& reader, const YamlField& field, const ThresholdTargets& targets,
                      std::vector<Threshold>* thresholds);
// `scenario`, `name`, `check` and `stage` tags must name something in this plan: a typo would
// match nothing and the threshold (or limit) would silently pass. The message when one does not.
std::optional<std::string> check_tag_targets(const MetricSelector& selector,
                                             const ThresholdTargets& targets);
// `limits:` (limit_parser.cc): selectors of http_reqs, checked against the same targets.
void parse_limits(YamlReader& reader, const YamlField& field, const ThresholdTargets& targets,
                  std::vector<RequestLimit>* limits);

// A profile's document, read in the plan parser's order: its load before the plan's scenarios,
// its thresholds after them (so their tags are checked against the plan's scenarios). Problems
// go to the plan reader's lists, positioned in the profile's file (SourceError::file).
class ProfileReader {
 public:
  // Reads the YAML, checks the keys and reads the description.
  ProfileReader(const YamlReader& plan_reader, const ProfileSource& source);

  bool ok() const { return root_.has_value(); }  // false: the document was unusable (reported)
  const std::string& description() const { return description_; }
  // The profile's `load` (required); false when it has errors.
  bool parse_load(LoadModel* load);
  // nullopt when the profile has no `thresholds` section. `targets`: the plan's.
  std::optional<std::vector<Threshold>> parse_thresholds(const ThresholdTargets& targets);

 private:
  YamlReader reader_;
  std::optional<YamlField> root_;
  std::string description_;
};

// The profile a plan body asks for: ParseOptions::profile (relative paths from the current
// directory), else the body's `profile` key (relative to ParseOptions::base_dir). nullopt when
// it asks for none, or after reporting why the profile cannot be used.
std::optional<ProfileReader> open_plan_profile(YamlReader& reader, const YamlField& body,
                                               const ParseOptions& options);

}  // namespace stampede::plan_sections
