#include "plan/plan_parser.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include "plan/plan_sections.h"
#include "plan/read_file.h"
#include "plan/yaml_reader.h"

namespace stampede {
namespace {

using plan_sections::open_plan_profile;
using plan_sections::parse_load;
using plan_sections::parse_scenarios;
using plan_sections::parse_target;
using plan_sections::parse_thresholds;
using plan_sections::ProfileReader;

constexpr std::string_view kApiVersion = "stampede.dev/v1alpha1";
constexpr std::string_view kKind = "LoadTest";

// `setup`, then the scenarios and `teardown`, which may read what the setup extracts as
// setup.NAME.
void parse_phases_and_scenarios(YamlReader& reader, const YamlField& body,
                                const YamlField& scenarios, std::optional<bool> open_model,
                                plan_sections::StepContext& context, Plan* plan) {
  if (std::optional<YamlField> setup = reader.get(body, "setup")) {
    plan_sections::parse_phase(reader, *setup, "setup", context, &plan->setup.emplace());
    for (const std::string& name : extracted_variables(plan->setup->tasks.front().steps)) {
      context.variables.insert(setup_variable(name));
    }
  }
  parse_scenarios(reader, scenarios, open_model, context, &plan->scenarios);
  if (std::optional<YamlField> teardown = reader.get(body, "teardown")) {
    plan_sections::parse_phase(reader, *teardown, "teardown", context, &plan->teardown.emplace());
  }
}

// Reads `name`, `profile`, `target`, `load`, `scenarios`, `thresholds` and `limits` of a plan body
// (the file itself, or a manifest's spec). A profile gives the load and the thresholds the plan
// leaves out.
void parse_body(YamlReader& reader, const YamlField& body, const ParseOptions& options,
                Plan* plan) {
  const bool wants_profile = !options.profile.empty() || reader.has(body, "profile");
  std::optional<ProfileReader> profile = open_plan_profile(reader, body, options);
  // Its name as asked for, for the result's meta (the key is a string once the profile opened).
  if (profile) {
    plan->profile = options.profile.empty() ? body.node["profile"].Scalar() : options.profile;
  }
  if (std::optional<YamlField> name = reader.get(body, "name")) {
    if (std::optional<std::string> text = reader.string(*name)) plan->name = *text;
  }
  parse_target(reader, reader.get(body, "target"), body, options, &plan->target);

  std::optional<bool> open_model;
  std::optional<YamlField> load = reader.get(body, "load");
  if (load && parse_load(reader, *load, &plan->load)) open_model = plan->load.is_open();
  LoadModel profile_load;
  if (profile && profile->parse_load(&profile_load) && !load) {
    plan->load = std::move(profile_load);
    open_model = plan->load.is_open();
  }
  if (!load && !wants_profile) {
    reader.error(YamlReader::absent(body, "load"), "required (or name a profile)");
  }

  const std::size_t errors_before = reader.error_count();
  std::optional<YamlField> scenarios = reader.get(body, "scenarios");
  if (scenarios) {
    plan_sections::StepContext context =
        plan_sections::parse_step_context(reader, body, options, plan);
    parse_phases_and_scenarios(reader, body, *scenarios, open_model, context, plan);
  } else {
    reader.error(YamlReader::absent(body, "scenarios"), "required");
  }
  const bool scenarios_ok = reader.error_count() == errors_before;

  plan_sections::ThresholdTargets targets =
      plan_sections::threshold_targets(*plan, scenarios_ok, open_model.has_value());
  targets.getenv = plan_sections::threshold_env(options);
  if (!options.runner_side) {
    targets.unset_env_hint =
        " in the runners' env (the operator judges thresholds and reads only the `value`s of "
        "spec.runners.env: give one, or a default such as env(\"NAME\", \"2s\"))";
  }
  std::optional<YamlField> thresholds = reader.get(body, "thresholds");
  if (thresholds && !thresholds->node.IsNull()) {
    parse_thresholds(reader, *thresholds, targets, &plan->thresholds);
  }
  std::optional<std::vector<Threshold>> profile_thresholds =
      profile ? profile->parse_thresholds(targets) : std::nullopt;
  if (profile_thresholds && !thresholds) plan->thresholds = std::move(*profile_thresholds);
  if (std::optional<YamlField> limits = reader.get(body, "limits")) {
    plan_sections::parse_limits(reader, *limits, targets, &plan->limits);
  }
}

void parse_bare_plan(YamlReader& reader, const YamlField& root, const ParseOptions& options,
                     Plan* plan) {
  reader.check_map(root, {"name", "target", "load", "scenarios", "thresholds", "limits", "profile",
                          "vars", "data", "setup", "teardown"});
  parse_body(reader, root, options, plan);
}

// apiVersion and kind must match when given; a wrong one means this is not our file.
void check_manifest_header(YamlReader& reader, const YamlField& root) {
  if (std::optional<YamlField> api = reader.get(root, "apiVersion")) {
    std::optional<std::string> text = reader.string(*api);
    if (text && *text != kApiVersion) {
      reader.error(*api, "must be " + std::string(kApiVersion) + " (got '" + *text + "')");
    }
  }
  if (std::optional<YamlField> kind = reader.get(root, "kind")) {
    std::optional<std::string> text = reader.string(*kind);
    if (text && *text != kKind) {
      reader.error(*kind, "must be " + std::string(kKind) + " (got '" + *text + "')");
    }
  }
}

// A LoadTest custom resource, as applied to Kubernetes or read back with kubectl get -o yaml.
void parse_manifest(YamlReader& reader, const YamlField& root, const ParseOptions& options,
                    Plan* plan) {
  reader.check_map(root, {"apiVersion", "kind", "metadata", "spec", "status"});
  check_manifest_header(reader, root);
  std::optional<YamlField> metadata = reader.get(root, "metadata");
  if (metadata && !metadata->node.IsNull() && reader.is_map(*metadata)) {
    if (std::optional<YamlField> name = reader.get(*metadata, "name")) {
      if (std::optional<std::string> text = reader.string(*name)) plan->name = *text;
    }
  }
  std::optional<YamlField> spec = reader.get(root, "spec");
  if (!spec) {
    reader.error(YamlReader::absent(root, "spec"), "required");
    return;
  }
  // The operator's own fields are valid here; the runner has no use for them.
  if (!reader.check_map(
          *spec, {"name", "target", "load", "scenarios", "thresholds", "limits", "profile", "vars",
                  "data", "setup", "teardown", "runners", "startTimeoutSeconds", "cleanup",
                  "ttlSecondsAfterFinished", "testid",
                  // runs (docs/runs.md)
                  "schedule", "timeZone", "concurrencyPolicy", "suspend", "startingDeadlineSeconds",
                  "historyLimit", "onSpecChange"})) {
    return;
  }
  parse_body(reader, *spec, options, plan);
}

bool is_manifest(const YamlReader& reader, const YamlField& root) {
  return reader.has(root, "apiVersion") || reader.has(root, "kind") || reader.has(root, "spec");
}

void parse_document(std::string_view yaml, const ParseOptions& options, ParseResult* result) {
  YamlReader reader(&result->errors, &result->warnings);
  std::optional<YAML::Node> document = load_single_document(yaml, &result->errors);
  if (!document) return;
  if (document->IsNull()) {
    result->errors.push_back(
        SourceError{"", 0, 0, "the file is empty (expected a plan or a LoadTest manifest)"});
    return;
  }
  YamlField root = YamlReader::root(*document);
  if (!root.node.IsMap()) {
    reader.error(root, "must be a map (a plan or a LoadTest manifest)");
    return;
  }
  Plan plan;
  if (is_manifest(reader, root)) {
    parse_manifest(reader, root, options, &plan);
  } else {
    parse_bare_plan(reader, root, options, &plan);
  }
  if (result->errors.empty()) result->plan = std::move(plan);
}

// Reports in file order: what the user reads top to bottom; the plan file (file "") first, then
// a profile's file.
void sort_by_position(SourceErrors* errors) {
  std::stable_sort(errors->begin(), errors->end(), [](const SourceError& a, const SourceError& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
}

}  // namespace

ParseResult parse_plan_text(std::string_view yaml, const ParseOptions& options) {
  ParseResult result;
  try {
    parse_document(yaml, options, &result);
  } catch (const std::exception& e) {
    // Not expected: the walk checks types before converting. Still never throw to callers.
    result.errors.push_back(SourceError{"", 0, 0, std::string("internal error: ") + e.what()});
  }
  if (!result.errors.empty()) result.plan.reset();
  sort_by_position(&result.errors);
  sort_by_position(&result.warnings);
  return result;
}

ParseResult load_plan_file(const std::string& path, const ParseOptions& options) {
  auto fail = [&path](const std::string& reason) {
    ParseResult result;
    result.errors.push_back(
        SourceError{"", 0, 0, "cannot read plan file '" + path + "': " + reason});
    return result;
  };
  std::string reason;
  std::optional<std::string> text = read_regular_file(path, kMaxPlanFileBytes, &reason);
  if (!text) return fail(reason);
  ParseOptions in_plan_dir = options;
  if (in_plan_dir.base_dir.empty()) {
    in_plan_dir.base_dir = std::filesystem::path(path).parent_path().string();
  }
  return parse_plan_text(*text, in_plan_dir);
}

}  // namespace stampede
